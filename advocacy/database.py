"""Database helpers: one place owns commit/rollback, plus portable upserts and time."""
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from .extensions import db


def utcnow() -> datetime:
    """Naive UTC: every timestamp in the database is UTC without tzinfo (SQLite keeps none)."""
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def transaction(keep_loaded: bool = False):
    """Commit the session when the block succeeds, roll back when it raises.

    `keep_loaded`: objects keep the values they had at commit instead of being reloaded on next
    use (for a page rendered right after a hot-path change; saves a round trip per object)."""
    session = db.session()
    session.expire_on_commit = not keep_loaded
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        session.expire_on_commit = True


def core_connection() -> sa.Connection:
    """The session's connection, in its transaction, for Core statements on hot paths (no ORM
    execution layer: much less CPU per statement). Pending ORM changes are flushed first, as
    `session.execute` would, so a row added in the same transaction is there for foreign keys."""
    db.session.flush()
    return db.session.connection()


def dialect_insert(model):
    """INSERT that supports on_conflict_* on both PostgreSQL and SQLite."""
    name = db.session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(model)


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL + busy timeout so the web server and the mail worker can share one SQLite file."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    """CHECK (column IN (...)) built from the model's own tuple of allowed values."""
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


# 64-bit ids on PostgreSQL; on SQLite only INTEGER PRIMARY KEY autoincrements.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
