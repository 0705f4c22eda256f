"""Fulfilment from verified Stripe webhooks: the only code that moves money states.

Each handled event is recorded once (unique event_id) in the same transaction as its effect,
so a replay changes nothing. Statuses only move up RANK, so events arriving out of order end
in the right place: a refund seen before the payment leaves the donation `refunded`, and the
late `checkout.session.completed` cannot move it back to `paid`.
"""
import logging

import sqlalchemy as sa
import stripe
from flask_babel import lazy_gettext as _l

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


class BadSignature(Exception):
    pass


def verify(payload: bytes, signature_header: str | None, secret: str) -> dict:
    """The event as a plain dict, or BadSignature (wrong secret, tampered body, too old)."""
    try:
        event = stripe.Webhook.construct_event(payload, signature_header or "", secret)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise BadSignature(str(error)) from error
    return event.to_dict()


def advance(donation: Donation, status: str) -> bool:
    """Move the donation to `status` if that is forward; True if it moved."""
    if RANK[status] <= RANK[donation.status]:
        return False
    donation.status = status
    return True


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
        donation_id = _int(session.get("client_reference_id")) or _int((session.get("metadata") or {}).get("donation_id"))
        if donation_id is not None:
            found = _locked(sa.select(Donation).where(Donation.id == donation_id))
            if found is not None and found.checkout_session_id not in (None, session.get("id")):
                log.warning("event for session %s names donation %s, which has session %s",
                            session.get("id"), donation_id, found.checkout_session_id)
                return None
    return found


def _donation_for_charge(charge: dict) -> Donation | None:
    if charge.get("payment_intent"):
        found = _locked(sa.select(Donation).where(Donation.payment_intent_id == charge["payment_intent"]))
        if found is not None:
            return found
    donation_id = _int((charge.get("metadata") or {}).get("donation_id"))
    return _locked(sa.select(Donation).where(Donation.id == donation_id)) if donation_id else None


def _apply_refund(donation: Donation, refunded_cents: int, when) -> None:
    # Stripe reports the cumulative refunded amount, so the larger figure is the latest.
    donation.refunded_amount_cents = max(donation.refunded_amount_cents, refunded_cents)
    if donation.refunded_amount_cents >= donation.amount_cents and advance(donation, "refunded"):
        donation.refunded_at = when


def _mark_paid(donation: Donation, session: dict, now) -> None:
    amount = session.get("amount_total")
    if amount is not None and amount != donation.amount_cents:
        # Record what was actually charged; this should never happen with our fixed prices.
        log.warning("donation %s: Stripe charged %s, we asked for %s", donation.id, amount, donation.amount_cents)
        donation.amount_cents = amount
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
               campaign_url=external_url("public.show", slug=campaign.slug))


def _on_session(event_type: str, session: dict, record: StripeEvent, now) -> None:
    _lock_payment_intent(session.get("payment_intent"))
    donation = _donation_for_session(session)
    if donation is None:
        log.warning("stripe %s for unknown checkout session %s: ignored", event_type, session.get("id"))
        return
    record.donation_id = donation.id
    donation.checkout_session_id = donation.checkout_session_id or session.get("id")
    if event_type == "checkout.session.expired":
        advance(donation, "expired")
        return
    if event_type == "checkout.session.async_payment_failed":
        advance(donation, "failed")
        return
    # completed (paid now, or paid later by an async method) or async_payment_succeeded
    if session.get("payment_intent"):
        donation.payment_intent_id = donation.payment_intent_id or session["payment_intent"]
        _apply_early_refunds(donation, now)
    email = (session.get("customer_details") or {}).get("email") or session.get("customer_email")
    if email:
        donation.donor_email = email
    if session.get("payment_status") == "paid":
        _mark_paid(donation, session, now)


def _apply_early_refunds(donation: Donation, now) -> None:
    """Refunds that arrived before we knew the payment intent belonged to this donation."""
    parked = db.session.scalars(sa.select(StripeEvent).where(
        StripeEvent.type == REFUND_EVENT, StripeEvent.donation_id.is_(None),
        StripeEvent.payment_intent_id == donation.payment_intent_id))
    for early in parked:
        early.donation_id = donation.id
        _apply_refund(donation, early.amount_cents or 0, early.received_at)


def _on_refund(charge: dict, record: StripeEvent, now) -> None:
    record.payment_intent_id = charge.get("payment_intent")
    record.amount_cents = int(charge.get("amount_refunded") or 0)
    _lock_payment_intent(record.payment_intent_id)
    donation = _donation_for_charge(charge)
    if donation is None:
        log.warning("charge.refunded for payment intent %s before (or without) its donation: kept",
                    charge.get("payment_intent"))
        return
    record.donation_id = donation.id
    donation.payment_intent_id = donation.payment_intent_id or charge.get("payment_intent")
    _apply_refund(donation, record.amount_cents, now)


def handle(event: dict) -> str:
    """Apply a verified event once. Returns "applied", "duplicate" or "ignored"."""
    event_type = event.get("type")
    if event_type not in HANDLED:
        return "ignored"
    obj = (event.get("data") or {}).get("object") or {}
    now = utcnow()
    with transaction():
        inserted = db.session.execute(
            dialect_insert(StripeEvent)
            .values(event_id=event["id"], type=event_type, received_at=now)
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
    log.info("stripe event %s %s", event.get("id"), event.get("type"))
    return handle(event)

