from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..accounts.service import add_member
from ..audit.service import record
from ..bots.service import BOT_TRAPS
from ..campaigns.models import Campaign
from ..campaigns.service import save_translations
from ..database import transaction, utcnow
from ..delivery.tallies import state_counts
from ..extensions import db
from ..signatures.counting import signature_count
from ..signatures.models import SIGNATURE_STATUSES, Signature

EDITABLE_FIELDS = ("title", "slug", "ask", "summary", "background", "call_script", "letter_prompts",
                   "target_chamber", "target_states", "goal", "opens_at", "closes_at")


class AuthoringError(ValueError):
    """`field` names the form field the message belongs to."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def status_counts(campaign: Campaign) -> dict[str, int]:
    """Signatures per status (pending, confirmed, held, removed, invalidated) for the dashboard."""
    rows = db.session.execute(
        sa.select(Signature.status, sa.func.count()).where(Signature.campaign_id == campaign.id)
        .group_by(Signature.status))
    counts = dict.fromkeys(SIGNATURE_STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def bot_attempts(campaign: Campaign) -> int:
    """Pending signatures whose form sprang a bot trap: never mailed, so not awaiting anyone."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Signature)
        .where(Signature.campaign_id == campaign.id, Signature.status == "pending",
               Signature.hold_reason.in_(BOT_TRAPS)))


def dashboard_summary(campaign: Campaign) -> dict:
    counts = status_counts(campaign)
    stopped = bot_attempts(campaign)
    counts["pending"] -= stopped  # "awaiting confirmation", and the rate, leave scripts out
    attempted = counts["pending"] + counts["confirmed"]
    return {
        "count": signature_count(campaign.id),
        "statuses": counts,
        "bot_attempts": stopped,
        "confirmation_rate": round(100 * counts["confirmed"] / attempted) if attempted else None,
    }


# --- Authoring ---

def _slug_taken(slug: str, campaign_id: int | None) -> bool:
    query = sa.select(Campaign.id).where(Campaign.slug == slug)
    if campaign_id is not None:
        query = query.where(Campaign.id != campaign_id)
    return db.session.scalar(query) is not None


def has_signatures(campaign: Campaign) -> bool:
    return db.session.scalar(sa.select(Signature.id).where(Signature.campaign_id == campaign.id).limit(1)) \
        is not None


def create_campaign(fields: dict, user, translations: dict | None = None) -> Campaign:
    """A new draft campaign (with its Spanish version, if written); its author becomes a member."""
    with transaction():
        if _slug_taken(fields["slug"], None):
            raise AuthoringError("slug", _l("Another campaign uses this web address name"))
        campaign = Campaign(state="draft", **{k: fields[k] for k in EDITABLE_FIELDS})
        db.session.add(campaign)
        save_translations(campaign, translations or {})
        db.session.flush()
        add_member(campaign, user)
        record("campaign_create", user, campaign, slug=campaign.slug)
    return campaign


def update_campaign(campaign: Campaign, fields: dict, user, translations: dict | None = None) -> Campaign:
    """Save edits; the slug is frozen once anyone has signed (links in mails would break)."""
    with transaction():
        if fields["slug"] != campaign.slug:
            if has_signatures(campaign):
                raise AuthoringError("slug", _l("People have signed, so the web address cannot change"))
            if _slug_taken(fields["slug"], campaign.id):
                raise AuthoringError("slug", _l("Another campaign uses this web address name"))
        changed = sorted(k for k in EDITABLE_FIELDS if getattr(campaign, k) != fields[k])
        for name in changed:
            setattr(campaign, name, fields[name])
        if translations is not None:
            changed += save_translations(campaign, translations)
        if changed:
            record("campaign_edit", user, campaign, fields=changed)
    return campaign


# --- Dashboard figures ---

def _day(column):
    return sa.func.date(column)


def signatures_per_day(campaign: Campaign, days: int = 30) -> list[tuple[date, int]]:
    """Confirmed signatures per day (UTC) for the last `days` days, zeros included."""
    today = utcnow().date()
    start = today - timedelta(days=days - 1)
    rows = db.session.execute(
        sa.select(_day(Signature.confirmed_at), sa.func.count())
        .where(Signature.campaign_id == campaign.id, Signature.status == "confirmed",
               Signature.confirmed_at >= datetime.combine(start, time()))
        .group_by(_day(Signature.confirmed_at))
    )
    counts = {(d if isinstance(d, date) else date.fromisoformat(str(d))): n for d, n in rows}
    return [(start + timedelta(days=i), counts.get(start + timedelta(days=i), 0)) for i in range(days)]


def top_states(campaign: Campaign, limit: int = 5) -> list[tuple[str, int]]:
    """States with the most confirmed signatures (from the state tallies), ties by state code."""
    return sorted(state_counts(campaign).items(), key=lambda item: (-item[1], item[0]))[:limit]
