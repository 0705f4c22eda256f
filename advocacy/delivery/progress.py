"""Watching campaigns grow, off the signing path: the worker runs `watch_due` every minute. It reads
the tallies (never the signatures) and records what was reached since the last run: the count's
milestones (for the campaign's timeline) and each member reaching the campaign's
`delivery_threshold` of constituents ("ready to deliver"; the organisers get one mail per member)."""
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from ..accounts.models import CampaignMember, User
from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import dialect_insert, transaction, utcnow
from ..extensions import db
from ..mail.service import queue_mail
from ..signatures.counting import signature_count
from ..urls import external_url
from .models import Milestone, ThresholdReached
from .tallies import lawmaker_tallies

MILESTONES = (100, 1_000, 10_000, 100_000, 1_000_000)
WATCHED_STATES = ("open", "closed", "delivered")


def milestones_of(campaign: Campaign) -> list[int]:
    return sorted({*MILESTONES, campaign.goal})


def _insert_new(model, **values) -> bool:
    """INSERT unless the row exists (two workers: only one inserts); True when this one did."""
    # RETURNING, not the row count: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING.
    table = model.__table__
    inserted = db.session.execute(dialect_insert(table).values(**values).on_conflict_do_nothing()
                                  .returning(*table.primary_key.columns))
    return inserted.first() is not None


def _organiser_emails(campaign_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(User.email).join(CampaignMember, CampaignMember.user_id == User.id)
        .where(CampaignMember.campaign_id == campaign_id, User.active.is_(True), User.password_hash.is_not(None))
        .order_by(User.email)))


def ready_members(campaign: Campaign) -> dict[str, ThresholdReached]:
    """{bioguide id: when it reached the threshold} for the members marked ready to deliver."""
    return {row.bioguide_id: row for row in db.session.scalars(
        sa.select(ThresholdReached).where(ThresholdReached.campaign_id == campaign.id))}


def milestones_reached(campaign: Campaign) -> list[Milestone]:
    return list(db.session.scalars(sa.select(Milestone).where(Milestone.campaign_id == campaign.id)
                                   .order_by(Milestone.count)))


def _watch(campaign: Campaign) -> tuple[int, int]:
    now = utcnow()
    count = signature_count(campaign.id)
    milestones = members = 0
    with transaction():
        recorded = {m.count for m in milestones_reached(campaign)}
        for milestone in milestones_of(campaign):
            if milestone <= count and milestone not in recorded:
                milestones += _insert_new(Milestone, campaign_id=campaign.id, count=milestone, reached_at=now)
    threshold = campaign.delivery_threshold
    if not threshold:
        return milestones, 0
    already = set(ready_members(campaign))
    for row in lawmaker_tallies(campaign):
        if row["constituents"] < threshold or row["bioguide_id"] in already:
            continue
        with transaction():  # the row and its mails together: told once, never lost
            if not _insert_new(ThresholdReached, campaign_id=campaign.id, bioguide_id=row["bioguide_id"],
                               threshold=threshold, constituents=row["constituents"], reached_at=now):
                continue
            members += 1
            with force_locale("en"):  # organiser accounts have no language of their own
                subject = _("%(member)s is ready to deliver: %(count)s constituents signed",
                            member=row["member"], count=f"{row['constituents']:,}")
            for email in _organiser_emails(campaign.id):
                queue_mail(email, "threshold_reached", subject, campaign=campaign, member=row, threshold=threshold,
                           delivery_url=external_url("exports.delivery_page", slug=campaign.slug))
    return milestones, members


def watch_due() -> tuple[int, int]:
    """Record new milestones and members ready to deliver, for every campaign collecting or done
    collecting; returns how many of each."""
    campaigns = list(db.session.scalars(sa.select(Campaign).where(Campaign.state.in_(WATCHED_STATES))
                                        .order_by(Campaign.id).execution_options(populate_existing=True)))
    milestones = members = 0
    for campaign in campaigns:
        found = _watch(campaign)
        milestones += found[0]
        members += found[1]
    return milestones, members


def set_delivery_threshold(campaign: Campaign, threshold: int | None, user) -> None:
    with transaction():
        db.session.execute(sa.update(Campaign).where(Campaign.id == campaign.id)
                           .values(delivery_threshold=threshold).execution_options(synchronize_session=False))
        record("delivery_threshold", user, campaign, threshold=threshold)
    db.session.refresh(campaign)
