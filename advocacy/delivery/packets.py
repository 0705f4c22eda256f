"""Delivery packets: a PDF for a member (or the whole campaign) citing the SHA-256 of the signature
list it summarises, recorded so /verify/<sha256> can confirm it."""
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import transaction, utcnow
from ..extensions import db
from ..geography.models import Legislator
from ..geography.service import parse_label
from ..signatures.models import Signature
from ..urls import external_url
from .exports import constituents_filter, csv_chunks, listed_signatures
from .map_svg import render_state_map
from .models import DeliveryPacketRecord
from .packet_data import packet_details
from .packet_pdf import DeliveryPacket, PacketComment, PacketDistrictRow, build_packet_pdf
from .tallies import MULTI_DISTRICT_RULE, district_entries, state_counts


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


class UnknownRecipient(LookupError):
    pass


def recipient(bioguide_id: str | None) -> Legislator | None:
    if not bioguide_id:
        return None
    member = db.session.get(Legislator, bioguide_id)
    if member is None:
        raise UnknownRecipient(bioguide_id)
    return member


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
    states = state_counts(campaign)
    packet = DeliveryPacket(
        campaign_title=campaign.title, ask=campaign.ask, organisation=current_app.config["ORGANISATION_NAME"],
        recipient_name=f"{member.title} {member.name}" if member else None,
        generated_at=generated_at, total_confirmed=total,
        district_rows=_district_rows(campaign, member), comments=_comments(campaign, member, generated_at),
        signature_list_sha256=sha, verify_url=external_url("delivery.verify", sha256=sha),
        map_svg=render_state_map(states, title="Signers by state"),
        notes=(MULTI_DISTRICT_RULE,
               (f"The signature list is every confirmed signature up to {generated_at:%Y-%m-%d %H:%M:%S} UTC "
                "as a CSV file (UTF-8, ordered by signature), available to the campaign's organisers."),
               "Names appear with comments only where the signer agreed to show them."),
        **packet_details(campaign, member, generated_at, states),
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
