"""Database helpers: one place owns commit/rollback, plus portable upserts and time."""
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache

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


def session_in_transaction() -> bool:
    """Whether this request or task has a session in a transaction (asked without creating one)."""
    return db.session.registry.has() and db.session().in_transaction()


class AutocommitStatement:
    """A Core statement compiled once, sent straight to the driver (psycopg) in autocommit on a
    connection of the engine's pool: one round trip, with no BEGIN or COMMIT of its own and none of
    SQLAlchemy's execution layer, which costs more CPU than the statement itself on a hot path. For
    a statement that is atomic on its own (data-modifying CTEs), sent when no transaction is open
    in the session (`session_in_transaction`), so it never waits on a lock the request holds.

    Bound values go through SQLAlchemy's own bind processors (JSON, arrays, booleans), so the
    statement takes the same parameters as through `Connection.execute`."""

    def __init__(self, statement, engine: Engine):
        self._compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(self._compiled)
        # SQLAlchemy's per-parameter conversions for this dialect (what its execution layer applies).
        self._processors = dict(self._compiled._bind_processors)
        self._engine = engine

    def parameters(self, values: dict) -> dict:
        params = self._compiled.construct_params(values)
        for name, process in self._processors.items():
            if params.get(name) is not None:
                params[name] = process(params[name])
        return params

    def first_row(self, values: dict) -> tuple | None:
        pooled = self._engine.raw_connection()
        try:
            driver = pooled.driver_connection
            driver.autocommit = True
            try:
                # prepare=True: PostgreSQL plans it once per connection, not on every call.
                return driver.execute(self.sql, self.parameters(values), prepare=True).fetchone()
            finally:
                driver.autocommit = False  # as the pool hands connections out
        finally:
            pooled.close()


@lru_cache(maxsize=32)
def _alone(statement, engine: Engine) -> AutocommitStatement:
    return AutocommitStatement(statement, engine)


def first_row_alone(statement, values: dict) -> tuple | None:
    """The first row of `statement` (a module-level statement, atomic on its own), committed. On
    PostgreSQL, when the session has no transaction open, one round trip in autocommit
    (AutocommitStatement); otherwise in a transaction of the session. Either way the objects the
    session holds stay loaded."""
    engine = db.engine
    if engine.dialect.name == "postgresql" and not session_in_transaction():
        return _alone(statement, engine).first_row(values)
    with transaction(keep_loaded=True):
        return core_connection().execute(statement, values).first()


# A table is analyzed again once it has changed by as many rows as it held at its last analyze.
ANALYZE_AFTER_ROWS = 200


def analyze_grown_tables(floor: int = ANALYZE_AFTER_ROWS) -> list[str]:
    """PostgreSQL: ANALYZE each of our tables that has changed by at least as many rows as it held
    at its last analyze (and at least `floor`); returns their names. Elsewhere nothing.

    PostgreSQL keeps a cached plan (a prepared statement's, and each foreign-key check's own query)
    until the next ANALYZE of its tables. On a table that starts empty and grows fast, a new
    install's first surge, the plans are made while it is tiny: the key checks of each new
    signature's districts and tokens then read the whole signatures table, five times per
    signature, and autovacuum's first look can be a minute and tens of thousands of rows away.
    Analyzing each time a table doubles remakes them at log2(rows) small costs per table."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        grown = connection.execute(sa.text(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
            " WHERE s.schemaname = current_schema() AND s.n_mod_since_analyze >= greatest(:floor, c.reltuples)"
            " ORDER BY s.relname"), {"floor": floor}).scalars().all()
        quote = connection.dialect.identifier_preparer.quote
        for name in grown:
            # A name read from the catalogue, quoted as an identifier (ANALYZE takes no parameters).
            connection.execute(sa.text(f"ANALYZE (SKIP_LOCKED) {quote(name)}"))
    return list(grown)


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
