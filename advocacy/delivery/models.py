from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..database import BigId, one_of, utcnow
from ..extensions import db
from ..tokens import LinkToken


class DeliveryPacketRecord(db.Model):
    """A delivery: a generated packet, frozen. Backs /verify/<sha256> and the office link.

    `sha256` is of the signature list CSV the packet summarises: the confirmed signatures of the
    recipient's constituents (or, for the whole campaign, of the targeted states) confirmed up to
    `generated_at`. The CSV is stored (gzip) and the PDF too, so later moderation, withdrawal or
    invalidation never changes what was delivered: downloads return these bytes byte for byte.
    Packets made before the copies were stored (`csv_gzip` NULL) are rebuilt from the signatures.
    """

    __tablename__ = "delivery_packets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not unique: one list can back several packets (a regenerated packet; VT's member and senators).
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(sa.String(10), default="")  # bioguide id; "" = whole campaign
    recipient_name: Mapped[str] = mapped_column(sa.String(160), default="")
    generated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    count: Mapped[int] = mapped_column(sa.Integer)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    csv_gzip: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    # The packet's content frozen when it was created (JSON of packet_pdf.DeliveryPacket), until the
    # worker renders it into `pdf` and clears it. Set and `pdf` NULL: "being prepared".
    pdf_spec: Mapped[str | None] = mapped_column(sa.Text, nullable=True, deferred=True)
    # When the stored list and PDF were deleted at the end of the personal-data lifetime
    # (privacy.anonymise_due); sha256, count and the rest stay so /verify still says what it covered.
    purged_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)

    campaign = relationship("Campaign")

    # Read in SQL, so listing packets loads neither the PDF nor its content.
    preparing: Mapped[bool] = column_property(sa.and_(pdf_spec.column.is_not(None), pdf.column.is_(None)))
    has_list: Mapped[bool] = column_property(csv_gzip.column.is_not(None))


DELIVERY_TOKEN_PURPOSES = ("office",)


class DeliveryToken(LinkToken, db.Model):
    """The private link of a delivery for the office that receives it (tokens.py; hash only).
    `used_at`: when the office first opened its page; `last_opened_at` and `open_count`: every opening."""

    __tablename__ = "delivery_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    packet_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_packets.id", ondelete="CASCADE"), index=True)
    last_opened_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    open_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    packet = relationship("DeliveryPacketRecord")

    __table_args__ = (one_of("purpose", DELIVERY_TOKEN_PURPOSES, name="purpose_known"),)


class OfficeContact(db.Model):
    """The address an organiser sends a member's deliveries to, per campaign (office staff differ
    by issue)."""

    __tablename__ = "office_contacts"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    bioguide_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class OfficeSend(db.Model):
    """A delivery sent by email: the outbox message that carries it (its status says whether the
    SMTP server accepted it, or why it failed) and the office link in it (its openings)."""

    __tablename__ = "office_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    packet_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_packets.id", ondelete="CASCADE"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    outbox_message_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("outbox_messages.id", ondelete="SET NULL"), nullable=True)
    token_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("delivery_tokens.id", ondelete="SET NULL"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    packet = relationship("DeliveryPacketRecord")
    message = relationship("OutboxMessage")
    token = relationship("DeliveryToken")


CWC_STATUSES = ("queued", "accepted", "failed")


class CwcMessage(db.Model):
    """A letter sent through Communicating with Congress: its XML as posted (kept until the outcome is
    final, then cleared: it holds the signer's address), and the outcome."""

    __tablename__ = "cwc_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    letter_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)  # the letter it carries
    bioguide_id: Mapped[str] = mapped_column(sa.String(10))
    delivery_id: Mapped[str] = mapped_column(sa.String(32), unique=True)  # CWC DeliveryId
    xml: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)  # last posted
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)  # accepted or refused

    __table_args__ = (one_of("status", CWC_STATUSES, name="status_known"),
                      sa.Index("ix_cwc_messages_due", "status", "next_attempt_at"))


class ThresholdReached(db.Model):
    """A member reached the campaign's `delivery_threshold` of constituents: ready to deliver.
    One row per campaign and member, so organisers are told once."""

    __tablename__ = "thresholds_reached"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    bioguide_id: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    threshold: Mapped[int] = mapped_column(sa.Integer)
    constituents: Mapped[int] = mapped_column(sa.Integer)
    reached_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class Milestone(db.Model):
    """The campaign's count passed `count` (noticed by the worker within a minute): the timeline."""

    __tablename__ = "campaign_milestones"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    reached_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
