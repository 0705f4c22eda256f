"""Plans follow a young table as it grows: `database.analyze_grown_tables`, run by the worker.

PostgreSQL keeps a cached plan (a prepared statement's, and each foreign-key check's own query)
until the next ANALYZE of its table. A plan made while a table held a handful of rows scans it
whole; on a new install's first surge the signatures table was read five times per signature."""
import pytest
import sqlalchemy as sa

from advocacy.database import analyze_grown_tables
from advocacy.extensions import db
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="plan caching and ANALYZE are PostgreSQL's")

LOOKUP = "EXPLAIN EXECUTE domain_lookup('x.example')"


def _insert_domains(connection, first: int, count: int) -> None:
    connection.execute(sa.text(
        "INSERT INTO disposable_domains (domain) SELECT 'd' || n || '.example' FROM generate_series(CAST(:a AS integer), CAST(:b AS integer)) n"),
        {"a": first, "b": first + count - 1})
    connection.execute(sa.text("SELECT pg_stat_force_next_flush()"))  # its counters seen at once


def _plan(connection) -> str:
    return "\n".join(connection.execute(sa.text(LOOKUP)).scalars())


def test_a_table_that_doubled_is_analyzed_and_its_cached_plans_are_remade(app):
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        _insert_domains(connection, 1, 5)
        connection.execute(sa.text("ANALYZE disposable_domains"))
        # The plan a statement (or a key check) keeps, made while the table holds five rows.
        connection.execute(sa.text("SET plan_cache_mode = force_generic_plan"))
        connection.execute(sa.text("PREPARE domain_lookup(text) AS SELECT 1 FROM disposable_domains WHERE domain = $1"))
        assert "Seq Scan" in _plan(connection)

        _insert_domains(connection, 6, 3000)
        assert "Seq Scan" in _plan(connection), "without an ANALYZE the cached plan stays"

        assert "disposable_domains" in analyze_grown_tables()
        assert "Index" in _plan(connection), "the ANALYZE made PostgreSQL plan it again"

        assert "disposable_domains" not in analyze_grown_tables(), "analyzed again only once it doubles"
        _insert_domains(connection, 3006, 1000)
        assert "disposable_domains" not in analyze_grown_tables(), "1,000 new rows on 3,005 is no doubling"
        _insert_domains(connection, 4006, 3000)
        assert "disposable_domains" in analyze_grown_tables()


def test_small_tables_wait_for_the_floor(app):
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        _insert_domains(connection, 1, 5)
        connection.execute(sa.text("ANALYZE disposable_domains"))
        _insert_domains(connection, 6, 50)
    assert "disposable_domains" not in analyze_grown_tables(floor=200), "50 rows are below the floor"
    assert "disposable_domains" in analyze_grown_tables(floor=40)


def test_the_worker_analyzes_grown_tables(app):
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE disposable_domains"))
        _insert_domains(connection, 1, 3000)
    result = app.test_cli_runner().invoke(args=["advocacy", "worker", "--once"])
    assert result.exit_code == 0, result.output
    with db.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'disposable_domains'")) == 3000
