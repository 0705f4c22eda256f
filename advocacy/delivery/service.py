"""Tallies for lawmakers, streamed exports (CSV, OSDI JSON) and delivery packets."""
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import transaction, utcnow
from ..extensions import db
from ..geography.models import Legislator, SignatureDistrict, district_label
from ..geography.service import UNKNOWN_STATE, legislators_by_seat, parse_label, seat_names
from ..signatures.counting import tallies_for
from ..signatures.models import Signature
from ..urls import external_url
from . import tallies
from .map_svg import STATE_NAMES, render_state_map
from .models import DeliveryPacketRecord
from .packet_pdf import DeliveryPacket, PacketComment, PacketDistrictRow, build_packet_pdf

OTHER_AREAS = {"PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
               "MP": "Northern Mariana Islands", UNKNOWN_STATE: "Unknown state"}
MULTI_DISTRICT_RULE = ("A ZIP code that spans several congressional districts is counted in each of them "
                       "(\"may include\"), so district counts can add up to more than the state's; "
                       "every signature counts in exactly one state.")
CSV_COLUMNS = ("full_name", "town", "state", "zip", "districts", "district_note", "confirmed_at",
               "comment", "email")
FLUSH_ROWS = 1000


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


# --- tallies -----------------------------------------------------------------------------

def state_counts(campaign: Campaign) -> dict[str, int]:
    return tallies_for(campaign.id, tallies.STATE)


def state_entries(campaign: Campaign, senate=None) -> list[dict]:
    if senate is None:
        _house, senate = seat_names()
    counts = state_counts(campaign)
    return [{"code": code, "name": state_name(code), "senators": senate.get(code, []),
             "count": n} for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def district_entries(campaign: Campaign, house=None) -> list[dict]:
    if house is None:
        house, _senate = seat_names()
    counts = tallies_for(campaign.id, tallies.DISTRICT)
    partial = tallies_for(campaign.id, tallies.PARTIAL)
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
    """Every member with at least one constituent who signed, most constituents first."""
    house, senate = legislators_by_seat()
    states = state_counts(campaign)
    districts = tallies_for(campaign.id, tallies.DISTRICT)
    partial = tallies_for(campaign.id, tallies.PARTIAL)
    rows = []
    for label, member in house.items():
        if districts.get(label):
            rows.append(_lawmaker_row(member, label, districts[label], partial.get(label, 0)))
    for state, members in senate.items():
        for member in members:
            if states.get(state):
                rows.append(_lawmaker_row(member, "", states[state], 0))
    return sorted(rows, key=lambda r: (-r["constituents"], r["state"], r["district"], r["member"]))


def _lawmaker_row(member: Legislator, label: str, count: int, may_include: int) -> dict:
    return {"bioguide_id": member.bioguide_id, "member": member.name, "chamber": member.chamber,
            "party": member.party, "state": member.state, "district": label,
            "constituents": count, "may_include": may_include}


# --- the signature list ------------------------------------------------------------------

def neutralise(cell: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: prefix them with a quote."""
    return "'" + cell if cell and cell[0] in "=+-@\t\r" else cell


def constituents_filter(member: Legislator | None):
    if member is None:
        return sa.true()
    if member.chamber == "senate":
        return Signature.state == member.state
    label = district_label(member.state, member.district)
    return Signature.id.in_(sa.select(SignatureDistrict.signature_id).where(SignatureDistrict.district == label))


@dataclass
class ListedSignature:
    id: int
    full_name: str
    email: str
    share_email: bool
    postal_code: str
    state: str | None
    town: str | None
    confirmed_at: datetime
    comment: str | None
    districts: list[str]
    shared: bool


def listed_signatures(connection, campaign_id: int, member: Legislator | None = None,
                      until: datetime | None = None) -> Iterator[ListedSignature]:
    """Confirmed signatures in id order, streamed (server-side cursor, constant memory).

    `connection`: the session, or an engine connection owned by a streamed response."""
    s, d = Signature, SignatureDistrict
    stmt = (
        sa.select(s.id, s.full_name, s.email, s.share_email, s.postal_code, s.state, s.town, s.confirmed_at,
                  sa.case((s.comment_status == "approved", s.comment), else_=None), d.district, d.shared)
        .outerjoin(d, d.signature_id == s.id)
        .where(s.campaign_id == campaign_id, s.status == "confirmed", constituents_filter(member))
        .order_by(s.id, d.district)
    )
    if until is not None:
        stmt = stmt.where(s.confirmed_at <= until)
    current = None
    for row in connection.execute(stmt.execution_options(yield_per=2000)):
        if current is not None and current.id == row[0]:
            current.districts.append(row[9])
            continue
        if current is not None:
            yield current
        current = ListedSignature(*row[:9], districts=[row[9]] if row[9] else [], shared=bool(row[10]))
    if current is not None:
        yield current


def _district_note(sig: ListedSignature) -> str:
    if sig.shared:
        return f"may include: ZIP spans {len(sig.districts)} districts"
    if not sig.districts or sig.districts[0].endswith("??"):
        return "district unknown"
    return ""


def csv_chunks(signatures) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for n, sig in enumerate(signatures, 1):
        writer.writerow([neutralise(value) for value in (
            sig.full_name, sig.town or "", sig.state or "", sig.postal_code, " ".join(sig.districts),
            _district_note(sig), sig.confirmed_at.strftime("%Y-%m-%dT%H:%M:%SZ"), sig.comment or "",
            sig.email if sig.share_email else "",
        )])
        if n % FLUSH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def signature_list_digest(campaign: Campaign, until: datetime) -> tuple[str, int]:
    """SHA-256 and row count of the signature CSV as of `until`, in one streaming pass."""
    digest, count = hashlib.sha256(), 0

    def counted():
        nonlocal count
        for sig in listed_signatures(db.session, campaign.id, until=until):
            count += 1
            yield sig

    for chunk in csv_chunks(counted()):
        digest.update(chunk)
    return digest.hexdigest(), count


def osdi_chunks(connection, campaign_id: int, title: str, petition_url: str, origin: str) -> Iterator[bytes]:
    """An OSDI collection of osdi:signature resources, streamed as one JSON document."""
    head = {"title": title, "origin_system": origin, "petition": petition_url}
    yield json.dumps(head)[:-1].encode() + b', "_embedded": {"osdi:signatures": ['
    for n, sig in enumerate(listed_signatures(connection, campaign_id)):
        yield (b"," if n else b"") + json.dumps(_osdi_signature(sig)).encode()
    yield b"]}}"


def _osdi_signature(sig: ListedSignature) -> dict:
    given, _, family = sig.full_name.strip().rpartition(" ")
    person = {
        "given_name": given or family, "family_name": family if given else "",
        "postal_addresses": [{"primary": True, "locality": sig.town or "", "region": sig.state or "",
                              "postal_code": sig.postal_code, "country": "US"}],
    }
    if sig.share_email:
        person["email_addresses"] = [{"primary": True, "address": sig.email}]
    item = {"identifiers": [f"advocacy:signature-{sig.id}"],
            "created_date": sig.confirmed_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "person": person}
    if sig.comment:
        item["comments"] = sig.comment
    return item


def record_export(user, campaign: Campaign, kind: str, **details) -> None:
    with transaction():
        record("export", user, campaign, kind=kind, **details)


# --- delivery packets --------------------------------------------------------------------

class UnknownRecipient(LookupError):
    pass


def recipient(bioguide_id: str | None) -> Legislator | None:
    if not bioguide_id:
        return None
    member = db.session.get(Legislator, bioguide_id)
    if member is None:
        raise UnknownRecipient(bioguide_id)
    return member


def _role(member: Legislator) -> str:
    if member.chamber == "senate":
        return f"U.S. Senator, {state_name(member.state)}"
    return f"U.S. Representative, {district_label(member.state, member.district)}"


def _district_rows(campaign, member) -> list[PacketDistrictRow]:
    rows = []
    for entry in district_entries(campaign):
        state, number = parse_label(entry["code"])
        if member and (state != member.state or (member.chamber == "house" and number != member.district)):
            continue
        note = f"may include {entry['may_include']:,} from shared ZIPs" if entry["may_include"] else ""
        if number is None:
            note = "district unknown"
        rows.append(PacketDistrictRow(entry["code"], entry["member"] or ("" if number is None else "Vacant"),
                                      entry["count"], note))
    return rows


def _comments(campaign, member, until, limit=12) -> list[PacketComment]:
    chosen = db.session.execute(
        sa.select(Signature.full_name, Signature.show_name, Signature.town, Signature.state,
                  Signature.comment)
        .where(Signature.campaign_id == campaign.id, Signature.status == "confirmed",
               Signature.comment_status == "approved", Signature.confirmed_at <= until,
               constituents_filter(member))
        .order_by(Signature.confirmed_at.desc()).limit(limit))
    return [PacketComment(name if show else "A constituent",
                          ", ".join(p for p in (town or "", state or "") if p), comment)
            for name, show, town, state, comment in chosen]


def create_packet(campaign: Campaign, user, bioguide_id: str | None = None) -> tuple[DeliveryPacketRecord, bytes]:
    """Build the packet PDF and record it (and the export) for /verify/<sha256>."""
    member = recipient(bioguide_id)
    generated_at = utcnow()
    sha, total = signature_list_digest(campaign, generated_at)
    constituents = None
    if member is not None:
        constituents = db.session.scalar(
            sa.select(sa.func.count()).select_from(Signature)
            .where(Signature.campaign_id == campaign.id, Signature.status == "confirmed",
                   Signature.confirmed_at <= generated_at, constituents_filter(member)))
    packet = DeliveryPacket(
        campaign_title=campaign.title, ask=campaign.ask, organisation=current_app.config["ORGANISATION_NAME"],
        recipient_name=f"{member.title} {member.name}" if member else None,
        recipient_role=_role(member) if member else None,
        generated_at=generated_at, total_confirmed=total, constituents_count=constituents,
        district_rows=_district_rows(campaign, member), comments=_comments(campaign, member, generated_at),
        signature_list_sha256=sha, verify_url=external_url("delivery.verify", sha256=sha),
        map_svg=render_state_map(state_counts(campaign), title="Signers by state"),
        notes=(MULTI_DISTRICT_RULE,
               (f"The signature list is every confirmed signature up to {generated_at:%Y-%m-%d %H:%M:%S} UTC "
                "as a CSV file (UTF-8, ordered by signature), available to the campaign's organisers."),
               "Names appear with comments only where the signer agreed to show them."),
    )
    pdf = build_packet_pdf(packet)
    with transaction():
        packet_record = DeliveryPacketRecord(
            sha256=sha, campaign_id=campaign.id, recipient=member.bioguide_id if member else "",
            recipient_name=packet.recipient_name or "", generated_at=generated_at, count=total,
            user_id=getattr(user, "id", None))
        db.session.add(packet_record)
        db.session.flush()
        record("export", user, campaign, kind="delivery_packet", packet_id=packet_record.id, sha256=sha,
               recipient=packet_record.recipient, count=total)
    return packet_record, pdf


def packets_for_hash(sha256: str) -> list[DeliveryPacketRecord]:
    """Packets with this fingerprint, of public campaigns only: a draft is not to be revealed (and
    every campaign without signatures shares one fingerprint, that of the empty list)."""
    return list(db.session.scalars(
        sa.select(DeliveryPacketRecord).join(Campaign, Campaign.id == DeliveryPacketRecord.campaign_id)
        .where(DeliveryPacketRecord.sha256 == sha256, Campaign.state != "draft")
        .order_by(DeliveryPacketRecord.generated_at, DeliveryPacketRecord.id)))


def packet_of(campaign: Campaign, packet_id: int) -> DeliveryPacketRecord | None:
    return db.session.scalars(sa.select(DeliveryPacketRecord).where(
        DeliveryPacketRecord.id == packet_id, DeliveryPacketRecord.campaign_id == campaign.id)).one_or_none()


def recent_packets(campaign: Campaign, limit: int = 10) -> list[DeliveryPacketRecord]:
    return list(db.session.scalars(sa.select(DeliveryPacketRecord)
                                   .where(DeliveryPacketRecord.campaign_id == campaign.id)
                                   .order_by(DeliveryPacketRecord.id.desc()).limit(limit)))
