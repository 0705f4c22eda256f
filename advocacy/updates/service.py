"""Posting updates, and mailing them from the worker in batches, with a working unsubscribe link in
every mail."""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..audit.service import record
from ..campaigns.models import TRANSLATION_LOCALES, Campaign
from ..campaigns.service import LocalisedText, campaign_text, localised, render_markdown
from ..database import is_postgres, transaction, utcnow
from ..extensions import db
from ..mail.service import one_click_headers, queue_mail
from ..signatures.models import Signature, SignatureToken
from ..tokens import find_token, is_expired, issue_token
from ..urls import external_url
from .models import CampaignUpdate, CampaignUpdateTranslation

log = logging.getLogger(__name__)

BATCH = 500  # signers mailed per transaction by fan_out_due
TOKEN_PURPOSE = "updates"  # SignatureToken purpose of unsubscribe links, not a password.  # nosec B105


class UnsubscribeError(Exception):
    pass


def updates_for(campaign: Campaign, limit: int = 20) -> list[CampaignUpdate]:
    return list(db.session.scalars(
        sa.select(CampaignUpdate).where(CampaignUpdate.campaign_id == campaign.id)
        .order_by(CampaignUpdate.created_at.desc(), CampaignUpdate.id.desc()).limit(limit)))


def update_text(update: CampaignUpdate, locale: str) -> LocalisedText:
    """The update's title and body in `locale` where written, else English."""
    translation = update.translations.get(locale)
    return localised({"title": update.title, "body": update.body},
                     {"title": translation.title, "body": translation.body} if translation else None, locale)


@dataclass(frozen=True)
class PublishedUpdate:
    text: LocalisedText
    body_html: str
    created_at: datetime


def published_updates(campaign: Campaign, locale: str = "en") -> list[PublishedUpdate]:
    """Updates for the public campaign page, newest first, in the visitor's language where written."""
    published = []
    for update in updates_for(campaign):
        text = update_text(update, locale)
        published.append(PublishedUpdate(text, render_markdown(text.body), update.created_at))
    return published


def _unsubscribe_link(signature: Signature) -> str:
    raw = issue_token(SignatureToken, TOKEN_PURPOSE,
                      timedelta(days=current_app.config["UPDATE_UNSUBSCRIBE_TOKEN_DAYS"]),
                      signature_id=signature.id)
    return external_url("updates_public.unsubscribe", token=raw, lang=signature.locale)


def _mailed(campaign_id: int):
    """Signers an update is mailed to: confirmed, and asked to be kept updated."""
    return (Signature.campaign_id == campaign_id, Signature.status == "confirmed",
            Signature.keep_updated.is_(True))


def post_update(campaign: Campaign, title: str, body: str, user,
                translations: dict[str, dict[str, str]] | None = None) -> CampaignUpdate:
    """Publish the update (with its versions in other languages, {"es": {"title", "body"}}) and leave
    its mailing to the worker (`fan_out_due`). Counts, in one query, the signers it is for, so the
    organiser sees how many it will reach."""
    with transaction():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Signature).where(*_mailed(campaign.id)))
        update = CampaignUpdate(campaign_id=campaign.id, user_id=user.id, title=title.strip(), body=body,
                                recipients=0, fanout_total=total, fanout_last_signature_id=0)
        for locale, text in (translations or {}).items():
            if locale in TRANSLATION_LOCALES and (text.get("title") or "").strip():
                update.translations[locale] = CampaignUpdateTranslation(
                    locale=locale, title=text["title"].strip(), body=text.get("body") or "")
        db.session.add(update)
        record("update_post", user, campaign, title=update.title, recipients=total)
    return update


def fan_out_due(batch_size: int = BATCH) -> bool:
    """Queue the mails of the next batch of signers of one update still being mailed; returns
    False when no update is waiting (True: call again).

    One transaction per batch: the batch's mails, its unsubscribe tokens, the advanced cursor and
    `recipients` commit together, so a crash sends nobody twice and skips nobody. Signers are taken
    in id order after the cursor, opted in and confirmed as they are now. On PostgreSQL the update
    is locked FOR UPDATE SKIP LOCKED, so two workers never take the same batch; elsewhere the
    cursor only moves from the value this batch read (a worker that lost the race rolls back).
    """
    with transaction():
        query = (sa.select(CampaignUpdate).where(CampaignUpdate.fanout_done_at.is_(None))
                 .order_by(CampaignUpdate.id).limit(1))
        if is_postgres():
            query = query.with_for_update(skip_locked=True)
        update = db.session.scalars(query).first()
        if update is None:
            return False
        cursor = update.fanout_last_signature_id
        batch = list(db.session.scalars(
            sa.select(Signature)
            .where(*_mailed(update.campaign_id), Signature.id > cursor,
                   Signature.created_at <= update.created_at)  # signed before the update was posted
            .order_by(Signature.id).limit(batch_size)))
        moved = db.session.execute(
            sa.update(CampaignUpdate)
            .where(CampaignUpdate.id == update.id, CampaignUpdate.fanout_last_signature_id == cursor,
                   CampaignUpdate.fanout_done_at.is_(None))
            .values(fanout_last_signature_id=batch[-1].id if batch else cursor,
                    recipients=CampaignUpdate.recipients + len(batch),
                    fanout_done_at=None if batch else utcnow())
            .execution_options(synchronize_session=False))
        if moved.rowcount != 1:  # another worker mailed this batch first
            db.session.rollback()
            return True
        if batch:
            campaign = update.campaign
            by_locale = {}  # each signer gets the update in their language where written, else English
            for signature in batch:
                locale = signature.locale or "en"
                if locale not in by_locale:
                    text = update_text(update, locale)
                    by_locale[locale] = (text, render_markdown(text.body), campaign_text(campaign, locale).title,
                                         external_url("public.show", slug=campaign.slug, lang=locale))
                text, body_html, campaign_title, campaign_url = by_locale[locale]
                unsubscribe_url = _unsubscribe_link(signature)
                queue_mail(signature.email, "campaign_update", text.title, locale,
                           headers=one_click_headers(unsubscribe_url), campaign_id=campaign.id,
                           signature_id=signature.id, signature=signature, campaign=campaign,
                           campaign_title=campaign_title, update=text, body_html=body_html,
                           campaign_url=campaign_url, unsubscribe_url=unsubscribe_url)
        else:
            log.info("update %s mailed to %d signer(s)", update.id, update.recipients)
    return True


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


def unsubscribe_signature(signature_id: int) -> None:
    """Stop update mails for a signature whose update mail was answered at its List-Unsubscribe
    mailto: address (the bounce server calls this)."""
    with transaction():
        signature = db.session.get(Signature, signature_id)
        if signature is not None and signature.keep_updated:
            signature.keep_updated = False
            log.info("signature %s unsubscribed from updates by mail", signature_id)
