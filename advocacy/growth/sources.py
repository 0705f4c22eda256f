"""Where signers come from (per ?source= code) and where to push (targeted districts short of the
campaign's district threshold), for the dashboard panel; and setting that threshold."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import transaction
from ..extensions import db
from ..geography.service import members_by_seat, parse_label
from ..signatures.counting import DISTRICT, STATE, tallies_for
from ..signatures.models import Signature

SHORT_LIST_LENGTH = 20
MAX_DISTRICT_THRESHOLD = 1_000_000


def source_rows(campaign: Campaign) -> list[dict]:
    """Per source (None: direct visits): signed (every signature), confirmed (counted now), awaiting
    confirmation, and the confirmation rate as the dashboard summary computes it (confirmed of
    confirmed and awaiting). Most confirmed first."""
    rows = db.session.execute(
        sa.select(Signature.source, Signature.status, sa.func.count())
        .where(Signature.campaign_id == campaign.id)
        .group_by(Signature.source, Signature.status))
    sources: dict = {}
    for source, status, n in rows:
        entry = sources.setdefault(source, {"source": source, "signed": 0, "confirmed": 0, "pending": 0})
        entry["signed"] += n
        if status in ("confirmed", "pending"):
            entry[status] += n
    for entry in sources.values():
        attempted = entry["confirmed"] + entry["pending"]
        entry["rate"] = round(100 * entry["confirmed"] / attempted) if attempted else None
    return sorted(sources.values(), key=lambda e: (-e["confirmed"], -e["signed"], e["source"] or ""))


def places_short(campaign: Campaign) -> dict:
    """The targeted places below `campaign.district_threshold` confirmed signers, nearest to it
    first: House districts when the campaign addresses the House, else states (Senate only)."""
    threshold = campaign.district_threshold
    house, senate = members_by_seat()
    if campaign.targets_chamber("house"):
        kind = "district"
        counts = tallies_for(campaign.id, DISTRICT)
        places = {label: member.name for label, member in house.items()
                  if campaign.targets_state(parse_label(label)[0])}
    else:
        kind = "state"
        counts = tallies_for(campaign.id, STATE)
        places = {state: ", ".join(m.name for m in members) for state, members in senate.items()
                  if campaign.targets_state(state)}
    rows = [{"place": place, "member": member, "count": counts.get(place, 0),
             "missing": threshold - counts.get(place, 0)} for place, member in places.items()]
    short = sorted((r for r in rows if r["count"] < threshold), key=lambda r: (r["missing"], r["place"]))
    return {"kind": kind, "threshold": threshold, "targeted": len(rows), "reached": len(rows) - len(short),
            "short": short[:SHORT_LIST_LENGTH], "short_total": len(short)}


class ThresholdError(ValueError):
    pass


def set_district_threshold(campaign: Campaign, threshold: int, user) -> None:
    if not 1 <= threshold <= MAX_DISTRICT_THRESHOLD:
        raise ThresholdError(_l("Enter a whole number from 1 to 1,000,000"))
    with transaction():
        if campaign.district_threshold != threshold:
            record("district_threshold", user, campaign, old=campaign.district_threshold, new=threshold)
            campaign.district_threshold = threshold
