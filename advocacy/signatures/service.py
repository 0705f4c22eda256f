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

from ..audit.service import record
from ..bots.service import BOT_TRAPS, disposable_clause_bound, disposable_parameters
from ..campaigns.models import Campaign
from ..campaigns.service import campaign_text
from ..database import (
    AutocommitStatement,
    core_connection,
    session_in_transaction,
    transaction,
    utcnow,
)
from ..extensions import db
from ..geography import service as geography
from ..mail.service import (
    UnrenderedMail,
    queue_mail,
    queue_mails_unrendered,
)
from ..tokens import (
    find_token,
    hash_token,
    is_expired,
    issue_token,
    issue_tokens_for_many,
)
from ..urls import external_url, token_url
from . import counting
from .identity import canonical_email, hash_ip
from .models import ConfirmationDue, Signature, SignatureToken, TallyDelta
from .names import display_name

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
    given_name: str
    email: str
    postal_code: str
    family_name: str | None = None
    family_name_first: bool = False
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
        "full_name": display_name(details.given_name, details.family_name, details.family_name_first),
        "given_name": details.given_name.strip(),
        "family_name": (details.family_name or "").strip() or None,
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


def _confirmation_lifetimes() -> dict[str, timedelta]:
    config = current_app.config
    return {"confirm": timedelta(days=config["CONFIRM_TOKEN_DAYS"]), "remove": timedelta(days=config["REMOVE_TOKEN_DAYS"])}


CONFIRM_SUBJECT = _l("Please confirm your signature")


def _confirmation_context(links: dict[str, str], full_name: str, locale: str, campaign: Campaign) -> dict:
    """What the worker renders the confirmation mail from. Links carry the signer's language
    (?lang=), so they open in it on any device."""
    return {
        "signature": {"full_name": full_name, "locale": locale},
        "campaign": {"title": campaign_text(campaign, locale).title, "slug": campaign.slug},
        "confirm_url": token_url("public.confirm", links["confirm"], lang=locale),
        "remove_url": token_url("public.remove", links["remove"], lang=locale),
        "days": current_app.config["CONFIRM_TOKEN_DAYS"],
    }


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


def _hold_reason(soft_limits: str, dialect: str = ""):
    """SQL for a signature's hold reason, given the bound parameters of `_hold_parameters`: the bot
    trap the form sprang (`bot_trap`); else "ip_rate" when this network has signed more than
    SIGN_SOFT_LIMIT_PER_IP allows (any campaign); else "disposable" for a disposable-mail domain
    (advocacy.bots); else NULL.

    A café or workplace shares one address, so going over the limit holds the signature for an
    organiser to release instead of refusing it: nothing a person typed is lost. Computed inside
    the INSERT, so it costs no round trip of its own."""
    trap = sa.bindparam("bot_trap", type_=sa.String())
    over = []
    for n, limit in enumerate(parse_many(soft_limits)):
        # Counting stops at the limit: a network's thousandth signature reads `amount` index entries, not all.
        # Constants are written into the SQL, not bound: fewer parameters per statement (psycopg caches the
        # conversion of a statement with at most 50).
        amount = sa.literal_column(str(int(limit.amount)))
        recent = (sa.select(sa.literal_column("1")).select_from(Signature)
                  .where(Signature.ip_hash == sa.bindparam("ip_hash", type_=sa.String()),
                         Signature.created_at > sa.bindparam(f"since_{n}", type_=sa.DateTime()))
                  .limit(amount).subquery())
        over.append(sa.select(sa.func.count()).select_from(recent).scalar_subquery() >= amount)
    whens = [(trap.is_not(None), trap)]
    if over:
        whens.append((sa.and_(sa.bindparam("ip_hash", type_=sa.String()).is_not(None), sa.or_(*over)),
                      sa.literal_column("'ip_rate'")))
    whens.append((disposable_clause_bound(dialect), sa.literal_column("'disposable'")))
    return sa.case(*whens, else_=sa.null())


@lru_cache(maxsize=16)
def _soft_limit_windows(soft_limits: str) -> tuple[timedelta, ...]:
    return tuple(timedelta(seconds=limit.get_expiry()) for limit in parse_many(soft_limits))


def _hold_parameters(ip_hash: str | None, now, email: str, bot_trap: str | None = None) -> dict:
    windows = _soft_limit_windows(current_app.config["SIGN_SOFT_LIMIT_PER_IP"])
    return {"ip_hash": ip_hash, "bot_trap": bot_trap, **disposable_parameters(email),
            **{f"since_{n}": now - window for n, window in enumerate(windows)}}


def _accepts_signatures(now):
    """`Campaign.accepts_signatures` in SQL (over the campaigns table)."""
    return sa.and_(Campaign.state == sa.literal_column("'open'"),
                   sa.or_(Campaign.opens_at.is_(None), Campaign.opens_at <= now),
                   sa.or_(Campaign.closes_at.is_(None), Campaign.closes_at > now))


@lru_cache(maxsize=16)
def _insert_signature(dialect: str, columns: tuple[str, ...], soft_limits: str):
    """INSERT of a new pending signature, built once per process (building a statement costs more
    CPU than sending it): every column a bound parameter, the hold reason computed in the statement,
    and a row only while its campaign accepts signatures (the same rule as
    `Campaign.accepts_signatures`, read in the same statement), so a closed campaign takes no
    signature even from an app server whose copy of it is a few seconds old."""
    table = Signature.__table__
    accepting = sa.exists().where(Campaign.id == sa.bindparam("campaign_id"),
                                  _accepts_signatures(sa.bindparam("created_at", type_=sa.DateTime())))
    values = sa.select(*(sa.bindparam(name, type_=table.c[name].type) for name in columns),
                       _hold_reason(soft_limits, dialect)).where(accepting)
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return (insert.from_select([*columns, "hold_reason"], values)
            .on_conflict_do_nothing(index_elements=["campaign_id", "email_canonical"])
            .returning(table.c.id))


def _confirmation_due_insert_from(signature_id) -> sa.Insert:
    """INSERT of the `ConfirmationDue` row of the signature `signature_id` (a column of the CTE that
    inserted it), unless `send_mail` is false (a bot trap: stored for review, no mail)."""
    return ConfirmationDue.__table__.insert().from_select(
        ["signature_id"], sa.select(signature_id).where(sa.bindparam("send_mail", type_=sa.Boolean())))


@lru_cache(maxsize=16)
def _sign_in_one_statement(columns: tuple[str, ...], soft_limits: str):
    """PostgreSQL: `_insert_signature` with, in the same statement (data-modifying CTEs), the new
    signature's districts and its `ConfirmationDue` row. Sent alone in autocommit, a new signature
    costs one round trip; when nothing is inserted (signed already, or closed) neither are the others."""
    signed = _insert_signature("postgresql", columns, soft_limits).cte("signed")
    return sa.select(signed.c.id).add_cte(
        geography.districts_insert_from(signed.c.id).cte("districts"),
        _confirmation_due_insert_from(signed.c.id).cte("due"))


def _sign_parameters(row: dict, hold: dict, place, bot_trap: str | None) -> dict:
    """The bound values of `_sign_in_one_statement`."""
    return row | hold | geography.district_parameters(place) | {"send_mail": not bot_trap}


@lru_cache(maxsize=16)
def _sign_alone(columns: tuple[str, ...], soft_limits: str, engine) -> AutocommitStatement:
    return AutocommitStatement(_sign_in_one_statement(columns, soft_limits), engine)


def _insert_new(connection, row: dict, hold: dict, place, bot_trap: str | None) -> int | None:
    """The new signature with its districts and, unless a bot trap sprang, its `ConfirmationDue` row,
    in the caller's transaction; its id, or None when nothing was inserted."""
    soft_limits = current_app.config["SIGN_SOFT_LIMIT_PER_IP"]
    if connection.dialect.name == "postgresql":
        return connection.execute(_sign_in_one_statement(tuple(row), soft_limits),
                                  _sign_parameters(row, hold, place, bot_trap)).scalar()
    inserted = connection.execute(_insert_signature(connection.dialect.name, tuple(row), soft_limits),
                                  row | hold).scalar()
    if inserted is not None:
        geography.store_districts(inserted, place)
        if not bot_trap:  # stored for review, but no mail to an address a script typed
            connection.execute(sa.insert(ConfirmationDue), {"signature_id": inserted})
    return inserted


def sign(campaign: Campaign, details: SignerDetails) -> None:
    """Record a pending signature, due its confirmation mail: the worker writes the mail and its
    links (`queue_due_confirmations`), so a surge of signers is not slowed by them.

    The response to the visitor is the same whatever the outcome, so the page never reveals
    whether an address had signed; only a mail to that address says so. `campaign` may be a copy a
    few seconds old (`campaigns.service.cached_public_campaign`): the INSERT checks it is open.
    """
    if not campaign.accepts_signatures():
        raise SignatureError("closed", campaign)
    canonical = canonical_email(details.email)
    fields = _fields(details)
    place = geography.resolve(fields["postal_code"])  # held in memory per process
    now = utcnow()
    row = {"campaign_id": campaign.id, "email_canonical": canonical, "status": "pending", "created_at": now,
           "state": place.state, "town": place.town[:60], "last_mailed_at": None if details.bot_trap else now, **fields}
    hold = _hold_parameters(fields["ip_hash"], now, canonical, details.bot_trap)
    engine = db.engine
    inserted_alone = engine.dialect.name == "postgresql" and not session_in_transaction()
    if inserted_alone:
        # On PostgreSQL the common case is one statement, atomic on its own: sent in autocommit it
        # costs one round trip, with no BEGIN and no COMMIT of their own.
        found = _sign_alone(tuple(row), current_app.config["SIGN_SOFT_LIMIT_PER_IP"], engine).first_row(
            _sign_parameters(row, hold, place, details.bot_trap))
        if found is not None:
            return
    with transaction():
        # Otherwise (SQLite: three statements, each built once per process) in the transaction; no
        # ORM object is loaded.
        if not inserted_alone and _insert_new(core_connection(), row, hold, place, details.bot_trap) is not None:
            return

        if details.bot_trap:  # a script must not change or re-mail someone's signature
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
        if signature.hold_reason in BOT_TRAPS:  # this time the form was filled in like a person's
            signature.hold_reason = None
        if signature.hold_reason is None:
            signature.hold_reason = db.session.scalar(
                sa.select(_hold_reason(current_app.config["SIGN_SOFT_LIMIT_PER_IP"])),
                _hold_parameters(fields["ip_hash"], now, canonical))
        signature.status = "pending"
        signature.removed_at = None
        geography.assign(signature)
        if db.session.get(ConfirmationDue, signature.id) is None:  # else the worker has yet to write it
            db.session.add(ConfirmationDue(signature_id=signature.id))
        signature.last_mailed_at = utcnow()
        return


def mail_confirmations(signature_ids: list[int]) -> None:
    """Make pending signatures that were never mailed (stopped by a bot trap, then released by an
    organiser) due their confirmation mail, in the caller's transaction; the worker writes it."""
    pending = db.session.scalars(sa.select(Signature).where(Signature.id.in_(signature_ids),
                                                            Signature.status == "pending")).all()
    already = set(db.session.scalars(sa.select(ConfirmationDue.signature_id).where(
        ConfirmationDue.signature_id.in_([signature.id for signature in pending]))))
    now = utcnow()
    for signature in pending:
        signature.last_mailed_at = now
        if signature.id not in already:
            db.session.add(ConfirmationDue(signature_id=signature.id))


def queue_due_confirmations(limit: int = 200) -> int:
    """The worker's part of signing: for up to `limit` signatures due their confirmation mail
    (`ConfirmationDue`, oldest first), the confirm and remove links and the mail in the outbox, in
    one transaction and a few statements for the whole batch; how many it took. On PostgreSQL the
    rows are locked and skipped by another worker, and so is a signature a re-sign holds (it waits,
    then sees the row gone and adds its own)."""
    with transaction():
        query = (sa.select(Signature).join(ConfirmationDue, ConfirmationDue.signature_id == Signature.id)
                 .order_by(ConfirmationDue.signature_id).limit(limit))
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=[Signature, ConfirmationDue])
        due = db.session.scalars(query).all()  # campaign is a many-to-one joined load: no duplicate rows
        if not due:
            return 0
        # Invalidated meanwhile (fraud review) or otherwise no longer pending: no mail to write.
        pending = [signature for signature in due if signature.status == "pending"]
        links = issue_tokens_for_many(SignatureToken, _confirmation_lifetimes(), "signature_id",
                                      [signature.id for signature in pending])
        queue_mails_unrendered([
            UnrenderedMail(signature.email, "confirm_signature", CONFIRM_SUBJECT, signature.locale,
                           _confirmation_context(links[signature.id], signature.full_name, signature.locale,
                                                 signature.campaign),
                           campaign_id=signature.campaign_id, signature_id=signature.id)
            for signature in pending])
        db.session.execute(sa.delete(ConfirmationDue).where(
            ConfirmationDue.signature_id.in_([signature.id for signature in due])))
        return len(due)


def confirmations_due() -> int:
    """Signatures still waiting for the worker to write their confirmation mail."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ConfirmationDue))


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
    remove_url: str  # a fresh removal link for the page
    districts: list[str]  # the signature's district labels


_CONFIRM_PENDING = (sa.update(Signature.__table__)
                    .where(Signature.__table__.c.id == sa.bindparam("signature_id"), Signature.__table__.c.status == "pending")
                    .values(status=sa.bindparam("new_status"), confirmed_at=sa.bindparam("when")))
_SPEND_TOKEN = (sa.update(SignatureToken.__table__).where(SignatureToken.__table__.c.id == sa.bindparam("token_id"))
                .values(used_at=sa.bindparam("when")))


@lru_cache(maxsize=16)
def _confirm_by_link(engine) -> AutocommitStatement:
    """PostgreSQL, from the link alone, in one statement (data-modifying CTEs): the conditional
    UPDATE of the pending signature of an unexpired confirm token whose campaign accepts signatures
    now (the guard against double counting), the token spent and, unless the signature is held, its
    tally deltas (`counting.tally_rows`: the SQL form of the keys it counts in). Answers how many
    rows it confirmed: 0 in every other case (confirmed already or by a concurrent click, expired,
    closed with a grace period left, signed before geography existed), and then nothing is written
    and `confirm` takes the long way, which knows what to say.

    The signature is found by its primary key from the token's (a scalar subquery), never by a
    join the planner could turn around: under a surge the statistics lag behind the table, and a
    plan that scans the campaign's pending signatures costs milliseconds per confirmation."""
    table, tokens = Signature.__table__, SignatureToken.__table__
    when = sa.bindparam("when", type_=sa.DateTime())
    of_the_link = sa.and_(tokens.c.token_hash == sa.bindparam("token_hash", type_=sa.String()),
                          tokens.c.purpose == sa.literal_column("'confirm'"), tokens.c.expires_at >= when)
    accepting = sa.exists().where(Campaign.id == table.c.campaign_id, _accepts_signatures(when))
    confirmed = (sa.update(table)
                 .where(table.c.id == sa.select(tokens.c.signature_id).where(of_the_link).scalar_subquery(),
                        table.c.status == sa.literal_column("'pending'"), table.c.state.is_not(None), accepting)
                 .values(status=sa.case((table.c.hold_reason.is_(None), sa.literal_column("'confirmed'")),
                                        else_=sa.literal_column("'held'")), confirmed_at=when)
                 .returning(table.c.id, table.c.campaign_id, table.c.state, table.c.hold_reason)
                 .cte("confirmed"))
    spent = (sa.update(tokens).where(of_the_link, sa.exists(sa.select(confirmed.c.id)))
             .values(used_at=when).cte("spent"))
    counted = sa.select(confirmed).where(confirmed.c.hold_reason.is_(None)).cte("counted")
    keys = sa.union_all(*counting.tally_rows(counted)).subquery()
    deltas = TallyDelta.__table__.insert().from_select(
        ["campaign_id", "kind", "key", "delta"],
        sa.select(keys.c.campaign_id, keys.c.kind, keys.c.key, sa.literal_column("1"))).cte("deltas")
    return AutocommitStatement(sa.select(sa.func.count()).select_from(confirmed).add_cte(spent, deltas), engine)


def confirm(raw: str) -> bool:
    """Confirm the signature; True when this call confirmed it (False: it was already). Confirming
    twice counts once. A signature with a hold reason becomes `held` (not counted) until an
    organiser releases it; the signer sees the same page either way (`confirmation_of`)."""
    engine = db.engine
    if engine.dialect.name == "postgresql" and not session_in_transaction():
        # The common case in one statement, atomic on its own, in autocommit: one round trip.
        if _confirm_by_link(engine).first_row({"token_hash": hash_token(raw), "when": utcnow()})[0]:
            return True
    with transaction():
        return _confirm(raw)


def _confirm(raw: str) -> bool:
    token = _live_token(raw, "confirm")
    signature = token.signature
    if signature.status in ("confirmed", "held"):
        return False
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
        connection.execute(_SPEND_TOKEN, {"token_id": token.id, "when": now})
        if signature.state is None:  # signed before geography existed
            geography.assign(signature)
        if not signature.hold_reason:
            counting.record_change(signature, +1, geography.districts_of(signature.id))
    return bool(changed)


def confirmation_of(raw: str) -> Confirmation | None:
    """What the confirmed page shows of a confirmed (or held) signature, with a fresh removal link;
    None while it is not confirmed. The objects stay loaded after the commit, for the page."""
    with transaction(keep_loaded=True):
        signature = _live_token(raw, "confirm").signature
        if signature.status not in ("confirmed", "held"):
            return None
        districts = [d.district for d in geography.districts_of(signature.id)]
        return Confirmation(signature, _removal_link(signature), districts)


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
