"""Personal data: anonymised a set time after a campaign ends, and shown to / erased for its owner.

Anonymising a signature keeps everything a count needs (campaign, status, state, the districts in
signature_districts, dates) and drops everything that identifies a person:

- full_name and given_name -> "", family_name -> NULL, and show_name/share_email/keep_updated -> off
- email and email_canonical -> "anonymised-<id>@invalid" (unique, so the per-campaign unique
  constraint holds, and undeliverable: .invalid is reserved, RFC 2606)
- comment -> NULL (comment_status "none"), town -> NULL, ip_hash -> NULL, last_mailed_at -> NULL
- postal_code -> its first three digits (the ZIP3 area: too coarse to locate a person; kept so
  fraud review and exports still see the area; state and districts are stored separately)
- its link tokens (confirm, remove, updates) are deleted, and its letter to members (body, address)
- donor_email on its donations -> NULL (amounts and statuses stay: they are the campaign's accounts)
- anonymised_at -> now

Frozen deliveries of those campaigns lose their stored signature list and PDF (purged_at set); their
fingerprint, count, recipient and date stay, so /verify still says what a fingerprint covered.

Tallies and tally deltas are never touched, so every count stays exactly as it was.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import lazyload

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import is_postgres, transaction, utcnow
from ..delivery.packets import purge_lists
from ..donations.models import Donation
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.service import queue_mail
from ..signatures.counting import record_changes
from ..signatures.identity import canonical_email
from ..signatures.letters import Letter
from ..signatures.models import Signature, SignatureToken
from ..tokens import find_token, is_expired, issue_token
from ..urls import external_url
from .models import PrivacyToken

# A campaign's personal data starts its retention clock when it stops being live.
ENDED_STATES = ("closed", "delivered", "archived")


def anonymised_email(signature_id: int) -> str:
    return f"anonymised-{signature_id}@invalid"


def _anonymise(signatures: list[Signature], now: datetime) -> int:
    """Erase the personal fields of these signatures and their donations' donor email (in the
    caller's transaction). Returns how many donations lost their donor email."""
    if not signatures:
        return 0
    ids = [s.id for s in signatures]
    for s in signatures:
        s.full_name = s.given_name = ""
        s.family_name = None
        s.email = s.email_canonical = anonymised_email(s.id)
        s.postal_code = "".join(ch for ch in s.postal_code or "" if ch.isdigit())[:3]
        s.town = None
        s.comment = None
        s.comment_status = "none"
        s.ip_hash = None
        s.show_name = s.share_email = s.keep_updated = False
        s.last_mailed_at = None
        s.anonymised_at = now
    db.session.execute(sa.delete(SignatureToken).where(SignatureToken.signature_id.in_(ids)))
    db.session.execute(sa.delete(Letter).where(Letter.signature_id.in_(ids)))
    result = db.session.execute(
        sa.update(Donation).where(Donation.signature_id.in_(ids), Donation.donor_email.is_not(None))
        .values(donor_email=None)
    )
    return result.rowcount or 0


# -- The lifetime: anonymise the signatures of campaigns that ended long enough ago ----------------

def _ended_at():
    return sa.func.coalesce(Campaign.delivered_at, Campaign.closed_at, Campaign.closes_at, Campaign.updated_at)


def due_campaign_ids(now: datetime):
    cutoff = now - timedelta(days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    return sa.select(Campaign.id).where(Campaign.state.in_(ENDED_STATES), _ended_at() <= cutoff)


@dataclass
class AnonymiseReport:
    signatures: int = 0
    donations: int = 0
    mails: int = 0
    batches: int = 0
    deliveries: int = 0


def anonymise_due(now: datetime | None = None, batch_size: int | None = None) -> AnonymiseReport:
    """Anonymise every signature (any status) of campaigns that ended more than
    PERSONAL_DATA_RETENTION_DAYS ago, and their donors' emails; delete sent mail older than that.

    Each batch is its own transaction with its own audit entries, so an interrupted run keeps what
    it did and the next run continues; a run with nothing due changes nothing (idempotent).
    """
    now = now or utcnow()
    batch_size = batch_size or current_app.config["ANONYMISE_BATCH_SIZE"]
    report = AnonymiseReport()
    while True:
        with transaction():
            query = (
                sa.select(Signature).options(lazyload(Signature.campaign))
                .where(Signature.campaign_id.in_(due_campaign_ids(now)), Signature.anonymised_at.is_(None))
                .order_by(Signature.id).limit(batch_size)
            )
            if is_postgres():  # two workers never take the same rows; a signer's erasure waits
                query = query.with_for_update(skip_locked=True, of=Signature)
            batch = list(db.session.scalars(query))
            if batch:
                report.donations += _anonymise(batch, now)
                by_campaign: dict[int, int] = {}
                for s in batch:
                    by_campaign[s.campaign_id] = by_campaign.get(s.campaign_id, 0) + 1
                for campaign_id, n in sorted(by_campaign.items()):
                    record("personal_data_anonymised", None, db.session.get(Campaign, campaign_id),
                           reason="retention", signatures=n,
                           retention_days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
        if not batch:
            break
        report.signatures += len(batch)
        report.batches += 1
    with transaction():
        # Donations without a signature (or made after it was anonymised) of ended campaigns.
        leftover = db.session.execute(
            sa.update(Donation).where(Donation.campaign_id.in_(due_campaign_ids(now)),
                                      Donation.donor_email.is_not(None)).values(donor_email=None)
        ).rowcount or 0
        # Mail already sent (or given up on) holds names and addresses too; it has no use this late.
        cutoff = now - timedelta(days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
        report.mails = db.session.execute(
            sa.delete(OutboxMessage).where(OutboxMessage.status != "queued", OutboxMessage.created_at <= cutoff)
        ).rowcount or 0
        report.donations += leftover
        # Frozen deliveries hold names, towns, comments and emails too: their stored lists go, their
        # fingerprints and counts stay (advocacy.delivery.packets.purge_lists).
        for campaign_id, n in sorted(purge_lists(due_campaign_ids(now), now).items()):
            report.deliveries += n
            record("delivery_lists_purged", None, db.session.get(Campaign, campaign_id), reason="retention",
                   deliveries=n)
        if leftover or report.mails:
            record("personal_data_anonymised", None, None, reason="retention", donations=leftover,
                   mails_deleted=report.mails)
    return report


# -- A signer's own data: mailed link, view, download, erase -------------------------------------

def request_access(email: str) -> bool:
    """Mail a link to see and erase everything stored under this address, if anything is.

    Returns whether a mail was queued; the page must not show it (no enumeration).
    """
    canonical = canonical_email(email)
    with transaction():
        signatures = _signatures_for(canonical)
        donations = _donations_for(canonical, signatures)
        if not signatures and not donations:
            return False
        # Mail the address we stored (the one that received the confirmation mail), in its language.
        latest = max(signatures, key=lambda s: s.created_at) if signatures else None
        to = latest.email if latest else donations[-1].donor_email
        locale = latest.locale if latest else (donations[-1].locale or str(get_locale()))
        hours = current_app.config["PRIVACY_TOKEN_HOURS"]
        raw = issue_token(PrivacyToken, "access", timedelta(hours=hours), email_canonical=canonical)
        queue_mail(to, "privacy_access", _l("Your data: see it or delete it"), locale=locale,
                   access_url=external_url("privacy.data_page", token=raw, lang=locale), hours=hours)
        record("personal_data_requested", None, None, signatures=len(signatures), donations=len(donations))
    return True


def live_token(raw: str) -> PrivacyToken | None:
    token = find_token(PrivacyToken, raw, "access")
    if token is None or token.used_at is not None or is_expired(token):
        return None
    return token


def _signatures_for(canonical: str, lock: bool = False) -> list[Signature]:
    query = (sa.select(Signature).where(Signature.email_canonical == canonical, Signature.anonymised_at.is_(None))
             .order_by(Signature.created_at, Signature.id))
    if lock and is_postgres():
        query = query.options(lazyload(Signature.campaign)).with_for_update(of=Signature)
    return list(db.session.scalars(query))


def _donations_for(canonical: str, signatures: list[Signature]) -> list[Donation]:
    addresses = {canonical} | {s.email.lower() for s in signatures}
    clauses = [sa.func.lower(Donation.donor_email).in_(addresses)]
    if signatures:
        clauses.append(Donation.signature_id.in_([s.id for s in signatures]))
    return list(db.session.scalars(sa.select(Donation).where(sa.or_(*clauses)).order_by(Donation.created_at,
                                                                                          Donation.id)))


def _iso(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


def stored_data(token: PrivacyToken) -> dict:
    """Everything stored under the token's address, as plain data (the page and the JSON download)."""
    signatures = _signatures_for(token.email_canonical)
    donations = _donations_for(token.email_canonical, signatures)
    letters = {letter.signature_id: letter for letter in db.session.scalars(
        sa.select(Letter).where(Letter.signature_id.in_([s.id for s in signatures])))} if signatures else {}
    return {
        "signatures": [{
            "id": s.id, "campaign": s.campaign.title, "campaign_slug": s.campaign.slug,
            "full_name": s.full_name, "given_name": s.given_name, "family_name": s.family_name, "email": s.email, "postal_code": s.postal_code, "state": s.state,
            "town": s.town, "comment": s.comment, "comment_status": s.comment_status, "status": s.status,
            "show_name": s.show_name, "keep_updated": s.keep_updated, "share_email": s.share_email,
            "language": s.locale, "signed_at": _iso(s.created_at), "confirmed_at": _iso(s.confirmed_at),
            "removed_at": _iso(s.removed_at), "ip_address_hash": s.ip_hash,
            "letter": _letter_data(letters.get(s.id)),
        } for s in signatures],
        "donations": [{
            "id": d.id, "campaign": d.campaign.title, "campaign_slug": d.campaign.slug,
            "amount_cents": d.amount_cents, "currency": d.currency, "status": d.status,
            "donor_email": d.donor_email, "created_at": _iso(d.created_at), "paid_at": _iso(d.paid_at),
            "refunded_at": _iso(d.refunded_at), "refunded_amount_cents": d.refunded_amount_cents,
        } for d in donations],
    }


def _letter_data(letter: Letter | None) -> dict | None:
    if letter is None:
        return None
    return {"body": letter.body, "deliver": letter.deliver, "show_publicly": letter.show_publicly,
            "show_name": letter.show_name, "street_address": letter.street_address, "city": letter.city,
            "salutation": letter.prefix,
            "status": letter.status, "written_at": _iso(letter.updated_at)}


@dataclass
class Erasure:
    signatures: int
    uncounted: int
    donations: int


def erase(raw: str) -> Erasure | None:
    """Delete everything stored under the link's address: confirmed signatures leave the counts
    first (in this transaction), then every signature and donation is anonymised. None when the
    link is no longer valid. The link is spent."""
    now = utcnow()
    with transaction():
        token = live_token(raw)
        if token is None:
            return None
        signatures = _signatures_for(token.email_canonical, lock=True)
        donations = _donations_for(token.email_canonical, signatures)
        counted = [s for s in signatures if s.status == "confirmed"]
        record_changes(counted, -1)
        for s in signatures:
            if s.status in ("confirmed", "held", "pending"):
                s.status = "removed"
            # An invalidated one stays invalidated; its removal date makes an undo leave it removed.
            s.removed_at = s.removed_at or now
        _anonymise(signatures, now)
        for d in donations:
            d.donor_email = None
        db.session.execute(sa.update(PrivacyToken).where(PrivacyToken.email_canonical == token.email_canonical,
                                                          PrivacyToken.used_at.is_(None)).values(used_at=now))
        by_campaign: dict[int, list[Signature]] = {}
        for s in signatures:
            by_campaign.setdefault(s.campaign_id, []).append(s)
        for campaign_id, rows in sorted(by_campaign.items()):
            record("personal_data_erased", None, db.session.get(Campaign, campaign_id), reason="signer_request",
                   signatures=len(rows), uncounted=sum(1 for s in rows if s in counted))
        if not signatures:
            record("personal_data_erased", None, None, reason="signer_request", signatures=0,
                   donations=len(donations))
        return Erasure(signatures=len(signatures), uncounted=len(counted), donations=len(donations))
