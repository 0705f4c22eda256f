"""The database pool holds a connection for everything a process runs at once (its signing slots and
a few uncached pages): a smaller pool closes the connection of each request over it, and PostgreSQL
then starts a backend (and prepares every statement again) for the next one."""
import pytest
import sqlalchemy as sa

from advocacy import create_app
from advocacy.config import TestConfig
from advocacy.extensions import db

from .conftest import ON_POSTGRES, TEST_DATABASE_URL


def _engine_of(url: str, **settings):
    app = create_app(type("Cfg", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings}))
    with app.app_context():
        return db.engine


def test_a_postgresql_pool_keeps_ten_connections_and_five_to_spare():
    # Built, never connected: nothing needs to listen at this address.
    pool = _engine_of("postgresql+psycopg://nobody@127.0.0.1:1/none").pool
    assert pool.size() == 10
    assert pool._max_overflow == 5
    assert pool.size() > TestConfig.SIGNING_SLOTS  # every signing slot keeps its connection, with room for pages


def test_the_pool_size_and_overflow_are_settings():
    pool = _engine_of("postgresql+psycopg://nobody@127.0.0.1:1/none",
                      DATABASE_POOL_SIZE=3, DATABASE_MAX_OVERFLOW=1).pool
    assert (pool.size(), pool._max_overflow) == (3, 1)


def test_sqlite_takes_no_pool_size(tmp_path):
    engine = _engine_of(f"sqlite:///{tmp_path / 'pool.sqlite'}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_eight_threads_at_once_then_again_open_no_new_backend():
    url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = _engine_of(url, DATABASE_POOL_SIZE=10)

    def backends_opened_by():
        pids = set()
        connections = [engine.connect() for _ in range(8)]  # eight threads' requests at the same time
        pids.update(c.exec_driver_sql("SELECT pg_backend_pid()").scalar() for c in connections)
        for c in connections:
            c.close()
        return pids

    first = backends_opened_by()
    assert backends_opened_by() == first  # every connection came back to the pool, none was closed
    engine.dispose()
