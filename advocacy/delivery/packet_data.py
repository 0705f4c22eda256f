"""The parts of a delivery packet beyond the totals: the formal address of its recipient, the
constituents split by whether their ZIP lies wholly in the district, the senators' state table and
the places the map cannot draw. :func:`packet_details` returns them as `DeliveryPacket` fields."""
import re
from datetime import datetime

import sqlalchemy as sa

from ..campaigns.models import Campaign
from ..extensions import db
from ..geography.models import Legislator, SignatureDistrict, district_label
from ..geography.service import last_name
from ..signatures.models import Signature
from .map_svg import STATE_NAMES
from .packet_pdf import PacketPlaceRow, PacketStateRow
from .tallies import state_entries, state_name

MILITARY_AREAS = {"AE": "Armed Forces Europe, Middle East, Africa and Canada", "AP": "Armed Forces Pacific",
                  "AA": "Armed Forces Americas"}
# "2136 Rayburn House Office Building Washington DC 20515-5101" -> two lines.
_CITY_LINE = re.compile(r"^(?P<street>.+?)\s+(?P<city>Washington),?\s+(?P<state>DC)\s+(?P<zip>\d{5}(?:-\d{4})?)$")


def role(member: Legislator) -> str:
    """"U.S. Senator, California", "U.S. Representative, CA-12", "Delegate, DC-AL",
    "Resident Commissioner, Puerto Rico"."""
    if member.chamber == "senate":
        return f"U.S. Senator, {state_name(member.state)}"
    if member.office == "Representative":
        return f"U.S. Representative, {district_label(member.state, member.district)}"
    return f"{member.office}, {state_name(member.state)}"


def address_lines(address: str) -> list[str]:
    address = " ".join((address or "").split())
    if not address:
        return []
    found = _CITY_LINE.match(address)
    if not found:
        return [address]
    return [found["street"], f"{found['city']}, {found['state']} {found['zip']}"]


def place_name(code: str) -> str:
    return MILITARY_AREAS.get(code) or ("Unknown ZIP code" if code == "??" else state_name(code))


def constituent_counts(campaign: Campaign, member: Legislator, until: datetime) -> tuple[int, int | None]:
    """(signers who are constituents for certain, signers from ZIPs shared with other districts).

    A senator's constituents are the state's signers (every signature has one state); a House
    member's are the signers whose ZIP lies wholly in the district, and those whose ZIP spans it
    and another district only "may" live there."""
    signed = (Signature.campaign_id == campaign.id, Signature.status == "confirmed",
              Signature.confirmed_at <= until)
    if member.chamber == "senate":
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Signature)
                                  .where(*signed, Signature.state == member.state))
        return count or 0, None
    label = district_label(member.state, member.district)
    rows = db.session.execute(
        sa.select(SignatureDistrict.shared, sa.func.count())
        .join(Signature, Signature.id == SignatureDistrict.signature_id)
        .where(*signed, SignatureDistrict.district == label).group_by(SignatureDistrict.shared)).all()
    by_shared = {bool(shared): n for shared, n in rows}
    return by_shared.get(False, 0), by_shared.get(True, 0)


def senator_rows(campaign: Campaign) -> list[PacketStateRow]:
    """One row per state with signers (senators sit for states: not DC or the territories)."""
    return [PacketStateRow(entry["name"], ", ".join(f"Sen. {name}" for name in entry["senators"]) or "Vacant",
                           entry["count"])
            for entry in sorted(state_entries(campaign), key=lambda e: e["name"])
            if entry["code"] in STATE_NAMES and entry["code"] != "DC"]


def unmapped_places(counts: dict[str, int]) -> list[PacketPlaceRow]:
    """Signers outside the map (territories, military mail, unknown places), largest first."""
    return [PacketPlaceRow(code, place_name(code), n)
            for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if code not in STATE_NAMES and n > 0]


def packet_details(campaign: Campaign, member: Legislator | None, until: datetime,
                   state_counts: dict[str, int]) -> dict:
    """The `DeliveryPacket` fields for the recipient (its role and constituents too), the senators'
    table and unmapped places."""
    details: dict = {"unmapped_places": unmapped_places(state_counts), "recipient_role": None,
                     "constituents_count": None}
    if member is None:
        details["senator_rows"] = senator_rows(campaign)
        return details
    constituents, shared = constituent_counts(campaign, member, until)
    details.update(
        recipient_title=member.office, recipient_full_name=member.name, recipient_last_name=last_name(member),
        recipient_address=address_lines(member.address), recipient_role=role(member),
        constituents_count=constituents, shared_zip_count=shared)
    return details
