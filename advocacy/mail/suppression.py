"""The suppression list: addresses that bounced permanently or complained get no more mail."""
import logging

import sqlalchemy as sa

from ..database import dialect_insert, transaction, utcnow
from ..extensions import db
from .addresses import canonical_email
from .models import OutboxMessage, SuppressedAddress

log = logging.getLogger(__name__)

REASON_FOR = {"bounced": "bounce", "complained": "complaint"}


def is_suppressed(address: str) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        SuppressedAddress.email_canonical == canonical_email(address)))) or False


def record_feedback(outbox_id: int, feedback: str, detail: str | None) -> OutboxMessage | None:
    """A sent message came back: mark it ("bounced" permanently, or "complained"), put its address on
    the suppression list, and mark the address's other waiting mail suppressed. Reporting twice is
    harmless; a complaint is not overwritten by a later bounce. Returns the message, or None for an
    id that is not (or no longer) in the outbox."""
    detail = (detail or "").strip()[:1000] or None
    with transaction():
        message = db.session.get(OutboxMessage, outbox_id)
        if message is None:
            log.warning("a %s report names outbox message %s, which is gone", feedback, outbox_id)
            return None
        if message.feedback != "complained":
            message.feedback = feedback
            message.feedback_detail = detail
            message.feedback_at = utcnow()
        canonical = canonical_email(message.to_address)
        db.session.execute(
            dialect_insert(SuppressedAddress.__table__)
            .values(email_canonical=canonical, reason=REASON_FOR[feedback], detail=detail,
                    outbox_id=message.id, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["email_canonical"]))
        waiting = list(db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.status == "queued", OutboxMessage.id != message.id)
            .where(sa.func.lower(OutboxMessage.to_address) == message.to_address.lower())))
        for other in waiting:
            other.status = "suppressed"
    log.info("mail %s %s; %s suppressed", outbox_id, feedback, canonical)
    return message
