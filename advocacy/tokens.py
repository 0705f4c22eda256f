"""Link tokens (confirm, remove, unsubscribe, invite, reset): one mechanism for every token table.

A token is 256 random bits sent in a link; only its SHA-256 is stored, with a purpose and an
expiry. Each token table has `token_hash`, `purpose`, `expires_at` and `used_at` columns and a
check constraint listing its purposes.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .database import core_connection, utcnow
from .extensions import db


class LinkToken:
    """The columns every token table shares (a declarative mixin); each table adds its owner column
    and `one_of("purpose", ...)` for its purposes."""

    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)


def new_token() -> tuple[str, str]:
    """(raw token for the link, SHA-256 hex to store)."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(model, purpose: str, lifetime: timedelta, raw: str | None = None, **owner) -> str:
    """Add a token row (inside the caller's transaction); returns the raw token for the link.
    `raw`: a token from `new_token` already printed somewhere (e.g. in a document built first)."""
    raw, digest = (raw, hash_token(raw)) if raw else new_token()
    now = utcnow()
    # A table-level INSERT: no ORM object to track (pending objects are flushed first, so an owner
    # added in the same transaction is already there).
    core_connection().execute(model.__table__.insert(), {
        "purpose": purpose, "token_hash": digest, "created_at": now, "expires_at": now + lifetime, **owner})
    return raw


def issue_tokens_for_many(model, lifetimes: dict[str, timedelta], owner_column: str,
                          owner_ids: list[int]) -> dict[int, dict[str, str]]:
    """Several tokens for each of many owners (a worker's batch) in one INSERT, inside the caller's
    transaction: {purpose: lifetime} -> {owner id: {purpose: raw token for the link}}."""
    now = utcnow()
    raws, rows = {}, []
    for owner_id in owner_ids:
        raws[owner_id] = {}
        for purpose, lifetime in lifetimes.items():
            raws[owner_id][purpose], digest = new_token()
            rows.append({"purpose": purpose, "token_hash": digest, "created_at": now, "expires_at": now + lifetime,
                         "used_at": None, owner_column: owner_id})
    if rows:
        core_connection().execute(model.__table__.insert(), rows)
    return raws


def find_token(model, raw: str, purpose: str, *options):
    """The token row for this link and purpose, or None. Expiry and use are the caller's to judge.
    `options`: loader options, e.g. joinedload of what the token is for."""
    return db.session.scalars(
        sa.select(model).where(model.token_hash == hash_token(raw), model.purpose == purpose).options(*options)
    ).one_or_none()


def is_expired(token) -> bool:
    return token.expires_at < utcnow()
