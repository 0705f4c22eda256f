from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, attribute_keyed_dict, mapped_column, relationship

from ..campaigns.models import TRANSLATION_LOCALES
from ..database import BigId, one_of, utcnow
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
    # Whom it is mailed to: every opted-in signer (both NULL), those of one state ("CA"), or those of
    # one House district ("CA-11": signers whose ZIP lies wholly or partly in it).
    audience_state: Mapped[str | None] = mapped_column(sa.String(2), nullable=True)
    audience_district: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    # Set when the update reports a member's response (mailed with the response's own template).
    response_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member_responses.id", ondelete="SET NULL"), nullable=True)

    campaign = relationship("Campaign")
    response = relationship("MemberResponse")
    # The update in other languages, by locale; each signer is mailed the one in their language.
    translations = relationship("CampaignUpdateTranslation", collection_class=attribute_keyed_dict("locale"),
                                cascade="all, delete-orphan", passive_deletes=True)


class CampaignUpdateTranslation(db.Model):
    __tablename__ = "campaign_update_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign_updates.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(sa.String(5))
    title: Mapped[str] = mapped_column(sa.String(140))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown, sanitised on render

    __table_args__ = (
        sa.UniqueConstraint("update_id", "locale", name="uq_campaign_update_translations_update_locale"),
        one_of("locale", TRANSLATION_LOCALES, name="locale_known"),
    )


STANCES = ("supports", "opposes", "undecided", "no_reply")


class MemberResponse(db.Model):
    """What a member answered, recorded by an organiser; the latest per member is shown on the
    campaign page's accountability table and mailed to that member's signers who asked for updates."""

    __tablename__ = "member_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    bioguide_id: Mapped[str] = mapped_column(sa.String(10))
    member_name: Mapped[str] = mapped_column(sa.String(160))  # "Rep. Nancy Pelosi", as when recorded
    responded_on: Mapped[date] = mapped_column(sa.Date)
    stance: Mapped[str] = mapped_column(sa.String(10))
    quote: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (one_of("stance", STANCES, name="stance_known"),
                      sa.Index("ix_member_responses_campaign_member", "campaign_id", "bioguide_id"))
