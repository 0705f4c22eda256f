from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import one_of, utcnow
from ..extensions import db
from ..tokens import LinkToken

ROLES = ("admin", "organiser")
ACCOUNT_TOKEN_PURPOSES = ("invite", "reset")


class User(UserMixin, db.Model):
    """An organiser account. `admin` may do everything; `organiser` only their campaigns."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)  # None until invite accepted
    role: Mapped[str] = mapped_column(sa.String(12), default="organiser")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    # Part of every session cookie; raising it (logout, new password) ends all sessions issued before.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    __table_args__ = (one_of("role", ROLES, name="role_known"),)

    @property
    def is_active(self) -> bool:
        return self.active and self.password_hash is not None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: "<id>:<session version>" (see `load_user`)."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self):
        return f"<User {self.email} {self.role}>"


class CampaignMember(db.Model):
    """An organiser who owns or was added to a campaign."""

    __tablename__ = "campaign_members"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class AccountToken(LinkToken, db.Model):
    """A single-use, expiring link for setting a password ("invite" or "reset"); only its SHA-256 is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user = relationship("User")

    __table_args__ = (one_of("purpose", ACCOUNT_TOKEN_PURPOSES, name="purpose_known"),)
