from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import BigId, utcnow
from ..extensions import db


class OutboxMessage(db.Model):
    """A mail written in the same transaction as the change that caused it; the worker sends it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    # Rendered when queued, or (for mail queued on a hot path) NULL until the worker renders
    # templates/email/<kind>.txt/.html from `context` in `locale`.
    body_text: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    body_html: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    context: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    locale: Mapped[str | None] = mapped_column(sa.String(5), nullable=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # template name, for monitoring
    # A file attached by reference, never copied into the outbox (mail.service.Attachment):
    # {"source": "<table>.<column>", "id": row id, "filename": ..., "mimetype": ...}.
    attachment: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")  # queued | sent | dead
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Also serves as a lease: a claimed message is pushed into the future while it is being sent.
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)

    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)
