"""Outbound mail: templates, the outbox table and the sending worker."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import BigId, one_of, utcnow
from ..extensions import db

# queued: waiting for the worker; sent: accepted by the relay; dead: given up (last_error says why);
# suppressed: never sent, the address is on the suppression list.
OUTBOX_STATUSES = ("queued", "sent", "dead", "suppressed")
# What came back about a sent message (a report to its return path): a permanent bounce or a complaint.
OUTBOX_FEEDBACK = ("bounced", "complained")
SUPPRESSION_REASONS = ("bounce", "complaint")


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
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Also serves as a lease: a claimed message is pushed into the future while it is being sent.
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    # Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post on mail to many signers.
    headers: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    # What the mail is about, for the dashboard's mail health and for showing a bounced confirmation
    # (plain ids, not foreign keys: the outbox outlives neither, and mail sits below both layers).
    campaign_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    signature_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    feedback: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    feedback_detail: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    feedback_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)

    __table_args__ = (
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_campaign", "campaign_id", "status"),
        sa.Index("ix_outbox_signature", "signature_id"),
        one_of("status", OUTBOX_STATUSES, "status_known"),
        one_of("feedback", OUTBOX_FEEDBACK, "feedback_known"),
    )


class SuppressedAddress(db.Model):
    """An address no mail goes to any more: it bounced permanently, or its owner marked our mail as
    spam. Keyed by the canonical address, so Gmail's dotted and +tagged forms are one entry."""

    __tablename__ = "suppressed_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_canonical: Mapped[str] = mapped_column(sa.String(254), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(10))
    detail: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    outbox_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)  # the mail that came back
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (one_of("reason", SUPPRESSION_REASONS, "reason_known"),)
