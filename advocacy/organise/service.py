import sqlalchemy as sa

from ..campaigns.models import Campaign
from ..extensions import db
from ..signatures.counting import signature_count
from ..signatures.models import Signature


def status_counts(campaign: Campaign) -> dict[str, int]:
    """Signatures per status (pending, confirmed, removed, invalidated) for the dashboard."""
    rows = db.session.execute(
        sa.select(Signature.status, sa.func.count()).where(Signature.campaign_id == campaign.id)
        .group_by(Signature.status))
    counts = dict.fromkeys(("pending", "confirmed", "removed", "invalidated"), 0)
    counts.update({status: n for status, n in rows})
    return counts


def dashboard_summary(campaign: Campaign) -> dict:
    counts = status_counts(campaign)
    attempted = counts["pending"] + counts["confirmed"]
    return {
        "count": signature_count(campaign.id),
        "statuses": counts,
        "confirmation_rate": round(100 * counts["confirmed"] / attempted) if attempted else None,
    }
