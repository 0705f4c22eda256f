"""Posting updates, and mailing them from the worker in batches, with a working unsubscribe link in
every mail."""
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.service import record
from ..campaigns.models import TRANSLATION_LOCALES, Campaign
from ..campaigns.service import LocalisedText, campaign_text, localised, render_markdown
from ..database import is_postgres, transaction, utcnow
from ..extensions import db
from ..geography.models import Legislator, SignatureDistrict
from ..geography.service import parse_label
from ..mail.service import one_click_headers, queue_mail
from ..signatures.counting import DISTRICT, STATE, tallies_for
from ..signatures.models import Signature, SignatureToken
from ..tokens import find_token, is_expired, issue_token
from ..urls import external_url
from .models import STANCES, CampaignUpdate, CampaignUpdateTranslation, MemberResponse

log = logging.getLogger(__name__)

BATCH = 500  # signers mailed per transaction by fan_out_due
TOKEN_PURPOSE = "updates"  # SignatureToken purpose of unsubscribe links, not a password.  # nosec B105


class UnsubscribeError(Exception):
    pass


STANCE_LABELS = {"supports": _l("Supports"), "opposes": _l("Opposes"), "undecided": _l("Undecided"),
                 "no_reply": _l("No reply yet")}


def updates_for(campaign: Campaign, limit: int = 20, responses: bool = True) -> list[CampaignUpdate]:
    query = sa.select(CampaignUpdate).where(CampaignUpdate.campaign_id == campaign.id)
    if not responses:
        query = query.where(CampaignUpdate.response_id.is_(None))
    return list(db.session.scalars(
        query.order_by(CampaignUpdate.created_at.desc(), CampaignUpdate.id.desc()).limit(limit)))


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
    """Updates for the public campaign page, newest first, in the visitor's language where written.
    Members' responses are shown in the accountability table and the timeline instead."""
    published = []
    for update in updates_for(campaign, responses=False):
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


def _in_audience(state: str | None = None, district: str | None = None):
    """Signers of one state, or of one district (whose ZIP lies wholly in it: a ZIP shared with
    other districts does not say the signer lives in this one); no condition for everyone."""
    conditions = []
    if state:
        conditions.append(Signature.state == state)
    if district:
        conditions.append(Signature.id.in_(sa.select(SignatureDistrict.signature_id).where(
            SignatureDistrict.district == district, SignatureDistrict.shared.is_(False))))
    return tuple(conditions)


def audience_choices(campaign: Campaign) -> list[tuple[str, str]]:
    """("state:CA", "CA") and ("district:CA-11", "CA-11") for every state and district with signers."""
    states = sorted(tallies_for(campaign.id, STATE))
    districts = sorted((label for label in tallies_for(campaign.id, DISTRICT) if parse_label(label)[1] is not None),
                       key=lambda label: (parse_label(label)[0], parse_label(label)[1]))
    return ([(f"state:{code}", code) for code in states if len(code) == 2 and code.isalpha()]
            + [(f"district:{label}", label) for label in districts])


def parse_audience(value: str | None) -> tuple[str | None, str | None]:
    """"state:CA" -> ("CA", None); "district:CA-11" -> (None, "CA-11"); "" -> everyone."""
    kind, _sep, code = (value or "").partition(":")
    return (code, None) if kind == "state" else (None, code) if kind == "district" else (None, None)


def post_update(campaign: Campaign, title: str, body: str, user,
                translations: dict[str, dict[str, str]] | None = None, audience: str | None = None) -> CampaignUpdate:
    """Publish the update (with its versions in other languages, {"es": {"title", "body"}}) and leave
    its mailing to the worker (`fan_out_due`). Counts, in one query, the signers it is for, so the
    organiser sees how many it will reach. `audience`: every opted-in signer (None), "state:CA" or
    "district:CA-11"."""
    with transaction():
        update = _add_update(campaign, title, body, user, audience)
        for locale, text in (translations or {}).items():
            if locale in TRANSLATION_LOCALES and (text.get("title") or "").strip():
                update.translations[locale] = CampaignUpdateTranslation(
                    locale=locale, title=text["title"].strip(), body=text.get("body") or "")
        return update


def _add_update(campaign: Campaign, title: str, body: str, user, audience: str | None = None,
                response: MemberResponse | None = None) -> CampaignUpdate:
    state, district = parse_audience(audience)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Signature)
                              .where(*_mailed(campaign.id), *_in_audience(state, district)))
    update = CampaignUpdate(campaign_id=campaign.id, user_id=user.id, title=title.strip(), body=body,
                            recipients=0, fanout_total=total, fanout_last_signature_id=0,
                            audience_state=state, audience_district=district,
                            response_id=response.id if response else None)
    db.session.add(update)
    record("update_post", user, campaign, title=update.title, recipients=total, audience=audience or None)
    return update


class UnknownMember(LookupError):
    pass


def record_response(campaign: Campaign, bioguide_id: str, responded_on: date, stance: str, quote: str, link: str,
                    user) -> tuple[MemberResponse, CampaignUpdate]:
    """Record what a member answered and, in the same transaction, the update that mails it to the
    signers that member represents who asked for updates (a representative: the district's; a
    senator: the state's), each in their language."""
    member = db.session.get(Legislator, bioguide_id)
    if member is None or not campaign.targets_member(member) or stance not in STANCES:
        raise UnknownMember(bioguide_id)
    name = f"{member.title} {member.name}"
    audience = f"state:{member.state}" if member.chamber == "senate" else f"district:{member.district_label}"
    with transaction():
        response = MemberResponse(campaign_id=campaign.id, bioguide_id=bioguide_id, member_name=name,
                                  responded_on=responded_on, stance=stance, quote=(quote or "").strip(),
                                  link=(link or "").strip(), user_id=user.id)
        db.session.add(response)
        db.session.flush()
        update = _add_update(campaign, f"{name}: {STANCE_LABELS[stance]}", response.quote or "", user, audience,
                             response=response)
        record("member_response", user, campaign, bioguide_id=bioguide_id, stance=stance,
               responded_on=responded_on.isoformat())
    return response, update


def responses_for(campaign: Campaign) -> list[MemberResponse]:
    """Every recorded response, newest first."""
    return list(db.session.scalars(sa.select(MemberResponse).where(MemberResponse.campaign_id == campaign.id)
                                   .order_by(MemberResponse.responded_on.desc(), MemberResponse.id.desc())))


def latest_responses(campaign: Campaign) -> dict[str, MemberResponse]:
    """{bioguide id: the member's latest response}."""
    latest = {}
    for response in responses_for(campaign):
        latest.setdefault(response.bioguide_id, response)
    return latest


def responding_members(campaign: Campaign) -> list[Legislator]:
    """The members a response can be recorded for: those the campaign addresses who have signers."""
    states = tallies_for(campaign.id, STATE)
    districts = tallies_for(campaign.id, DISTRICT)
    members = db.session.scalars(sa.select(Legislator).order_by(Legislator.state, Legislator.chamber.desc(),
                                                                Legislator.district, Legislator.name))
    return [m for m in members if campaign.targets_member(m)
            and (districts.get(m.district_label) if m.chamber == "house" else states.get(m.state))]


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
            .where(*_mailed(update.campaign_id), *_in_audience(update.audience_state, update.audience_district),
                   Signature.id > cursor,
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
            response = update.response
            for signature in batch:
                locale = signature.locale or "en"
                if locale not in by_locale:
                    text = update_text(update, locale)
                    by_locale[locale] = (text, render_markdown(text.body), campaign_text(campaign, locale).title,
                                         external_url("public.show", slug=campaign.slug, lang=locale))
                text, body_html, campaign_title, campaign_url = by_locale[locale]
                unsubscribe_url = _unsubscribe_link(signature)
                mail_headers = {"headers": one_click_headers(unsubscribe_url), "campaign_id": campaign.id,
                                "signature_id": signature.id}
                if response is None:
                    queue_mail(signature.email, "campaign_update", text.title, locale, **mail_headers,
                               signature=signature, campaign=campaign, campaign_title=campaign_title, update=text,
                               body_html=body_html, campaign_url=campaign_url, unsubscribe_url=unsubscribe_url)
                    continue
                with force_locale(locale):
                    subject = _("%(member)s answered: %(stance)s", member=response.member_name,
                                stance=STANCE_LABELS[response.stance])
                queue_mail(signature.email, "member_response", subject, locale, **mail_headers,
                           signature=signature, campaign=campaign, response=response, stance_labels=STANCE_LABELS,
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
