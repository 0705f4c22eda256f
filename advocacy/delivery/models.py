from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db


class DeliveryPacketRecord(db.Model):
    """A generated delivery packet: backs the public /verify/<sha256> page.

    `sha256` is of the signature list CSV the packet summarises: the confirmed signatures of the
    recipient's constituents (or the whole campaign) confirmed up to `generated_at`, ordered by id.
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

    campaign = relationship("Campaign")
