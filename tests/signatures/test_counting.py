"""Counts are exact when read, survive folding, and recount repairs drift."""
import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures import counting
from advocacy.signatures.models import Signature, Tally, TallyDelta
from tests.conftest import ON_POSTGRES, post_button


def confirm_n(client, signer, slug, n):
    for i in range(n):
        post_button(client, signer(slug, email=f"person{i}@example.org")["confirm"])


def test_count_is_exact_before_and_after_the_worker_folds(client, campaign, signer):
    confirm_n(client, signer, campaign.slug, 3)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyDelta).where(TallyDelta.kind == "total")) == 3
    assert counting.signature_count(campaign.id) == 3
    counting.fold_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyDelta).where(TallyDelta.kind == "total")) == 0
    assert counting.signature_count(campaign.id) == 3


def test_confirmations_never_update_a_shared_counter_row(client, campaign, signer):
    confirm_n(client, signer, campaign.slug, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tally)) == 0  # only appended deltas


def test_counts_of_campaigns_are_independent(client, make_campaign, signer):
    a, b = make_campaign(), make_campaign()
    confirm_n(client, signer, a.slug, 2)
    assert counting.signature_counts([a.id, b.id]) == {a.id: 2, b.id: 0}


def test_recount_reports_and_fixes_drift(client, campaign, signer):
    confirm_n(client, signer, campaign.slug, 2)
    counting.fold_all()
    db.session.execute(sa.update(Tally).where(Tally.kind == "total").values(count=7))  # simulate corruption
    db.session.commit()
    drifts = counting.recount()
    assert [(d.campaign_id, d.kind, d.recorded, d.expected) for d in drifts] == [(campaign.id, "total", 7, 2)]
    assert counting.signature_count(campaign.id) == 2
    assert counting.recount() == []


def test_recount_command_reports_drift_it_fixed(app, client, campaign, signer):
    confirm_n(client, signer, campaign.slug, 1)
    db.session.execute(sa.delete(TallyDelta).where(TallyDelta.kind == "total"))  # lose the delta
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["advocacy", "recount"]).output
    assert "recorded 0, actual 1 (fixed +1)" in output
    assert counting.signature_count(campaign.id) == 1
    assert "no drift" in app.test_cli_runner().invoke(args=["advocacy", "recount"]).output


def test_invalidated_and_pending_signatures_do_not_count(client, campaign, signer):
    confirm_n(client, signer, campaign.slug, 2)
    signer(campaign.slug, email="pending@example.org")
    db.session.execute(sa.update(Signature).where(Signature.email == "person0@example.org")
                       .values(status="invalidated"))
    db.session.commit()
    assert [d.expected for d in counting.recount() if d.kind == "total"] == [1]
    assert counting.signature_count(campaign.id) == 1


def test_a_page_reads_each_tally_kind_once_and_the_next_page_reads_it_again(app, campaign):
    from sqlalchemy import event

    from advocacy.extensions import db
    from advocacy.signatures.counting import tallies_for, tallies_read_once
    from advocacy.signatures.models import TallyDelta

    selects, campaign_id = [], campaign.id

    def remember(_conn, _cursor, statement, *_args):
        selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        with tallies_read_once():
            first = tallies_for(campaign_id, "state")
            first["XX"] = 99  # a caller changing its copy changes nothing for the next
            assert tallies_for(campaign_id, "state") == {}
        assert len(selects) == 1
        db.session.add(TallyDelta(campaign_id=campaign_id, kind="state", key="IL", delta=1))
        db.session.commit()
        assert tallies_for(campaign_id, "state") == {"IL": 1}  # outside the block: read again
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


@pytest.mark.skipif(not ON_POSTGRES, reason="plans and statistics are PostgreSQL's")
def test_a_fold_locks_its_batch_once_when_the_queues_statistics_say_it_is_empty(app, campaign):
    """tally_deltas is a queue: analyzed while nearly empty, then filled by a surge. A fold that
    joined the table to its own locking subquery ran that subquery again for every row (one fold
    of 238,000 deltas was still running after 11 minutes); it must lock its batch once."""
    add_deltas = sa.text("INSERT INTO tally_deltas (campaign_id, kind, key, delta)"
                         " SELECT :campaign, 'total', '', 1 FROM generate_series(1, 1500)")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Folded, then analyzed: pages, but no live row in them, so the planner expects one row
        # however many pages the next surge fills.
        connection.execute(add_deltas, {"campaign": campaign.id})
        connection.execute(sa.delete(TallyDelta))
        connection.execute(sa.text("ANALYZE tally_deltas"))
        assert connection.execute(sa.text(
            "SELECT reltuples = 0 AND relpages > 0 FROM pg_class WHERE relname = 'tally_deltas'")).scalar()
        connection.execute(add_deltas, {"campaign": campaign.id})
    sql = str(counting.fold_statement(1000).compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as connection:  # rolled back: EXPLAIN ANALYZE deletes what it folds
        plan = connection.execute(sa.text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)).scalar()
    locks = [node for node in _plan_nodes(plan[0]["Plan"]) if node["Node Type"] == "LockRows"]
    assert [node["Actual Loops"] for node in locks] == [1]
    assert locks[0]["Actual Rows"] == 1000

    assert counting.fold_all() == 1500
    assert counting.signature_count(campaign.id) == 1500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyDelta)) == 0


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)
