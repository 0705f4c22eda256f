"""Posting updates and mailing them, with a working unsubscribe link in every mail."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..audit.service import record
from ..campaigns.models import Campaign
from ..campaigns.service import render_markdown
from ..database import transaction, utcnow
from ..extensions import db
from ..mail.service import queue_mail
from ..signatures.identity import hash_token, new_token
from ..signatures.models import Signature, SignatureToken
from ..urls import external_url
from .models import CampaignUpdate

BATCH = 500
TOKEN_PURPOSE = "updates"  # SignatureToken purpose of unsubscribe links


class UnsubscribeError(Exception):
    pass


def updates_for(campaign: Campaign, limit: int = 20) -> list[CampaignUpdate]:
    return list(db.session.scalars(
        sa.select(CampaignUpdate).where(CampaignUpdate.campaign_id == campaign.id)
        .order_by(CampaignUpdate.created_at.desc(), CampaignUpdate.id.desc()).limit(limit)))


def _unsubscribe_link(signature: Signature) -> str:
    raw, digest = new_token()
    db.session.add(SignatureToken(
        signature_id=signature.id, purpose=TOKEN_PURPOSE, token_hash=digest,
        expires_at=utcnow() + timedelta(days=current_app.config["UPDATE_UNSUBSCRIBE_TOKEN_DAYS"])))
    return external_url("updates_public.unsubscribe", token=raw)


def post_update(campaign: Campaign, title: str, body: str, user) -> CampaignUpdate:
    """Publish the update and queue one mail per confirmed signer who asked for updates,
    all in one transaction (the outbox sends them), walking the signers in id-ordered batches."""
    body_html = render_markdown(body)
    campaign_url = external_url("campaigns.show", slug=campaign.slug)
    with transaction():
        update = CampaignUpdate(campaign_id=campaign.id, user_id=user.id, title=title.strip(), body=body)
        db.session.add(update)
        sent, last_id = 0, 0
        while True:
            batch = list(db.session.scalars(
                sa.select(Signature)
                .where(Signature.campaign_id == campaign.id, Signature.status == "confirmed",
                       Signature.keep_updated.is_(True), Signature.id > last_id)
                .order_by(Signature.id).limit(BATCH)))
            if not batch:
                break
            for signature in batch:
                queue_mail(signature.email, "campaign_update", update.title, signature.locale,
                           signature=signature, campaign=campaign, update=update, body_html=body_html,
                           campaign_url=campaign_url, unsubscribe_url=_unsubscribe_link(signature))
            sent += len(batch)
            last_id = batch[-1].id
            db.session.flush()
            for obj in batch:
                db.session.expunge(obj)
        update.recipients = sent
        record("update_post", user, campaign, title=update.title, recipients=sent)
    return update


def signature_for_unsubscribe(raw: str) -> Signature:
    token = db.session.scalars(sa.select(SignatureToken).where(
        SignatureToken.token_hash == hash_token(raw), SignatureToken.purpose == TOKEN_PURPOSE)).one_or_none()
    if token is None or token.expires_at < utcnow():
        raise UnsubscribeError
    return token.signature


def unsubscribe(raw: str) -> Signature:
    """Stop update mails for this signature (asking twice is harmless)."""
    with transaction():
        signature = signature_for_unsubscribe(raw)
        signature.keep_updated = False
    return signature
