"""Signing, confirming and removing signatures. Each public function owns its transaction."""
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..campaigns.models import Campaign
from ..database import core_connection, transaction, utcnow
from ..extensions import db
from ..geography import service as geography
from ..mail.service import queue_mail, queue_mail_unrendered
from ..tokens import find_token, is_expired, issue_token, issue_tokens
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
    }


def _issue_token(signature: Signature, purpose: str) -> str:
    days = current_app.config["CONFIRM_TOKEN_DAYS" if purpose == "confirm" else "REMOVE_TOKEN_DAYS"]
    return issue_token(SignatureToken, purpose, timedelta(days=days), signature_id=signature.id)


def _mail_confirmation(signature_id: int, email: str, full_name: str, locale: str, campaign: Campaign) -> None:
    """Confirm and remove links (one INSERT), and the mail carrying them (rendered later by the worker)."""
    config = current_app.config
    links = issue_tokens(SignatureToken, {"confirm": timedelta(days=config["CONFIRM_TOKEN_DAYS"]),
                                          "remove": timedelta(days=config["REMOVE_TOKEN_DAYS"])},
                         signature_id=signature_id)
    queue_mail_unrendered(email, "confirm_signature", _l("Please confirm your signature"), locale, {
        "signature": {"full_name": full_name}, "campaign": {"title": campaign.title, "slug": campaign.slug},
        "confirm_url": external_url("public.confirm", token=links["confirm"]),
        "remove_url": external_url("public.remove", token=links["remove"]),
        "days": config["CONFIRM_TOKEN_DAYS"],
    })


def _mail_already_signed(signature: Signature, campaign: Campaign) -> None:
    remove = _issue_token(signature, "remove")
    queue_mail(
        signature.email, "already_signed", _l("You have already signed"), signature.locale,
        signature=signature, campaign=campaign,
        campaign_url=external_url("public.show", slug=campaign.slug),
        remove_url=external_url("public.remove", token=remove),
    )
    signature.last_mailed_at = utcnow()


def _recently_mailed(signature: Signature) -> bool:
    return bool(signature.last_mailed_at and utcnow() - signature.last_mailed_at < RESEND_INTERVAL)


def _hold_reason(soft_limits: str):
    """SQL for a signature's hold reason, given the bound parameters `ip_hash` and `since_<n>`
    (`_hold_parameters`): "ip_rate" when this network has signed more than SIGN_SOFT_LIMIT_PER_IP
    allows (any campaign), else NULL.

    A café or workplace shares one address, so going over the limit holds the signature for an
    organiser to release instead of refusing it: nothing a person typed is lost. Computed inside
    the INSERT, so it costs no round trip of its own."""
    over = []
    for n, limit in enumerate(parse_many(soft_limits)):
        # Counting stops at the limit: a network's thousandth signature reads `amount` index entries, not all.
        recent = (sa.select(sa.literal(1)).select_from(Signature)
                  .where(Signature.ip_hash == sa.bindparam("ip_hash", type_=sa.String()),
                         Signature.created_at > sa.bindparam(f"since_{n}", type_=sa.DateTime()))
                  .limit(limit.amount).subquery())
        over.append(sa.select(sa.func.count()).select_from(recent).scalar_subquery() >= limit.amount)
    if not over:
        return sa.null()
    return sa.case((sa.and_(sa.bindparam("ip_hash", type_=sa.String()).is_not(None), sa.or_(*over)), "ip_rate"), else_=sa.null())


@lru_cache(maxsize=16)
def _soft_limit_windows(soft_limits: str) -> tuple[timedelta, ...]:
    return tuple(timedelta(seconds=limit.get_expiry()) for limit in parse_many(soft_limits))


def _hold_parameters(ip_hash: str | None, now) -> dict:
    windows = _soft_limit_windows(current_app.config["SIGN_SOFT_LIMIT_PER_IP"])
    return {"ip_hash": ip_hash, **{f"since_{n}": now - window for n, window in enumerate(windows)}}


@lru_cache(maxsize=16)
def _insert_signature(dialect: str, columns: tuple[str, ...], soft_limits: str):
    """INSERT of a new pending signature, built once per process (building a statement costs more
    CPU than sending it): every column a bound parameter, the hold reason computed in the statement,
    and a row only while its campaign accepts signatures (the same rule as
    `Campaign.accepts_signatures`, read in the same statement), so a closed campaign takes no
    signature even from an app server whose copy of it is a few seconds old."""
    table = Signature.__table__
    now = sa.bindparam("created_at", type_=sa.DateTime())
    accepting = sa.exists().where(
        Campaign.id == sa.bindparam("campaign_id"), Campaign.state == "open",
        sa.or_(Campaign.opens_at.is_(None), Campaign.opens_at <= now),
        sa.or_(Campaign.closes_at.is_(None), Campaign.closes_at > now))
    values = sa.select(*(sa.bindparam(name, type_=table.c[name].type) for name in columns),
                       _hold_reason(soft_limits)).where(accepting)
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return (insert.from_select([*columns, "hold_reason"], values)
            .on_conflict_do_nothing(index_elements=["campaign_id", "email_canonical"])
            .returning(table.c.id))


def sign(campaign: Campaign, details: SignerDetails) -> None:
    """Record a pending signature and queue its confirmation mail.

    The response to the visitor is the same whatever the outcome, so the page never reveals
    whether an address had signed; only a mail to that address says so. `campaign` may be a copy a
    few seconds old (`campaigns.service.cached_public_campaign`): the INSERT checks it is open.
    """
    if not campaign.accepts_signatures():
        raise SignatureError("closed", campaign)
    canonical = canonical_email(details.email)
    fields = _fields(details)
    place = geography.resolve(fields["postal_code"])  # held in memory per process
    with transaction():
        now = utcnow()
        # The common case in four statements on the session's connection (signature, its districts,
        # two tokens, the unrendered mail), each built once per process; no ORM object is loaded.
        connection = core_connection()
        row = {"campaign_id": campaign.id, "email_canonical": canonical, "status": "pending", "created_at": now,
               "state": place.state, "town": place.town[:60], "last_mailed_at": now, **fields}
        statement = _insert_signature(connection.dialect.name, tuple(row),
                                      current_app.config["SIGN_SOFT_LIMIT_PER_IP"])
        inserted = connection.execute(statement, row | _hold_parameters(fields["ip_hash"], now)).scalar()
        if inserted is not None:
            geography.store_districts(inserted, place)
            _mail_confirmation(inserted, fields["email"], fields["full_name"], fields["locale"], campaign)
            return

        # Nothing inserted: the campaign closed meanwhile, or this address has signed it already.
        campaign = db.session.get(Campaign, campaign.id)
        if campaign is None or not campaign.accepts_signatures(now):
            raise SignatureError("closed", campaign)
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
        if signature.hold_reason is None:
            signature.hold_reason = db.session.scalar(
                sa.select(_hold_reason(current_app.config["SIGN_SOFT_LIMIT_PER_IP"])),
                _hold_parameters(fields["ip_hash"], now))
        signature.status = "pending"
        signature.removed_at = None
        geography.assign(signature)
        _mail_confirmation(signature.id, signature.email, signature.full_name, signature.locale, campaign)
        signature.last_mailed_at = utcnow()
        return


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


_CONFIRM_PENDING = (sa.update(Signature.__table__)
                    .where(Signature.__table__.c.id == sa.bindparam("signature_id"), Signature.__table__.c.status == "pending")
                    .values(status=sa.bindparam("new_status"), confirmed_at=sa.bindparam("when")))
_SPEND_TOKEN = (sa.update(SignatureToken.__table__).where(SignatureToken.__table__.c.id == sa.bindparam("token_id"))
                .values(used_at=sa.bindparam("when")))


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
        # Core statements on the session's connection, built once: no unit of work to flush.
        connection = core_connection()
        changed = connection.execute(_CONFIRM_PENDING, {"signature_id": signature.id, "new_status": status, "when": now}).rowcount
        if changed:
            set_committed_value(signature, "status", status)
            set_committed_value(signature, "confirmed_at", now)
            connection.execute(_SPEND_TOKEN, {"token_id": token.id, "when": now})
            set_committed_value(token, "used_at", now)
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
    return external_url("public.remove", token=_issue_token(signature, "remove"))


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
