"""Delivery packets: a PDF for a member (or the whole campaign) citing the SHA-256 of the signature
list it summarises, recorded so /verify/<sha256> can confirm it."""
import gzip
import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import undefer

from ..audit.service import record
from ..campaigns.models import Campaign, join_codes
from ..database import is_postgres, transaction, utcnow
from ..extensions import db
from ..geography.models import Legislator, SignatureDistrict, district_label
from ..geography.service import parse_label
from ..signatures.letters import Letter
from ..signatures.models import Signature
from ..tokens import find_token, is_expired, issue_token, new_token
from ..urls import external_url
from .exports import constituents_filter, csv_chunks, listed_signatures
from .map_svg import render_state_map
from .models import DeliveryPacketRecord, DeliveryToken
from .packet_data import packet_details
from .packet_pdf import (
    DeliveryPacket,
    PacketComment,
    PacketDistrictRow,
    PacketLetter,
    build_packet_pdf,
    packet_from_json,
    packet_to_json,
)
from .tallies import MULTI_DISTRICT_RULE, district_entries, state_counts

log = logging.getLogger(__name__)
OFFICE_LINK_LIFETIME = timedelta(days=730)  # offices work through their mail slowly


def signature_list_digest(campaign: Campaign, until: datetime) -> tuple[str, int]:
    """SHA-256 and row count of the whole campaign's signature CSV as of `until`, in one streaming pass."""
    digest, count = hashlib.sha256(), 0

    def counted():
        nonlocal count
        for sig in listed_signatures(db.session, campaign.id, until=until):
            count += 1
            yield sig

    for chunk in csv_chunks(counted()):
        digest.update(chunk)
    return digest.hexdigest(), count


def delivered_signatures(campaign: Campaign, member: Legislator | None, until: datetime):
    """What a delivery lists: a member's constituents (for a representative, the signers sure to live
    in the district first, then those from ZIPs the district shares, "may include"), or for the
    whole campaign every signer in the targeted states (`Campaign.targets_state`)."""
    signatures = listed_signatures(db.session, campaign.id, member, until=until)
    if member is None:
        return (sig for sig in signatures if campaign.targets_state(sig.state))
    return sorted(signatures, key=lambda sig: sig.shared)  # stable: id order within each group


@dataclass(frozen=True)
class FrozenList:
    csv_gzip: bytes
    sha256: str
    count: int


def freeze_list(signatures) -> FrozenList:
    """The CSV of `signatures` compressed (gzip, fixed header: same bytes, same file), its SHA-256
    and row count, in one pass."""
    digest, count, buffer = hashlib.sha256(), 0, io.BytesIO()

    def counted():
        nonlocal count
        for sig in signatures:
            count += 1
            yield sig

    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed:
        for chunk in csv_chunks(counted()):
            digest.update(chunk)
            compressed.write(chunk)
    return FrozenList(buffer.getvalue(), digest.hexdigest(), count)


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
        if not campaign.targets_state(state):
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
               constituents_filter(member),
               Signature.state.in_(sorted(campaign.targeted_states())) if campaign.targeted_states() else sa.true())
        .order_by(Signature.confirmed_at.desc()).limit(limit))
    return [PacketComment(name if show else "A constituent",
                          ", ".join(p for p in (town or "", state or "") if p), comment)
            for name, show, town, state, comment in chosen]


def _letters(campaign, member, until) -> list[PacketLetter]:
    """Approved letters that their writers asked to deliver, from this member's constituents: for a
    representative only writers whose district is certain (ZIP wholly in it, or chosen by them),
    so no office receives a letter from someone it may not represent."""
    if member is None:
        return []
    if member.chamber == "senate":
        constituents = Signature.state == member.state
    else:
        constituents = Signature.id.in_(
            sa.select(SignatureDistrict.signature_id)
            .where(SignatureDistrict.district == district_label(member.state, member.district),
                   SignatureDistrict.shared.is_(False)))
    chosen = db.session.execute(
        sa.select(Letter.body, Letter.show_name, Signature.full_name, Signature.town, Signature.state,
                  Signature.postal_code)
        .join(Signature, Signature.id == Letter.signature_id)
        .where(Letter.campaign_id == campaign.id, Letter.status == "approved", Letter.deliver.is_(True),
               Signature.status == "confirmed", Signature.confirmed_at <= until, constituents)
        .order_by(Letter.updated_at, Letter.id))
    return [PacketLetter(name if show else "",
                         ", ".join(p for p in (town or "", f"{state or ''} {(zip_code or '')[:5]}".strip()) if p),
                         body)
            for body, show, name, town, state, zip_code in chosen]


def create_packet(campaign: Campaign, user, bioguide_id: str | None = None) -> DeliveryPacketRecord:
    """Record the delivery, frozen: its signature list (CSV, gzip), the list's SHA-256 (for
    /verify/<sha256>), the packet's content as of now and a private office link printed in it.

    Rendering the PDF takes a second or more (fonts, shaping, the map), so it is left to the worker
    (`render_due`); until then the delivery's pages say it is being prepared."""
    member = recipient(bioguide_id)
    if member is not None and not campaign.targets_member(member):
        raise UnknownRecipient(bioguide_id)
    generated_at = utcnow()
    frozen = freeze_list(delivered_signatures(campaign, member, generated_at))
    sha = frozen.sha256
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Signature)
        .where(Signature.campaign_id == campaign.id, Signature.status == "confirmed",
               Signature.confirmed_at <= generated_at))
    audience = None if member or not campaign.is_targeted else campaign.target_audience(article=False)
    states = state_counts(campaign)
    details = packet_details(campaign, member, generated_at, states)
    if member is None and campaign.targeted_states():
        details["constituents_count"] = frozen.count  # the signers in the targeted states
    if member is None and campaign.target_chamber == "house":
        details["senator_rows"] = []  # the senators are not addressed
    office_raw, _digest = new_token()
    office_url = external_url("delivery.office", token=office_raw)
    packet = DeliveryPacket(
        campaign_title=campaign.title, ask=campaign.ask, organisation=current_app.config["ORGANISATION_NAME"],
        recipient_name=f"{member.title} {member.name}" if member else audience,
        generated_at=generated_at, total_confirmed=total, list_count=frozen.count,
        district_rows=_district_rows(campaign, member), comments=_comments(campaign, member, generated_at),
        letters=_letters(campaign, member, generated_at),
        signature_list_sha256=sha, verify_url=external_url("delivery.verify", sha256=sha),
        map_svg=render_state_map(states, title="Signers by state"),
        notes=(MULTI_DISTRICT_RULE,
               (f"The signature list is a CSV file (UTF-8) of the {frozen.count:,} confirmed signatures, up to "
                f"{generated_at:%Y-%m-%d %H:%M:%S} UTC, of "
                + (f"the constituents of {member.title} {member.name}" if member else
                   (f"signers in {join_codes(sorted(campaign.targeted_states()))}" if campaign.targeted_states()
                    else "the whole campaign"))
                + (" (signers from ZIP codes shared with other districts are listed last: they may live in "
                   "this district)" if member is not None and member.chamber == "house" else "")
                + ". Its fingerprint is the one printed above; it does not change when signers later withdraw."),
               f"This office's private link to download this packet and the signature list: {office_url}",
               "Names appear with comments only where the signer agreed to show them; emails only where "
               "the signer agreed to share them."),
        **details,
    )
    with transaction():
        packet_record = DeliveryPacketRecord(
            sha256=sha, campaign_id=campaign.id, recipient=member.bioguide_id if member else "",
            recipient_name=packet.recipient_name or "", generated_at=generated_at, count=frozen.count,
            user_id=getattr(user, "id", None), csv_gzip=frozen.csv_gzip, pdf_spec=packet_to_json(packet))
        db.session.add(packet_record)
        db.session.flush()
        issue_token(DeliveryToken, "office", OFFICE_LINK_LIFETIME, raw=office_raw, packet_id=packet_record.id)
        record("export", user, campaign, kind="delivery_packet", packet_id=packet_record.id, sha256=sha,
               recipient=packet_record.recipient, count=frozen.count)
    return packet_record


def render_due(limit: int = 5) -> int:
    """Render the PDFs of deliveries being prepared (the worker calls this), oldest first, each in
    its own transaction: the PDF is stored and its frozen content dropped. Returns how many."""
    done, after_id = 0, 0
    for _ in range(limit):
        with transaction():
            query = (sa.select(DeliveryPacketRecord).options(undefer(DeliveryPacketRecord.pdf_spec))
                     .where(DeliveryPacketRecord.pdf_spec.is_not(None), DeliveryPacketRecord.pdf.is_(None),
                            DeliveryPacketRecord.id > after_id)
                     .order_by(DeliveryPacketRecord.id).limit(1))
            if is_postgres():  # two workers never render the same packet
                query = query.with_for_update(skip_locked=True)
            packet = db.session.scalars(query).one_or_none()
            if packet is None:
                return done
            after_id = packet.id
            try:
                pdf = build_packet_pdf(packet_from_json(packet.pdf_spec))
            except Exception:  # one packet that cannot be rendered must not hold up the others
                log.exception("delivery packet %s could not be rendered; it stays 'being prepared'", packet.id)
                continue
            packet.pdf, packet.pdf_spec = pdf, None
        done += 1
    return done


def packet_csv_bytes(packet: DeliveryPacketRecord) -> bytes | None:
    """The delivery's stored signature list, byte for byte (None for packets made before it was stored)."""
    return gzip.decompress(packet.csv_gzip) if packet.csv_gzip is not None else None


def office_delivery(raw: str, opening: bool = False) -> DeliveryPacketRecord | None:
    """The delivery an office link opens (None: unknown or expired). `opening` (the office's page,
    not its downloads): record the opening (first and last time, how many)."""
    token = find_token(DeliveryToken, raw, "office")
    if token is None or is_expired(token):
        return None
    if opening:
        first = token.used_at is None
        now = utcnow()
        with transaction():
            db.session.execute(sa.update(DeliveryToken).where(DeliveryToken.id == token.id)
                               .values(used_at=sa.func.coalesce(DeliveryToken.used_at, now), last_opened_at=now,
                                       open_count=DeliveryToken.open_count + 1)
                               .execution_options(synchronize_session=False))
            if first:
                record("delivery_office_opened", None, token.packet.campaign, packet_id=token.packet_id)
    return db.session.get(DeliveryPacketRecord, token.packet_id)


def office_opened_at(packet_ids: list[int]) -> dict[int, datetime]:
    """{packet id: when its office link was first opened}, for the packets opened."""
    return dict(db.session.execute(sa.select(DeliveryToken.packet_id, sa.func.min(DeliveryToken.used_at))
                                   .where(DeliveryToken.packet_id.in_(packet_ids),
                                          DeliveryToken.used_at.is_not(None))
                                   .group_by(DeliveryToken.packet_id)).all())


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


def purge_lists(campaign_ids, now: datetime) -> dict[int, int]:
    """Delete the stored signature lists and PDFs (names, towns, comments, emails) of the deliveries
    of these campaigns (in the caller's transaction), keeping each delivery's fingerprint, count,
    recipient and date, so /verify still says what a fingerprint covered. Returns {campaign id: how many}."""
    purged = db.session.execute(
        sa.select(DeliveryPacketRecord.campaign_id, sa.func.count())
        .where(DeliveryPacketRecord.campaign_id.in_(campaign_ids), DeliveryPacketRecord.purged_at.is_(None))
        .group_by(DeliveryPacketRecord.campaign_id)).all()
    if purged:
        db.session.execute(
            sa.update(DeliveryPacketRecord)
            .where(DeliveryPacketRecord.campaign_id.in_([campaign_id for campaign_id, _n in purged]),
                   DeliveryPacketRecord.purged_at.is_(None))
            .values(csv_gzip=None, pdf=None, pdf_spec=None, purged_at=now)
            .execution_options(synchronize_session=False))
    return dict(purged)
