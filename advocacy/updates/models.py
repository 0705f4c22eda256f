from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import BigId, utcnow
from ..extensions import db


class CampaignUpdate(db.Model):
    """News posted by organisers: shown on the campaign page, mailed to signers who opted in.

    The worker mails it in batches (`updates.service.fan_out_due`): each batch queues the mails of
    the next signers after `fanout_last_signature_id` and advances that cursor and `recipients` in
    one transaction; `fanout_done_at` is set when no signer is left."""

    __tablename__ = "campaign_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    title: Mapped[str] = mapped_column(sa.String(140))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown, sanitised on render
    recipients: Mapped[int] = mapped_column(sa.Integer, default=0)  # mails queued so far
    fanout_total: Mapped[int] = mapped_column(sa.Integer, default=0)  # opted-in confirmed signers when posted
    fanout_last_signature_id: Mapped[int] = mapped_column(BigId, default=0)  # mailed every signer up to this id
    fanout_done_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    campaign = relationship("Campaign")
