"""Fulfilment from verified Stripe webhooks: the only code that moves money states.

Each handled event is recorded once (unique event_id) in the same transaction as its effect,
so a replay changes nothing. Statuses only move up RANK, so events arriving out of order end
in the right place: a refund seen before the payment leaves the donation `refunded`, and the
late `checkout.session.completed` cannot move it back to `paid`.

A correctly signed event is still checked field by field before anything is stored: one we
cannot read is refused (BadEvent, a 400) rather than half-applied or crashing on the database.
"""
import json
import logging
import re
import time
import unicodedata

import sqlalchemy as sa
import stripe
from flask_babel import lazy_gettext as _l

from ..audit.service import record as audit
from ..database import dialect_insert, is_postgres, transaction, utcnow
from ..extensions import db
from ..mail.service import queue_mail
from ..urls import external_url
from .models import Donation, StripeEvent

log = logging.getLogger(__name__)

# pending < failed, expired < paid < refunded. A payment outranks "no payment": Stripe never
# sends both for one session, but if it ever did (or our own failed-at-checkout marking was
# wrong) the money is recorded rather than lost.
RANK = {"pending": 0, "failed": 1, "expired": 1, "paid": 2, "refunded": 3}

SESSION_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded",
                  "checkout.session.async_payment_failed", "checkout.session.expired")
REFUND_EVENT = "charge.refunded"
HANDLED = (*SESSION_EVENTS, REFUND_EVENT)

TOLERANCE = stripe.Webhook.DEFAULT_TOLERANCE  # seconds a signature may be old (or, here, early)
STRIPE_ID = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, fits our String(255) columns
MAX_CENTS = 2**31 - 1  # amount columns are 32-bit integers
MAX_DONATION_ID = 2**63 - 1


class BadSignature(Exception):
    pass


class BadEvent(Exception):
    """Correctly signed, but not an event we can read (wrong shape or types): nothing is stored."""


def _signed_at(signature_header: str) -> int:
    """The header's timestamp, read as the stripe library reads it (the first `t=`)."""
    items = [item.split("=", 2) for item in signature_header.split(",")]
    return int(next((item[1] for item in items if item[0] == "t"), ""))


def verify(payload: bytes, signature_header: str | None, secret: str) -> dict:
    """The event as a plain dict; BadSignature if the signature is wrong (wrong secret, tampered
    body) or its timestamp too old or too far ahead; BadEvent if the body is not a JSON object."""
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header or "", secret, TOLERANCE)
        # The library only refuses old timestamps; one far ahead would be a replay waiting to happen.
        if _signed_at(signature_header) > time.time() + TOLERANCE:
            raise BadSignature("timestamp is in the future")
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise BadSignature(str(error)) from error
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError) as error:
        raise BadEvent("the body is not JSON") from error
    if not isinstance(event, dict):
        raise BadEvent("the event is not a JSON object")
    return event


# --- reading a signed event: every field we use, with its type, or BadEvent -----------------

def _field(obj: dict, key: str, types: type | tuple, where: str):
    value = obj.get(key)
    if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
        raise BadEvent(f"{where}.{key} has the wrong type")
    return value


def _stripe_id(obj: dict, key: str, where: str, required: bool = False) -> str | None:
    value = _field(obj, key, str, where)
    if value is None and required:
        raise BadEvent(f"{where}.{key} is missing")
    if value is not None and not STRIPE_ID.fullmatch(value):
        raise BadEvent(f"{where}.{key} is not a valid id")
    return value


def _cents(obj: dict, key: str, where: str) -> int | None:
    value = _field(obj, key, int, where)
    if value is not None and not 0 <= value <= MAX_CENTS:
        raise BadEvent(f"{where}.{key} is out of range")
    return value


def _reference(obj: dict, key: str, where: str) -> str | int | None:
    """A value that may name one of our donations (we send str(donation.id)); one that is not a
    number names none, but a number that could never be a donation id is refused."""
    value = _field(obj, key, (str, int), where)
    if isinstance(value, str) and len(value) > 255:
        raise BadEvent(f"{where}.{key} is too long")
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    if not 0 < number <= MAX_DONATION_ID:
        raise BadEvent(f"{where}.{key} is out of range")
    return value


def _email(obj: dict, key: str, where: str) -> str | None:
    value = _field(obj, key, str, where)
    if value and (len(value) > 254 or any(unicodedata.category(ch) == "Cc" for ch in value)):
        raise BadEvent(f"{where}.{key} is not an email address")
    return value or None


def _metadata_donation_id(obj: dict, where: str):
    metadata = _field(obj, "metadata", dict, where) or {}
    return _reference(metadata, "donation_id", f"{where}.metadata")


def _checked_session(obj: dict) -> dict:
    where = "data.object"
    details = _field(obj, "customer_details", dict, where) or {}
    emails = (_email(details, "email", f"{where}.customer_details"), _email(obj, "customer_email", where))
    _field(obj, "payment_status", str, where)
    return {
        "id": _stripe_id(obj, "id", where, required=True),
        "client_reference_id": _reference(obj, "client_reference_id", where),
        "metadata_donation_id": _metadata_donation_id(obj, where),
        "payment_intent": _stripe_id(obj, "payment_intent", where),
        "email": emails[0] or emails[1],
        "payment_status": obj.get("payment_status"),
        "amount_total": _cents(obj, "amount_total", where),
    }


def _checked_charge(obj: dict) -> dict:
    where = "data.object"
    return {
        "id": _stripe_id(obj, "id", where),
        "payment_intent": _stripe_id(obj, "payment_intent", where),
        "amount": _cents(obj, "amount", where),
        "amount_refunded": _cents(obj, "amount_refunded", where) or 0,
        "metadata_donation_id": _metadata_donation_id(obj, where),
    }


def _checked(event: dict) -> tuple[str, dict]:
    """The event's id and its object, with every field we use checked; or BadEvent."""
    event_id = _stripe_id(event, "id", "event", required=True)
    data = _field(event, "data", dict, "event")
    obj = _field(data or {}, "object", dict, "event.data")
    if obj is None:
        raise BadEvent("event.data.object is missing")
    return event_id, _checked_charge(obj) if event["type"] == REFUND_EVENT else _checked_session(obj)


def advance(donation: Donation, status: str) -> bool:
    """Move the donation to `status` if that is forward; True if it moved."""
    if RANK[status] <= RANK[donation.status]:
        return False
    donation.status = status
    return True


def _int(value) -> int | None:
    """A donation id, or None if `value` cannot be one of ours."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_DONATION_ID else None


def _locked(query) -> Donation | None:
    return db.session.scalars(query.with_for_update()).one_or_none()


def _lock_payment_intent(payment_intent: str | None) -> None:
    """Serialise the events about one payment (PostgreSQL), always before any donation row lock.

    Without it a refund and the completion arriving at the same moment could each miss the
    other: the refund finds no donation yet and is kept aside, while the completion looks for
    kept-aside refunds before the refund has committed.
    """
    if payment_intent and is_postgres():
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                           {"key": f"stripe-payment-intent:{payment_intent}"})


def _donation_for_session(session: dict) -> Donation | None:
    found = _locked(sa.select(Donation).where(Donation.checkout_session_id == session.get("id")))
    if found is None:
        donation_id = _int(session["client_reference_id"]) or _int(session["metadata_donation_id"])
        if donation_id is not None:
            found = _locked(sa.select(Donation).where(Donation.id == donation_id))
            if found is not None and found.checkout_session_id not in (None, session.get("id")):
                log.warning("event for session %s names donation %s, which has session %s",
                            session.get("id"), donation_id, found.checkout_session_id)
                return None
    return found


def _donation_for_charge(charge: dict) -> Donation | None:
    if charge["payment_intent"]:
        found = _locked(sa.select(Donation).where(Donation.payment_intent_id == charge["payment_intent"]))
        if found is not None:
            return found
    donation_id = _int(charge["metadata_donation_id"])
    return _locked(sa.select(Donation).where(Donation.id == donation_id)) if donation_id else None


def _apply_refund(donation: Donation, refunded_cents: int, when) -> None:
    # Stripe reports the cumulative refunded amount, so the larger figure is the latest.
    donation.refunded_amount_cents = max(donation.refunded_amount_cents, refunded_cents)
    if donation.refunded_amount_cents >= donation.amount_cents and advance(donation, "refunded"):
        donation.refunded_at = when


def _check_amount(donation: Donation, stripe_amount: int | None, record: StripeEvent) -> None:
    """Our prices are fixed when the session is made, so Stripe should never report another amount.
    If it does, the donation keeps its own amount and the event is flagged in the audit log."""
    if stripe_amount is None or stripe_amount == donation.amount_cents:
        return
    log.warning("stripe %s %s: amount %s differs from donation %s's %s; kept ours, flagged for review",
                record.type, record.event_id, stripe_amount, donation.id, donation.amount_cents)
    audit("donation_amount_mismatch", None, donation.campaign, donation_id=donation.id,
          event_id=record.event_id, event_type=record.type, stripe_amount_cents=stripe_amount,
          donation_amount_cents=donation.amount_cents)


def _mark_paid(donation: Donation, now) -> None:
    if advance(donation, "paid"):
        donation.paid_at = now
        if donation.donor_email:
            _queue_receipt(donation)
    elif donation.paid_at is None and donation.status == "refunded":
        donation.paid_at = now  # it was paid, then refunded before we heard of the payment


def _queue_receipt(donation: Donation) -> None:
    campaign = donation.campaign
    queue_mail(donation.donor_email, "donation_receipt", _l("Thank you for your donation"), donation.locale,
               donation=donation, campaign=campaign,
               campaign_url=external_url("public.show", slug=campaign.slug, lang=donation.locale))


def _on_session(event_type: str, session: dict, record: StripeEvent, now) -> None:
    _lock_payment_intent(session["payment_intent"])
    donation = _donation_for_session(session)
    if donation is None:
        log.warning("stripe %s for unknown checkout session %s: ignored", event_type, session["id"])
        return
    record.donation_id = donation.id
    donation.checkout_session_id = donation.checkout_session_id or session["id"]
    _check_amount(donation, session["amount_total"], record)
    if event_type == "checkout.session.expired":
        advance(donation, "expired")
        return
    if event_type == "checkout.session.async_payment_failed":
        advance(donation, "failed")
        return
    # completed (paid now, or paid later by an async method) or async_payment_succeeded
    if session["payment_intent"]:
        donation.payment_intent_id = donation.payment_intent_id or session["payment_intent"]
        _apply_early_refunds(donation, now)
    if session["email"]:
        donation.donor_email = session["email"]
    if session["payment_status"] == "paid":
        _mark_paid(donation, now)


def _apply_early_refunds(donation: Donation, now) -> None:
    """Refunds that arrived before we knew the payment intent belonged to this donation."""
    parked = db.session.scalars(sa.select(StripeEvent).where(
        StripeEvent.type == REFUND_EVENT, StripeEvent.donation_id.is_(None),
        StripeEvent.payment_intent_id == donation.payment_intent_id))
    for early in parked:
        early.donation_id = donation.id
        _apply_refund(donation, early.amount_cents or 0, early.received_at)


def _on_refund(charge: dict, record: StripeEvent, now) -> None:
    record.payment_intent_id = charge["payment_intent"]
    record.amount_cents = charge["amount_refunded"]
    _lock_payment_intent(record.payment_intent_id)
    donation = _donation_for_charge(charge)
    if donation is None:
        log.warning("charge.refunded for payment intent %s before (or without) its donation: kept",
                    charge["payment_intent"])
        return
    record.donation_id = donation.id
    donation.payment_intent_id = donation.payment_intent_id or charge["payment_intent"]
    _check_amount(donation, charge["amount"], record)
    _apply_refund(donation, record.amount_cents, now)


def handle(event: dict) -> str:
    """Apply a verified event once. Returns "applied", "duplicate" or "ignored";
    BadEvent (before anything is stored) if a field we use is missing or of the wrong type."""
    event_type = _field(event, "type", str, "event")
    if event_type not in HANDLED:
        return "ignored"
    event_id, obj = _checked(event)
    now = utcnow()
    with transaction():
        inserted = db.session.execute(
            dialect_insert(StripeEvent)
            .values(event_id=event_id, type=event_type, received_at=now)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(StripeEvent.id)
        ).scalar()
        if inserted is None:
            return "duplicate"
        record = db.session.get(StripeEvent, inserted)
        if event_type == REFUND_EVENT:
            _on_refund(obj, record, now)
        else:
            _on_session(event_type, obj, record, now)
    return "applied"


def receive(payload: bytes, signature_header: str | None, secret: str) -> str:
    event = verify(payload, signature_header, secret)
    log.info("stripe event %.80s %.80s", event.get("id"), event.get("type"))
    return handle(event)

