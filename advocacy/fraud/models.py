from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import BigId, utcnow
from ..extensions import db


class InvalidationBatch(db.Model):
    """One run of "invalidate signatures matching these filters"; its items make it undoable exactly."""

    __tablename__ = "invalidation_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    affected: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    undone_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    user = relationship("User", foreign_keys=[user_id])


class InvalidatedSignature(db.Model):
    """A signature a batch changed, with the status it had, so undo restores exactly that."""

    __tablename__ = "invalidated_signatures"

    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invalidation_batches.id", ondelete="CASCADE"), primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True, index=True)
    previous_status: Mapped[str] = mapped_column(sa.String(12))
