"""Counts for lawmakers: signatures by state, by district and by member, read from the tallies
(never by scanning signatures), with the names offices and pages show."""
from ..campaigns.models import Campaign
from ..geography.service import UNKNOWN_STATE, members_by_seat, parse_label, seat_names
from ..signatures.counting import DISTRICT, PARTIAL, STATE, tallies_for
from .map_svg import STATE_NAMES

OTHER_AREAS = {"PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
               "MP": "Northern Mariana Islands", UNKNOWN_STATE: "Unknown state"}
MULTI_DISTRICT_RULE = ("A ZIP code that spans several congressional districts is counted in each of them "
                       "(\"may include\"), so district counts can add up to more than the state's; "
                       "every signature counts in exactly one state.")


def state_name(code: str) -> str:
    return STATE_NAMES.get(code) or OTHER_AREAS.get(code, code)


def district_name(label: str) -> str:
    state, number = parse_label(label)
    if number is None:
        return f"{state_name(state)}, district unknown"
    return f"{state_name(state)} at-large" if number == 0 else f"{state_name(state)} district {number}"


def _district_sort(label: str):
    state, number = parse_label(label)
    return (state, 999 if number is None else number)


def state_counts(campaign: Campaign) -> dict[str, int]:
    return tallies_for(campaign.id, STATE)


def state_entries(campaign: Campaign, senate=None) -> list[dict]:
    if senate is None:
        _house, senate = seat_names()
    counts = state_counts(campaign)
    return [{"code": code, "name": state_name(code), "senators": senate.get(code, []),
             "count": n} for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def district_entries(campaign: Campaign, house=None) -> list[dict]:
    if house is None:
        house, _senate = seat_names()
    counts = tallies_for(campaign.id, DISTRICT)
    partial = tallies_for(campaign.id, PARTIAL)
    entries = []
    for label in sorted(counts, key=_district_sort):
        entries.append({"code": label, "name": district_name(label),
                        "member": house.get(label), "count": counts[label],
                        "may_include": partial.get(label, 0)})
    return entries


def public_tallies(campaign: Campaign) -> dict:
    """For the campaign JSON: reads tallies (never scans signatures); no personal data."""
    house, senate = seat_names()
    return {"signatures_by_state": state_entries(campaign, senate),
            "signatures_by_district": district_entries(campaign, house),
            "district_rule": MULTI_DISTRICT_RULE}


def lawmaker_tallies(campaign: Campaign) -> list[dict]:
    """Every member the campaign addresses (`Campaign.targets_member`) with at least one constituent
    who signed, most constituents first."""
    house, senate = members_by_seat()  # plain copies held in memory per process
    states = state_counts(campaign)
    districts = tallies_for(campaign.id, DISTRICT)
    partial = tallies_for(campaign.id, PARTIAL)
    rows = []
    for label, member in house.items():
        if districts.get(label) and campaign.targets_member(member):
            rows.append(_lawmaker_row(member, label, districts[label], partial.get(label, 0)))
    for state, members in senate.items():
        for member in members:
            if states.get(state) and campaign.targets_member(member):
                rows.append(_lawmaker_row(member, "", states[state], 0))
    return sorted(rows, key=lambda r: (-r["constituents"], r["state"], r["district"], r["member"]))


def _lawmaker_row(member, label: str, count: int, may_include: int) -> dict:
    return {"bioguide_id": member.bioguide_id, "member": member.name, "chamber": member.chamber,
            "party": member.party, "state": member.state, "district": label,
            "constituents": count, "may_include": may_include}


