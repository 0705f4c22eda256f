"""Signing, confirming and removing signatures. Each public function owns its transaction."""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.service import record
from ..bots.service import BOT_TRAPS, disposable_clause
from ..campaigns.models import Campaign
from ..campaigns.service import campaign_text
from ..database import dialect_insert, transaction, utcnow
from ..extensions import db
from ..geography import service as geography
from ..mail.service import queue_mail, queue_mail_unrendered
from ..tokens import find_token, is_expired, issue_token
from ..urls import external_url
from . import counting
from .identity import canonical_email, hash_ip
from .models import Signature, SignatureToken

# A second mail about the same signature within this window is not sent (anti mail-bombing).
RESEND_INTERVAL = timedelta(minutes=1)


class SignatureError(Exception):
    """A request that cannot be honoured; `reason` picks the page the visitor sees."""

    def __init__(self, reason: str, campaign: Campaign | None = None):
        super().__init__(reason)
        self.reason = reason
        self.campaign = campaign


@dataclass(frozen=True)
class SignerDetails:
    full_name: str
    email: str
    postal_code: str
    comment: str | None = None
    show_name: bool = False
    keep_updated: bool = False
    share_email: bool = False
    locale: str = "en"
    ip: str | None = None
    bot_trap: str | None = None  # advocacy.bots.BOT_TRAPS: the form says a script filled it in
    source: str | None = None  # a validated ?source= code (forms.clean_source)


def _fields(details: SignerDetails) -> dict:
    comment = (details.comment or "").strip() or None
    return {
        "full_name": details.full_name.strip(),
        "email": details.email.strip(),
        "postal_code": details.postal_code.strip(),
        "comment": comment,
        "comment_status": "pending" if comment else "none",
        "show_name": details.show_name,
        "keep_updated": details.keep_updated,
        "share_email": details.share_email,
        "locale": details.locale,
        "ip_hash": hash_ip(details.ip, current_app.config["SECRET_KEY"]),
        "source": details.source,
    }


def _issue_token(signature: Signature, purpose: str) -> str:
    days = current_app.config["CONFIRM_TOKEN_DAYS" if purpose == "confirm" else "REMOVE_TOKEN_DAYS"]
    return issue_token(SignatureToken, purpose, timedelta(days=days), signature_id=signature.id)


def _mail_confirmation(signature_id: int, email: str, full_name: str, locale: str, campaign: Campaign) -> None:
    """Confirm and remove links, and the mail carrying them (rendered later by the worker)."""
    confirm = issue_token(SignatureToken, "confirm", timedelta(days=current_app.config["CONFIRM_TOKEN_DAYS"]),
                          signature_id=signature_id)
    remove = issue_token(SignatureToken, "remove", timedelta(days=current_app.config["REMOVE_TOKEN_DAYS"]),
                         signature_id=signature_id)
    # Links carry the signer's language (?lang=), so they open in it on any device.
    queue_mail_unrendered(email, "confirm_signature", _l("Please confirm your signature"), locale, {
        "signature": {"full_name": full_name, "locale": locale},
        "campaign": {"title": campaign_text(campaign, locale).title, "slug": campaign.slug},
        "confirm_url": external_url("public.confirm", token=confirm, lang=locale),
        "remove_url": external_url("public.remove", token=remove, lang=locale),
        "days": current_app.config["CONFIRM_TOKEN_DAYS"],
    }, campaign_id=campaign.id, signature_id=signature_id)


def _mail_already_signed(signature: Signature, campaign: Campaign) -> None:
    remove = _issue_token(signature, "remove")
    queue_mail(
        signature.email, "already_signed", _l("You have already signed"), signature.locale,
        campaign_id=campaign.id, signature_id=signature.id, signature=signature, campaign=campaign,
        campaign_url=external_url("public.show", slug=campaign.slug, lang=signature.locale),
        remove_url=external_url("public.remove", token=remove, lang=signature.locale),
    )
    signature.last_mailed_at = utcnow()


def _recently_mailed(signature: Signature) -> bool:
    return bool(signature.last_mailed_at and utcnow() - signature.last_mailed_at < RESEND_INTERVAL)


def _hold_reason(ip_hash: str | None, email: str, bot_trap: str | None = None):
    """SQL for the new row's hold reason: the bot trap the form sprang; else "ip_rate" when this
    network has signed more than SIGN_SOFT_LIMIT_PER_IP allows (any campaign); else "disposable"
    for a disposable-mail domain (advocacy.bots); else NULL.

    A café or workplace shares one address, so going over the limit holds the signature for an
    organiser to release instead of refusing it: nothing a person typed is lost. Computed inside
    the INSERT, so it costs no round trip of its own."""
    if bot_trap:
        return bot_trap
    now = utcnow()
    over = []
    for limit in parse_many(current_app.config["SIGN_SOFT_LIMIT_PER_IP"]) if ip_hash else ():
        recent = (sa.select(sa.func.count()).select_from(Signature)
                  .where(Signature.ip_hash == ip_hash,
                         Signature.created_at > now - timedelta(seconds=limit.get_expiry())))
        over.append(recent.scalar_subquery() >= limit.amount)
    whens = [(sa.or_(*over), "ip_rate")] if over else []
    return sa.case(*whens, (disposable_clause(email), "disposable"), else_=sa.null())


def sign(campaign: Campaign, details: SignerDetails) -> None:
    """Record a pending signature and queue its confirmation mail.

    The response to the visitor is the same whatever the outcome, so the page never reveals
    whether an address had signed; only a mail to that address says so.
    """
    if not campaign.accepts_signatures():
        raise SignatureError("closed", campaign)
    canonical = canonical_email(details.email)
    fields = _fields(details)
    place = geography.resolve(fields["postal_code"])  # held in memory per process
    with transaction():
        now = utcnow()
        # The common case in few round trips: insert (with its place), its districts, two tokens and
        # the unrendered mail; no ORM object is loaded.
        inserted = db.session.execute(
            dialect_insert(Signature.__table__)
            .values(campaign_id=campaign.id, email_canonical=canonical, status="pending", created_at=now,
                    hold_reason=_hold_reason(fields["ip_hash"], canonical, details.bot_trap),
                    state=place.state, town=place.town[:60],
                    last_mailed_at=None if details.bot_trap else now, **fields)
            .on_conflict_do_nothing(index_elements=["campaign_id", "email_canonical"])
            .returning(Signature.__table__.c.id)
        ).scalar()
        if inserted is not None:
            geography.store_districts(inserted, place)
            if details.bot_trap:  # stored for review, but no mail to an address a script typed
                return
            _mail_confirmation(inserted, fields["email"], fields["full_name"], fields["locale"], campaign)
            return

        if details.bot_trap:  # a script must not change or re-mail someone's signature
            return
        # Lock the existing row so concurrent duplicates take turns.
        signature = db.session.scalars(
            sa.select(Signature)
            .where(Signature.campaign_id == campaign.id, Signature.email_canonical == canonical)
            .with_for_update(of=Signature)
        ).one()
        if signature.status in ("confirmed", "held", "invalidated"):
            if signature.status in ("confirmed", "held") and not _recently_mailed(signature):
                _mail_already_signed(signature, campaign)
            return
        if signature.status == "pending" and _recently_mailed(signature):
            return
        # Pending (maybe with a typo the signer now corrected) or removed earlier: start over.
        for name, value in fields.items():
            setattr(signature, name, value)
        if signature.hold_reason in BOT_TRAPS:  # this time the form was filled in like a person's
            signature.hold_reason = None
        if signature.hold_reason is None:
            signature.hold_reason = db.session.scalar(sa.select(_hold_reason(fields["ip_hash"], canonical)))
        signature.status = "pending"
        signature.removed_at = None
        geography.assign(signature)
        _mail_confirmation(signature.id, signature.email, signature.full_name, signature.locale, campaign)
        signature.last_mailed_at = utcnow()
        return


def mail_confirmations(signature_ids: list[int]) -> None:
    """Queue the confirmation mail of pending signatures that were never mailed (stopped by a bot
    trap, then released by an organiser), in the caller's transaction."""
    for signature in db.session.scalars(sa.select(Signature).where(Signature.id.in_(signature_ids),
                                                                    Signature.status == "pending")):
        _mail_confirmation(signature.id, signature.email, signature.full_name, signature.locale,
                           signature.campaign)
        signature.last_mailed_at = utcnow()


def _live_token(raw: str, purpose: str) -> SignatureToken:
    # The signature (and its campaign, joined by the model) in the same query.
    token = find_token(SignatureToken, raw, purpose, joinedload(SignatureToken.signature))
    if token is None:
        raise SignatureError("invalid_link")
    if is_expired(token):
        raise SignatureError("expired_link", token.signature.campaign)
    return token


def signature_for_token(raw: str, purpose: str) -> Signature:
    """The signature a link is for (GET pages show it before the visitor presses the button)."""
    return _live_token(raw, purpose).signature


def _grace() -> timedelta:
    return timedelta(hours=current_app.config["CLOSED_CONFIRM_GRACE_HOURS"])


@dataclass(frozen=True)
class Confirmation:
    signature: Signature
    newly_confirmed: bool
    remove_url: str  # a fresh removal link for the page
    districts: list[str]  # the signature's district labels


def confirm(raw: str) -> Confirmation:
    """Confirm the signature. Confirming twice counts once. A signature with a hold reason becomes
    `held` (not counted) until an organiser releases it; the signer sees the same page either way.
    The objects stay loaded after the commit, for the page that follows."""
    with transaction(keep_loaded=True):
        token = _live_token(raw, "confirm")
        signature = token.signature
        districts = geography.districts_of(signature.id)
        if signature.status in ("confirmed", "held"):
            return Confirmation(signature, False, _removal_link(signature), [d.district for d in districts])
        if signature.status != "pending":
            raise SignatureError("invalid_link", signature.campaign)
        if not signature.campaign.accepts_confirmations(_grace()):
            raise SignatureError("closed", signature.campaign)
        now = utcnow()
        status = "held" if signature.hold_reason else "confirmed"
        # The conditional UPDATE is the guard: of two concurrent confirmations only one matches.
        changed = db.session.execute(
            sa.update(Signature)
            .where(Signature.id == signature.id, Signature.status == "pending")
            .values(status=status, confirmed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            set_committed_value(signature, "status", status)
            set_committed_value(signature, "confirmed_at", now)
            token.used_at = now
            if signature.state is None:  # signed before geography existed
                geography.assign(signature)
                districts = geography.districts_of(signature.id)
            if not signature.hold_reason:
                counting.record_change(signature, +1, districts)
        else:  # a concurrent confirmation won: read what it wrote
            db.session.refresh(signature)
        return Confirmation(signature, bool(changed), _removal_link(signature), [d.district for d in districts])


def _removal_link(signature: Signature) -> str:
    """A fresh removal link for the confirmed page (only hashes are stored, so issue a new one)."""
    return external_url("public.remove", token=_issue_token(signature, "remove"), lang=signature.locale)


def remove(raw: str) -> Signature:
    """Withdraw a signature; a confirmed one stops counting at once. An invalidated one stays
    invalidated (signing again must not undo an organiser's invalidation); its removal is recorded
    so that undoing the invalidation leaves it removed."""
    with transaction():
        token = _live_token(raw, "remove")
        signature = token.signature
        if signature.status == "removed":
            return signature
        now = utcnow()
        was_confirmed = db.session.execute(
            sa.update(Signature)
            .where(Signature.id == signature.id, Signature.status == "confirmed")
            .values(status="removed", removed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if was_confirmed:
            counting.record_change(signature, -1)
        else:
            db.session.execute(
                sa.update(Signature)
                .where(Signature.id == signature.id, Signature.status.in_(("pending", "held")))
                .values(status="removed", removed_at=now)
                .execution_options(synchronize_session=False)
            )
            db.session.execute(
                sa.update(Signature)
                .where(Signature.id == signature.id, Signature.status == "invalidated")
                .values(removed_at=now)
                .execution_options(synchronize_session=False)
            )
        token.used_at = now
        db.session.refresh(signature)
        return signature


def recent_public_comments(campaign: Campaign, limit: int = 10) -> list[Signature]:
    return list(db.session.scalars(
        sa.select(Signature)
        .where(Signature.campaign_id == campaign.id, Signature.status == "confirmed",
               Signature.comment_status == "approved")
        .order_by(Signature.confirmed_at.desc())
        .limit(limit)
    ))


@dataclass(frozen=True)
class Recanonicalised:
    updated: int  # rows whose canonical email changed
    folded: int  # later duplicates that stopped counting


FOLDED_MARK = "#folded-"  # appended to a folded duplicate's canonical email: unique, never a real address


def recanonicalise_emails() -> Recanonicalised:
    """After `canonical_email` learns a new rule (e.g. Outlook +tags), bring stored rows in line.

    Rows of one campaign that now share a canonical email are one person: the earliest confirmed
    one (else the earliest) keeps the address and counts; each later one is marked removed (it
    stops counting, through the tally deltas) and keeps a canonical email of its own
    (`<old>#folded-<id>`), so the unique index on (campaign, canonical email) holds at every step.
    Idempotent; one transaction; audited per campaign."""
    updated = folded = 0
    with transaction():
        rows = db.session.execute(
            sa.select(Signature.id, Signature.campaign_id, Signature.email, Signature.email_canonical,
                      Signature.status)
            .where(Signature.anonymised_at.is_(None), ~Signature.email_canonical.contains(FOLDED_MARK),
                   Signature.email != "")  # paper signatures without an email: nothing to fold
            .order_by(Signature.campaign_id, Signature.id)).all()
        groups: dict[tuple[int, str], list] = {}
        for row in rows:
            groups.setdefault((row.campaign_id, canonical_email(row.email)), []).append(row)
        now = utcnow()
        keepers = []
        for (campaign_id, canonical), group in groups.items():
            if len(group) == 1 and group[0].email_canonical == canonical:
                continue
            keeper = next((r for r in group if r.status == "confirmed"), group[0])
            losers = [r for r in group if r is not keeper]
            for row in losers:
                db.session.execute(sa.update(Signature).where(Signature.id == row.id).values(
                    email_canonical=f"{row.email_canonical}{FOLDED_MARK}{row.id}"[:254],
                    **({"status": "removed", "removed_at": now} if row.status in ("pending", "confirmed", "held")
                       else {})).execution_options(synchronize_session=False))
            counted = [r.id for r in losers if r.status == "confirmed"]
            if counted:
                counting.record_changes(list(db.session.scalars(sa.select(Signature).where(
                    Signature.id.in_(counted)))), -1)
            folded += len(losers)
            if losers:
                record("signatures_folded", None, db.session.get(Campaign, campaign_id),
                       kept=keeper.id, folded=[r.id for r in losers])
            if keeper.email_canonical != canonical:
                keepers.append((keeper.id, canonical))
        db.session.flush()
        for signature_id, canonical in keepers:  # after every loser moved off its address
            db.session.execute(sa.update(Signature).where(Signature.id == signature_id)
                               .values(email_canonical=canonical).execution_options(synchronize_session=False))
            updated += 1
    return Recanonicalised(updated, folded)
