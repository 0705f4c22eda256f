"""Posting updates and mailing them, with a working unsubscribe link in every mail."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..audit.service import record
from ..campaigns.models import Campaign
from ..campaigns.service import render_markdown
from ..database import transaction
from ..extensions import db
from ..mail.service import queue_mail
from ..signatures.models import Signature, SignatureToken
from ..tokens import find_token, is_expired, issue_token
from ..urls import external_url
from .models import CampaignUpdate

BATCH = 500
TOKEN_PURPOSE = "updates"  # SignatureToken purpose of unsubscribe links, not a password.  # nosec B105


class UnsubscribeError(Exception):
    pass


def updates_for(campaign: Campaign, limit: int = 20) -> list[CampaignUpdate]:
    return list(db.session.scalars(
        sa.select(CampaignUpdate).where(CampaignUpdate.campaign_id == campaign.id)
        .order_by(CampaignUpdate.created_at.desc(), CampaignUpdate.id.desc()).limit(limit)))


def published_updates(campaign: Campaign) -> list[tuple[CampaignUpdate, str]]:
    """Updates for the public campaign page, newest first, with their sanitised HTML."""
    return [(update, render_markdown(update.body)) for update in updates_for(campaign)]


def _unsubscribe_link(signature: Signature) -> str:
    raw = issue_token(SignatureToken, TOKEN_PURPOSE,
                      timedelta(days=current_app.config["UPDATE_UNSUBSCRIBE_TOKEN_DAYS"]),
                      signature_id=signature.id)
    return external_url("updates_public.unsubscribe", token=raw)


def post_update(campaign: Campaign, title: str, body: str, user) -> CampaignUpdate:
    """Publish the update and queue one mail per confirmed signer who asked for updates,
    all in one transaction (the outbox sends them), walking the signers in id-ordered batches."""
    body_html = render_markdown(body)
    campaign_url = external_url("public.show", slug=campaign.slug)
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
    token = find_token(SignatureToken, raw, TOKEN_PURPOSE)
    if token is None or is_expired(token):
        raise UnsubscribeError
    return token.signature


def unsubscribe(raw: str) -> Signature:
    """Stop update mails for this signature (asking twice is harmless)."""
    with transaction():
        signature = signature_for_unsubscribe(raw)
        signature.keep_updated = False
    return signature
