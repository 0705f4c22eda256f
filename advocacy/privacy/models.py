from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import BigId, one_of, utcnow
from ..extensions import db

# "access": the mailed link that shows everything stored about an address and lets its owner erase it.
PRIVACY_TOKEN_PURPOSES = ("access",)


class PrivacyToken(db.Model):
    """A link mailed to an address (not to one signature): it covers every signature and donation
    stored under that canonical email. Only its SHA-256 is stored."""

    __tablename__ = "privacy_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email_canonical: Mapped[str] = mapped_column(sa.String(254), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)

    __table_args__ = (one_of("purpose", PRIVACY_TOKEN_PURPOSES, name="purpose_known"),)
