"""Suspicious patterns per campaign and undoable invalidation of signatures.

Invalidating and undoing change statuses with conditional UPDATEs (only rows still in the
expected status change), and count changes go through counting.record_change in the same
transaction, so a concurrent confirmation or removal is never counted twice.
"""
import math
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..audit.service import record
from ..bots.service import BOT_TRAPS, disposable_list_size
from ..campaigns.models import Campaign
from ..database import is_postgres, transaction, utcnow
from ..extensions import db
from ..signatures import counting
from ..signatures.models import HOLD_REASONS, Signature
from ..signatures.service import mail_confirmations
from .models import InvalidatedSignature, InvalidationBatch

LIVE = ("confirmed", "held", "pending")  # statuses an invalidation changes
CHUNK = 1000


class FraudError(ValueError):
    pass


# --- Patterns ---

def _is_outlier(count: int, total: int, groups: int, minimum: int, factor: int = 3) -> bool:
    """At least `minimum`, and `factor` times the average of the other groups (so one big group
    does not raise its own bar)."""
    others = (total - count) / (groups - 1) if groups > 1 else 0
    return count >= max(minimum, math.ceil(factor * others))


def _hour(column):
    if is_postgres():
        return sa.func.to_char(sa.func.date_trunc("hour", column), "YYYY-MM-DD HH24:00")
    return sa.func.strftime("%Y-%m-%d %H:00", column)


def _grouped(campaign: Campaign, key, limit: int, order_by_key=False):
    live = (Signature.campaign_id == campaign.id, Signature.status.in_(LIVE), key.is_not(None))
    totals = db.session.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(key))).where(*live)).one()
    n = sa.func.count().label("n")
    query = (sa.select(key.label("k"), n).where(*live).group_by(key)
             .order_by(key.desc() if order_by_key else n.desc()).limit(limit))
    return totals, db.session.execute(query).all()


def patterns(campaign: Campaign, limit: int = 20) -> dict:
    """Signatures (confirmed and pending) per hashed IP, per email domain and per hour, with the
    threshold above which a row is highlighted."""
    domain = sa.func.substr(Signature.email_canonical, sa.func.instr(Signature.email_canonical, "@") + 1) \
        if not is_postgres() else sa.func.split_part(Signature.email_canonical, "@", 2)
    result = {}
    for name, key, minimum, by_key in (("ips", Signature.ip_hash, 5, False), ("domains", domain, 10, False),
                                       ("hours", _hour(Signature.created_at), 10, True)):
        (total, groups), rows = _grouped(campaign, key, 48 if name == "hours" else limit, by_key)
        result[name] = [{"key": k, "count": c, "outlier": _is_outlier(c, total, groups, minimum)} for k, c in rows]
        if name == "hours":  # the time range to review, as the filter form takes it
            for row in result[name]:
                start = datetime.strptime(row["key"], "%Y-%m-%d %H:%M")
                row["from"], row["to"] = (t.strftime("%Y-%m-%dT%H:%M") for t in (start, start + timedelta(hours=1)))
        result[name + "_minimum"] = minimum
    return result


# --- Invalidation ---

def _clauses(campaign: Campaign, filters: dict) -> list:
    clauses = [Signature.campaign_id == campaign.id]
    if domain := filters.get("email_domain"):
        clauses.append(Signature.email_canonical.like("%@" + domain.lower()))
    if ip_hash := filters.get("ip_hash"):
        clauses.append(Signature.ip_hash == ip_hash)
    if zip5 := filters.get("postal_code"):
        clauses.append(Signature.postal_code.like(zip5 + "%"))
    if start := filters.get("created_from"):
        clauses.append(Signature.created_at >= start)
    if end := filters.get("created_to"):
        clauses.append(Signature.created_at < end)
    return clauses


def preview(campaign: Campaign, filters: dict) -> dict[str, int]:
    """How many signatures an invalidation with these filters would change, by status."""
    if not filters:
        raise FraudError("Choose at least one filter")
    rows = db.session.execute(
        sa.select(Signature.status, sa.func.count())
        .where(*_clauses(campaign, filters), Signature.status.in_(LIVE)).group_by(Signature.status))
    counts = dict.fromkeys(LIVE, 0) | dict(rows.all())
    counts["total"] = sum(counts[status] for status in LIVE)
    return counts


def _record_changes(ids: list[int], delta: int) -> None:
    for start in range(0, len(ids), CHUNK):
        chunk = list(db.session.scalars(sa.select(Signature).where(Signature.id.in_(ids[start:start + CHUNK]))))
        counting.record_changes(chunk, delta)


def _serialisable(filters: dict) -> dict:
    return {k: v.isoformat(timespec="minutes") if isinstance(v, datetime) else v for k, v in filters.items()}


def invalidate(campaign: Campaign, filters: dict, user, expected: int | None = None) -> InvalidationBatch:
    """Invalidate the confirmed and pending signatures matching `filters`.

    With `expected` (the number the organiser was shown), refuse if the number changed since.
    """
    with transaction():
        if expected is not None and preview(campaign, filters)["total"] != expected:
            raise FraudError("changed")
        if not filters:
            raise FraudError("Choose at least one filter")
        batch = InvalidationBatch(campaign_id=campaign.id, user_id=user.id, filters=_serialisable(filters),
                                  affected=0)
        db.session.add(batch)
        db.session.flush()
        for previous in LIVE:
            ids = list(db.session.scalars(
                sa.update(Signature).where(*_clauses(campaign, filters), Signature.status == previous)
                .values(status="invalidated").returning(Signature.id)
                .execution_options(synchronize_session=False)))
            if not ids:
                continue
            db.session.execute(sa.insert(InvalidatedSignature), [
                {"batch_id": batch.id, "signature_id": i, "previous_status": previous} for i in ids])
            if previous == "confirmed":
                _record_changes(ids, -1)
            batch.affected += len(ids)
        record("signatures_invalidate", user, campaign, batch=batch.id, affected=batch.affected,
               filters=batch.filters)
    return batch


def undo(campaign: Campaign, batch_id: int, user) -> int:
    """Restore the signatures a batch invalidated (those still invalidated); returns how many."""
    with transaction():
        now = utcnow()
        marked = db.session.execute(
            sa.update(InvalidationBatch)
            .where(InvalidationBatch.id == batch_id, InvalidationBatch.campaign_id == campaign.id,
                   InvalidationBatch.undone_at.is_(None))
            .values(undone_at=now, undone_by_id=user.id).execution_options(synchronize_session=False)
        ).rowcount
        if not marked:
            raise FraudError("This invalidation was already undone")
        restored = 0
        for previous in LIVE:
            members = sa.select(InvalidatedSignature.signature_id).where(
                InvalidatedSignature.batch_id == batch_id, InvalidatedSignature.previous_status == previous)
            still_invalidated = (Signature.campaign_id == campaign.id, Signature.id.in_(members),
                                 Signature.status == "invalidated")
            # Signers who asked for removal while invalidated end removed, not counted again.
            db.session.execute(
                sa.update(Signature).where(*still_invalidated, Signature.removed_at.is_not(None))
                .values(status="removed").execution_options(synchronize_session=False))
            ids = list(db.session.scalars(
                sa.update(Signature).where(*still_invalidated)
                .values(status=previous).returning(Signature.id)
                .execution_options(synchronize_session=False)))
            if previous == "confirmed":
                _record_changes(ids, +1)
            restored += len(ids)
        record("signatures_invalidate_undo", user, campaign, batch=batch_id, restored=restored)
    return restored


# --- Held signatures (over a soft rate limit, a bot trap sprung, a disposable-mail domain) ---

def held_counts(campaign: Campaign) -> dict[str, dict[str, int]]:
    """{hold reason: {"held": confirmed by the signer and waiting, "pending": not yet confirmed (for a
    bot trap: never mailed)}}, every reason listed."""
    rows = db.session.execute(
        sa.select(Signature.hold_reason, Signature.status, sa.func.count())
        .where(Signature.campaign_id == campaign.id, Signature.hold_reason.is_not(None),
               Signature.status.in_(("held", "pending")))
        .group_by(Signature.hold_reason, Signature.status))
    counts = {reason: {"held": 0, "pending": 0} for reason in HOLD_REASONS}
    for reason, status, n in rows:
        counts[reason][status] = n
    return counts


def held_samples(campaign: Campaign, limit: int = 10) -> dict[str, list]:
    """The latest held or pending signatures per hold reason, to look at before releasing: time,
    name, email domain (organisers see addresses only where signers consented), ZIP, status."""
    samples = {}
    for reason in HOLD_REASONS:
        rows = db.session.execute(
            sa.select(Signature.created_at, Signature.full_name, Signature.email_canonical,
                      Signature.postal_code, Signature.status)
            .where(Signature.campaign_id == campaign.id, Signature.hold_reason == reason,
                   Signature.status.in_(("held", "pending")))
            .order_by(Signature.created_at.desc(), Signature.id.desc()).limit(limit)).all()
        if rows:
            samples[reason] = [{"created_at": r.created_at, "full_name": r.full_name,
                                "domain": r.email_canonical.rpartition("@")[2], "postal_code": r.postal_code,
                                "status": r.status} for r in rows]
    return samples


def disposable_list() -> dict:
    """The size of the disposable-domain list in force, and whether it was loaded (or packaged)."""
    size, loaded = disposable_list_size()
    return {"size": size, "loaded": loaded}


def release(campaign: Campaign, reason: str, user) -> int:
    """Release every signature held for `reason`: held ones count at once, pending ones will count
    when confirmed (those a bot trap stopped get their confirmation mail now, as they never had
    one). Returns how many were released."""
    with transaction():
        held = list(db.session.scalars(
            sa.update(Signature)
            .where(Signature.campaign_id == campaign.id, Signature.hold_reason == reason,
                   Signature.status == "held")
            .values(status="confirmed", hold_reason=None).returning(Signature.id)
            .execution_options(synchronize_session=False)))
        _record_changes(held, +1)
        pending_ids = list(db.session.scalars(
            sa.update(Signature)
            .where(Signature.campaign_id == campaign.id, Signature.hold_reason == reason,
                   Signature.status == "pending")
            .values(hold_reason=None).returning(Signature.id).execution_options(synchronize_session=False)))
        pending = len(pending_ids)
        if reason in BOT_TRAPS:
            for start in range(0, pending, CHUNK):
                mail_confirmations(pending_ids[start:start + CHUNK])
        record("signatures_release", user, campaign, reason=reason, counted=len(held), pending=pending)
    return len(held) + pending


def batches(campaign: Campaign) -> list[InvalidationBatch]:
    return list(db.session.scalars(
        sa.select(InvalidationBatch).where(InvalidationBatch.campaign_id == campaign.id)
        .order_by(InvalidationBatch.id.desc())))
