"""Counting confirmed signatures without a hot row.

Every change of a signature's countable state appends TallyDelta rows (+1/-1) in the same
transaction as the change. The worker folds deltas into Tally rows about once a second.
Reads add the folded count and the not-yet-folded deltas in ONE statement, so a count is exact
at the moment it is read (staleness 0) whether or not the worker runs; the worker only keeps
the unfolded tail short (about fold interval x signing rate rows per campaign).

`recount` measures drift between the signatures and the tallies in one statement (one snapshot)
and appends correcting deltas, so it never needs a lock and races with nothing.
"""
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa

from ..database import core_connection, dialect_insert, is_postgres, transaction
from ..extensions import db
from ..geography.models import SignatureDistrict
from ..geography.service import districts_by_signature
from .models import Signature, Tally, TallyDelta

# Tally kinds. Every confirmed signature counts once in "total" (key "") and once in "state"
# (its USPS state, "??" unknown), so the states add up to the total. In "district" it counts in
# every district its ZIP touches ("CA-12", "VT-AL", "CA-??"); "district_partial" counts, of a
# district's signatures, those from ZIPs shared with other districts (shown as "may include").
TOTAL, STATE, DISTRICT, PARTIAL = "total", "state", "district", "district_partial"


def tally_keys(signature: Signature, districts: Iterable[SignatureDistrict] = ()) -> list[tuple[str, str]]:
    """Every (kind, key) a confirmed signature counts in, given its stored districts."""
    keys = [(TOTAL, "")]
    if signature.state:
        keys.append((STATE, signature.state))
    for row in districts:
        keys.append((DISTRICT, row.district))
        if row.shared:
            keys.append((PARTIAL, row.district))
    return keys


def record_changes(signatures: list[Signature], delta: int) -> None:
    """Append +1/-1 for every tally these signatures count in, looking up their districts in one
    query. Call inside the caller's transaction."""
    if not signatures:
        return
    districts = districts_by_signature([s.id for s in signatures])
    rows = [
        {"campaign_id": signature.campaign_id, "kind": kind, "key": key, "delta": delta}
        for signature in signatures
        for kind, key in tally_keys(signature, districts.get(signature.id, ()))
    ]
    db.session.execute(sa.insert(TallyDelta), rows)


def record_change(signature: Signature, delta: int, districts: list[SignatureDistrict] | None = None) -> None:
    """One signature; pass its `districts` when they are already loaded."""
    if districts is None:
        record_changes([signature], delta)
        return
    core_connection().execute(TallyDelta.__table__.insert(), [
        {"campaign_id": signature.campaign_id, "kind": kind, "key": key, "delta": delta}
        for kind, key in tally_keys(signature, districts)])


def _current(kind: str, campaign_ids=None):
    folded = sa.select(Tally.campaign_id, Tally.key, Tally.count.label("n")).where(Tally.kind == kind)
    pending = sa.select(TallyDelta.campaign_id, TallyDelta.key, TallyDelta.delta.label("n")).where(
        TallyDelta.kind == kind
    )
    if campaign_ids is not None:
        folded = folded.where(Tally.campaign_id.in_(campaign_ids))
        pending = pending.where(TallyDelta.campaign_id.in_(campaign_ids))
    both = sa.union_all(folded, pending).subquery()
    return sa.select(both.c.campaign_id, both.c.key, sa.func.sum(both.c.n)).group_by(
        both.c.campaign_id, both.c.key
    )


def signature_counts(campaign_ids: Iterable[int]) -> dict[int, int]:
    """Exact confirmed-signature count per campaign (0 for campaigns with none)."""
    ids = list(campaign_ids)
    counts = dict.fromkeys(ids, 0)
    for campaign_id, _key, n in db.session.execute(_current(TOTAL, ids)):
        counts[campaign_id] = int(n)
    return counts


def signature_count(campaign_id: int) -> int:
    return signature_counts([campaign_id])[campaign_id]


_read_once: ContextVar[dict | None] = ContextVar("tallies_read_once", default=None)


@contextmanager
def tallies_read_once():
    """Within the block each campaign's tallies of a kind are read from the database once: for a
    page or JSON that shows the same tallies several ways (by state, by district, per member)."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def tallies_for(campaign_id: int, kind: str) -> dict[str, int]:
    """Exact counts by key for one kind (e.g. "state"), omitting keys at zero."""
    memo = _read_once.get()
    if memo is not None and (campaign_id, kind) in memo:
        return dict(memo[(campaign_id, kind)])
    rows = db.session.execute(_current(kind, [campaign_id]))
    counts = {key: int(n) for _cid, key, n in rows if n}
    if memo is not None:
        memo[(campaign_id, kind)] = dict(counts)
    return counts


# PostgreSQL: the oldest deltas no other folder holds, locked, then deleted by their row addresses
# (a TID scan, whatever the statistics). `id IN (SELECT ... LIMIT ...)` was planned by the table's
# statistics, and tally_deltas is a queue: analyzed while nearly empty, then filled by a surge, the
# semi-join ran the locking subquery again for every row (measured: one fold of 238,000 deltas still
# running after 11 minutes, the worker sending no mail meanwhile). Now: 20,000 deltas in 0.09 s.
_OLDEST_DELTAS_LOCKED = ("ctid = ANY(ARRAY(SELECT ctid FROM tally_deltas ORDER BY id LIMIT :batch_size"
                         " FOR UPDATE SKIP LOCKED))")


def _oldest_deltas(batch_size: int):
    if is_postgres():
        return sa.text(_OLDEST_DELTAS_LOCKED).bindparams(batch_size=batch_size)
    return TallyDelta.id.in_(sa.select(TallyDelta.id).order_by(TallyDelta.id).limit(batch_size).scalar_subquery())


def fold_statement(batch_size: int) -> sa.Delete:
    """DELETE of up to `batch_size` of the oldest deltas, returning what they add."""
    return (sa.delete(TallyDelta).where(_oldest_deltas(batch_size))
            .returning(TallyDelta.campaign_id, TallyDelta.kind, TallyDelta.key, TallyDelta.delta))


def fold_deltas(batch_size: int = 20000) -> int:
    """Move up to `batch_size` deltas into Tally rows; returns how many were folded.

    DELETE ... RETURNING makes each delta folded exactly once even with several workers
    (on PostgreSQL the inner SELECT skips rows another folder holds).
    """
    with transaction():
        taken = db.session.execute(fold_statement(batch_size)).all()
        sums = defaultdict(int)
        for campaign_id, kind, key, delta in taken:
            sums[(campaign_id, kind, key)] += delta
        # Sorted so concurrent folders lock counter rows in the same order (no deadlock).
        for (campaign_id, kind, key), n in sorted(sums.items()):
            if n == 0:
                continue
            stmt = dialect_insert(Tally).values(campaign_id=campaign_id, kind=kind, key=key, count=n)
            stmt = stmt.on_conflict_do_update(
                index_elements=[Tally.campaign_id, Tally.kind, Tally.key],
                set_={"count": Tally.count + stmt.excluded.count},
            )
            db.session.execute(stmt)
    return len(taken)


def fold_all() -> int:
    total = 0
    while folded := fold_deltas():
        total += folded
    return total


@dataclass(frozen=True)
class Drift:
    campaign_id: int
    kind: str
    key: str
    expected: int
    recorded: int

    @property
    def correction(self) -> int:
        return self.expected - self.recorded


def tally_rows(signatures) -> list[sa.Select]:
    """The SQL form of `tally_keys`: (campaign_id, kind, key), one row per tally that each signature
    of `signatures` (a table, subquery or CTE with id, campaign_id and state) counts in."""
    districts = SignatureDistrict.__table__

    def keys(kind: str, key):
        return (signatures.c.campaign_id.label("campaign_id"), sa.literal_column(f"'{kind}'").label("kind"),
                key.label("key"))

    return [
        sa.select(*keys(TOTAL, sa.literal_column("''"))),
        sa.select(*keys(STATE, signatures.c.state)).where(signatures.c.state.is_not(None)),
        sa.select(*keys(DISTRICT, districts.c.district)).join(districts, districts.c.signature_id == signatures.c.id),
        sa.select(*keys(PARTIAL, districts.c.district)).join(districts, districts.c.signature_id == signatures.c.id)
        .where(districts.c.shared.is_(True)),
    ]


def _expected_sources() -> list[sa.Select]:
    """What each tally kind should hold, counted from the confirmed signatures (for recount)."""
    confirmed = (sa.select(Signature.id, Signature.campaign_id, Signature.state)
                 .where(Signature.status == "confirmed").subquery())
    expected = []
    for rows in tally_rows(confirmed):
        keys = rows.subquery()
        campaign, kind, key = keys.c
        expected.append(sa.select(campaign.label("campaign_id"), kind.label("kind"), key.label("key"),
                                  sa.func.count().label("n")).group_by(campaign, kind, key))
    return expected


def measure_drift(campaign_id: int | None = None) -> list[Drift]:
    """Compare tallies with the signatures in a single statement (one consistent snapshot)."""
    parts = [
        sa.select(e.c.campaign_id, e.c.kind, e.c.key, e.c.n.label("expected"), sa.literal(0).label("recorded"))
        for e in (s.subquery() for s in _expected_sources())
    ]
    parts.append(sa.select(Tally.campaign_id, Tally.kind, Tally.key, sa.literal(0), Tally.count))
    parts.append(
        sa.select(TallyDelta.campaign_id, TallyDelta.kind, TallyDelta.key, sa.literal(0), TallyDelta.delta)
    )
    rows = sa.union_all(*parts).subquery()
    query = (
        sa.select(rows.c.campaign_id, rows.c.kind, rows.c.key,
                  sa.func.sum(rows.c.expected), sa.func.sum(rows.c.recorded))
        .group_by(rows.c.campaign_id, rows.c.kind, rows.c.key)
        .having(sa.func.sum(rows.c.expected) != sa.func.sum(rows.c.recorded))
    )
    if campaign_id is not None:
        query = query.where(rows.c.campaign_id == campaign_id)
    return [Drift(c, k, key, int(e), int(r)) for c, k, key, e, r in db.session.execute(query)]


def recount(campaign_id: int | None = None) -> list[Drift]:
    """Fix any drift with correcting deltas, fold, and return what was fixed."""
    drifts = measure_drift(campaign_id)
    db.session.rollback()  # end the read snapshot before writing
    if drifts:
        with transaction():
            db.session.execute(
                sa.insert(TallyDelta),
                [{"campaign_id": d.campaign_id, "kind": d.kind, "key": d.key, "delta": d.correction}
                 for d in drifts],
            )
    fold_all()
    return drifts
