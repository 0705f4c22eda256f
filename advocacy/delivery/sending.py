"""Deliveries sent by email to the office contact an organiser entered for the member: the packet PDF
attached (by reference to the delivery), a private office link of its own in the mail, and a record
of what became of it (queued, accepted by the mail server, failed with the reason, link opened)."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import dialect_insert, transaction, utcnow
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.service import Attachment, queue_mail
from ..tokens import issue_token, new_token
from ..urls import external_url
from .models import DeliveryPacketRecord, DeliveryToken, OfficeContact, OfficeSend
from .packets import OFFICE_LINK_LIFETIME


class NoOfficeContact(LookupError):
    """The packet's member has no office address yet (or the packet is for the whole campaign)."""


def office_contacts(campaign: Campaign) -> dict[str, str]:
    """{bioguide id: office email} of the campaign."""
    return dict(db.session.execute(sa.select(OfficeContact.bioguide_id, OfficeContact.email)
                                   .where(OfficeContact.campaign_id == campaign.id)).all())


def set_office_contact(campaign: Campaign, bioguide_id: str, email: str, user) -> None:
    """Store (or, with an empty address, remove) the office address of a member for this campaign."""
    email = (email or "").strip()
    with transaction():
        if not email:
            db.session.execute(sa.delete(OfficeContact).where(OfficeContact.campaign_id == campaign.id,
                                                              OfficeContact.bioguide_id == bioguide_id))
        else:
            insert = dialect_insert(OfficeContact).values(campaign_id=campaign.id, bioguide_id=bioguide_id,
                                                          email=email, updated_at=utcnow())
            db.session.execute(insert.on_conflict_do_update(
                index_elements=["campaign_id", "bioguide_id"],
                set_={"email": insert.excluded.email, "updated_at": insert.excluded.updated_at}))
        record("office_contact", user, campaign, bioguide_id=bioguide_id, email=email or None)


def send_packet(campaign: Campaign, packet: DeliveryPacketRecord, user) -> OfficeSend:
    """Queue the delivery's mail to its member's office (the worker sends it). Each send has its own
    office link, so the record shows whether this mail's link was opened."""
    to = office_contacts(campaign).get(packet.recipient) if packet.recipient else None
    if not to:
        raise NoOfficeContact(packet.recipient)
    raw, digest = new_token()
    office_url = external_url("delivery.office", token=raw)
    with transaction():
        issue_token(DeliveryToken, "office", OFFICE_LINK_LIFETIME, raw=raw, packet_id=packet.id)
        token_id = db.session.scalar(sa.select(DeliveryToken.id).where(DeliveryToken.token_hash == digest))
        message = queue_mail(
            to, "office_delivery",
            f"Petition delivery: {campaign.title} ({packet.count:,} constituents)", "en",
            attachment=Attachment("delivery_packets.pdf", packet.id, f"{campaign.slug}-delivery-{packet.id}.pdf"),
            campaign_title=campaign.title, ask=campaign.ask, recipient_name=packet.recipient_name,
            count=packet.count, sha256=packet.sha256, generated_at=packet.generated_at, office_url=office_url,
            verify_url=external_url("delivery.verify", sha256=packet.sha256))
        db.session.flush()
        send = OfficeSend(packet_id=packet.id, to_address=to, outbox_message_id=message.id, token_id=token_id,
                          user_id=getattr(user, "id", None))
        db.session.add(send)
        record("delivery_sent", user, campaign, packet_id=packet.id, to=to, recipient=packet.recipient)
    return send


@dataclass
class SendRecord:
    """What became of one emailed delivery, for the organiser."""

    id: int
    packet_id: int
    recipient: str
    recipient_name: str
    to_address: str
    queued_at: datetime
    status: str  # "queued" | "accepted" | "failed"
    accepted_at: datetime | None
    error: str | None  # the last failure (final when status is "failed")
    first_opened_at: datetime | None
    last_opened_at: datetime | None
    open_count: int


def send_records(campaign: Campaign, limit: int = 50) -> list[SendRecord]:
    sends = db.session.scalars(
        sa.select(OfficeSend).join(DeliveryPacketRecord, DeliveryPacketRecord.id == OfficeSend.packet_id)
        .where(DeliveryPacketRecord.campaign_id == campaign.id)
        .options(sa.orm.joinedload(OfficeSend.message), sa.orm.joinedload(OfficeSend.token),
                 sa.orm.joinedload(OfficeSend.packet))
        .order_by(OfficeSend.id.desc()).limit(limit))
    records = []
    for send in sends:
        message, token = send.message, send.token
        status = {"sent": "accepted", "dead": "failed"}.get(message.status, "queued") if message else "queued"
        records.append(SendRecord(
            id=send.id, packet_id=send.packet_id, recipient=send.packet.recipient,
            recipient_name=send.packet.recipient_name, to_address=send.to_address, queued_at=send.created_at,
            status=status, accepted_at=message.sent_at if message else None,
            error=message.last_error if message and status != "accepted" else None,
            first_opened_at=token.used_at if token else None, last_opened_at=token.last_opened_at if token else None,
            open_count=token.open_count if token else 0))
    return records


def first_accepted_by_member(campaign_id: int) -> dict[str, datetime]:
    """{bioguide id: when a delivery to that member's office was first accepted by the mail server}."""
    return dict(db.session.execute(
        sa.select(DeliveryPacketRecord.recipient, sa.func.min(OutboxMessage.sent_at))
        .join(OfficeSend, OfficeSend.packet_id == DeliveryPacketRecord.id)
        .join(OutboxMessage, OutboxMessage.id == OfficeSend.outbox_message_id)
        .where(DeliveryPacketRecord.campaign_id == campaign_id, OutboxMessage.status == "sent",
               DeliveryPacketRecord.recipient != "")
        .group_by(DeliveryPacketRecord.recipient)).all())
