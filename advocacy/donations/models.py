from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import BigId, one_of, utcnow
from ..extensions import db

DONATION_STATUSES = ("pending", "paid", "failed", "expired", "refunded")


class Donation(db.Model):
    """One attempt to give. Only verified Stripe webhooks move it past `pending` (see webhooks.py)."""

    __tablename__ = "donations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    signature_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("signatures.id", ondelete="SET NULL"), nullable=True)
    amount_cents: Mapped[int] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3), default="usd")
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True, nullable=True)
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), nullable=True, index=True)
    # From the signature when known; replaced by the address the donor gave Stripe once paid.
    donor_email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    locale: Mapped[str] = mapped_column(sa.String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    refunded_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    # Cumulative, as Stripe reports it (a partial refund leaves the donation `paid`).
    refunded_amount_cents: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Why a donation ended without payment (e.g. the Stripe error when creating the session).
    failure_reason: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)

    campaign = relationship("Campaign")

    __table_args__ = (
        one_of("status", DONATION_STATUSES, name="status_known"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.Index("ix_donations_campaign_status", "campaign_id", "status"),
    )

    def __repr__(self):
        return f"<Donation {self.id} {self.amount_cents} {self.status}>"


class StripeEvent(db.Model):
    """Each webhook event we acted on, once: the unique event_id makes replays no-ops.

    A refund that arrives before we know which donation it belongs to is kept here
    (donation_id NULL, with its payment intent and amount) and applied when the payment arrives.
    """

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(80))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    donation_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("donations.id", ondelete="SET NULL"), nullable=True, index=True)
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), nullable=True, index=True)
    amount_cents: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
