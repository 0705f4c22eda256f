"""Starting donations, Stripe Checkout, totals and the organisers' export.

A donation row is written (pending) and committed before Stripe is called, so every Checkout
Session we create has a record; only verified webhooks (webhooks.py) mark money as received.
"""
import logging
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
import stripe
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer

from ..audit.service import record
from ..campaigns.models import Campaign
from ..database import transaction
from ..extensions import db
from ..signatures.models import Signature
from ..urls import external_url
from .forms import DonateForm
from .models import Donation

log = logging.getLogger(__name__)

SIGNATURE_REF_MAX_AGE = 24 * 3600  # the offer on the confirmed page is good for a day
STRIPE_TIMEOUT = 20  # seconds; a visitor is waiting


class DonationError(Exception):
    """Checkout could not start; the visitor sees a clear page and nothing was charged."""


def donations_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def stripe_client() -> stripe.StripeClient:
    """One client per app; STRIPE_API_BASE points it at a local server in tests."""
    cfg = current_app.config
    key = (cfg["STRIPE_SECRET_KEY"], cfg.get("STRIPE_API_BASE"))
    cached = current_app.extensions.get("stripe_client")
    if cached is None or cached[0] != key:
        options = {"base_addresses": {"api": cfg["STRIPE_API_BASE"]}} if cfg.get("STRIPE_API_BASE") else {}
        # Retrying is safe: every POST carries our idempotency key.
        client = stripe.StripeClient(cfg["STRIPE_SECRET_KEY"], max_network_retries=2,
                                     http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT), **options)
        cached = current_app.extensions["stripe_client"] = (key, client)
    return cached[1]


def idempotency_key(donation: Donation) -> str:
    return f"donation-{donation.id}-checkout"


# --- the signature a donation follows ------------------------------------------------------

def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="donation-signature")


def signature_ref(signature: Signature) -> str:
    return _serializer().dumps(signature.id)


def signature_from_ref(ref: str | None, campaign: Campaign) -> Signature | None:
    """The confirmed signature a signed ref names, if it is for this campaign; otherwise None."""
    if not ref:
        return None
    try:
        signature_id = _serializer().loads(ref, max_age=SIGNATURE_REF_MAX_AGE)
    except BadData:
        return None
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.campaign_id != campaign.id or signature.status != "confirmed":
        return None
    return signature


# --- starting a donation -------------------------------------------------------------------

def start_donation(campaign: Campaign, amount_cents: int, signature: Signature | None = None,
                   locale: str = "en") -> Donation:
    """Record the pending donation (committed before Stripe hears of it)."""
    cfg = current_app.config
    if not cfg["DONATION_MIN_CENTS"] <= amount_cents <= cfg["DONATION_MAX_CENTS"]:
        raise ValueError(f"amount {amount_cents} outside the configured limits")
    with transaction():
        donation = Donation(campaign_id=campaign.id, amount_cents=amount_cents, currency="usd",
                            status="pending", signature_id=signature.id if signature else None,
                            donor_email=signature.email if signature else None, locale=locale)
        db.session.add(donation)
    return donation


def checkout_params(donation: Donation, campaign: Campaign) -> dict:
    metadata = {"donation_id": str(donation.id), "campaign_id": str(campaign.id), "campaign": campaign.slug}
    with force_locale(donation.locale):
        name = _("Donation to “%(title)s”", title=campaign.title)
    params = {
        "mode": "payment",
        "submit_type": "donate",
        "client_reference_id": str(donation.id),
        "line_items": [{
            "quantity": 1,
            "price_data": {"currency": donation.currency, "unit_amount": donation.amount_cents,
                           "product_data": {"name": name[:250]}},
        }],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": name[:250]},
        # Stripe fills in {CHECKOUT_SESSION_ID}; it must reach Stripe unescaped.
        "success_url": external_url("donations.thanks", slug=campaign.slug) + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": external_url("donations.cancelled", slug=campaign.slug),
        "locale": donation.locale if donation.locale in ("en", "es") else "auto",
    }
    if donation.donor_email:
        params["customer_email"] = donation.donor_email
    return params


def create_checkout(donation: Donation) -> str:
    """Create the Checkout Session and return its URL.

    On a Stripe error the donation is marked `failed` (with the reason) and DonationError is
    raised. If Stripe did create a session after all, a later payment still wins: see
    webhooks.RANK.
    """
    campaign = donation.campaign
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=checkout_params(donation, campaign), options={"idempotency_key": idempotency_key(donation)})
    except stripe.StripeError as error:
        log.warning("stripe checkout for donation %s failed: %s", donation.id, error)
        with transaction():
            db.session.execute(
                sa.update(Donation).where(Donation.id == donation.id, Donation.status == "pending")
                .values(status="failed", failure_reason=f"checkout: {type(error).__name__}"[:255]))
        raise DonationError(str(error)) from error
    with transaction():
        donation.checkout_session_id = session.id
    return session.url


@dataclass(frozen=True)
class ThanksView:
    donation: Donation
    stripe_payment_status: str | None  # what Stripe says now, for information only


def donation_for_session(campaign: Campaign, session_id: str) -> ThanksView | None:
    """Our record for a returning donor, checked against Stripe. Changes nothing."""
    donation = db.session.scalars(
        sa.select(Donation).where(Donation.checkout_session_id == session_id,
                                  Donation.campaign_id == campaign.id)).one_or_none()
    if donation is None:
        return None
    status = None
    try:
        session = stripe_client().v1.checkout.sessions.retrieve(session_id)
        if session.client_reference_id != str(donation.id):
            return None
        status = session.payment_status
    except stripe.StripeError as error:
        log.warning("could not look up checkout session %s: %s", session_id, error)
    return ThanksView(donation, status)


def donation_offer(campaign: Campaign, signature: Signature | None = None) -> dict:
    """What the donation section of a page shows: whether donations are on, and a blank form
    (carrying a reference to the confirmed signature, so a donation can be linked to it)."""
    if not donations_enabled():
        return {"enabled": False}
    form = DonateForm(formdata=None)
    if signature is not None and signature.status == "confirmed":
        form.ref.data = signature_ref(signature)
    return {"enabled": True, "form": form, "campaign": campaign}


# --- organisers ----------------------------------------------------------------------------

def campaign_totals(campaign_id: int) -> dict:
    """Donations that brought money in (paid, or refunded later), their sum, and refunds."""
    received = Donation.status.in_(("paid", "refunded"))
    count, gross, refunded = db.session.execute(
        sa.select(sa.func.count(Donation.id).filter(received),
                  sa.func.coalesce(sa.func.sum(Donation.amount_cents).filter(received), 0),
                  sa.func.coalesce(sa.func.sum(Donation.refunded_amount_cents), 0))
        .where(Donation.campaign_id == campaign_id)).one()
    pending = db.session.scalar(sa.select(sa.func.count()).where(
        Donation.campaign_id == campaign_id, Donation.status == "pending"))
    return {"count": int(count), "paid_cents": int(gross), "refunded_cents": int(refunded),
            "net_cents": int(gross) - int(refunded), "pending": int(pending)}


EXPORT_COLUMNS = ("donation_id", "created_at", "status", "amount", "currency", "refunded_amount",
                  "paid_at", "refunded_at", "donor_email", "signature_id", "checkout_session_id",
                  "payment_intent_id")


def _time(value) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""


def record_export(campaign: Campaign, user, fmt: str = "csv") -> None:
    with transaction():
        record(f"export_donations_{fmt}", user, campaign)


def export_values(campaign: Campaign):
    """Every donation of the campaign, oldest first, streamed (flat memory), as typed values (times
    as datetimes, amounts as Decimals, missing values as None) for the XLSX export."""
    query = (sa.select(Donation).where(Donation.campaign_id == campaign.id).order_by(Donation.id)
             .execution_options(yield_per=500))
    for donation in db.session.scalars(query):
        yield (donation.id, donation.created_at, donation.status, Decimal(donation.amount_cents) / 100,
               donation.currency, Decimal(donation.refunded_amount_cents) / 100, donation.paid_at,
               donation.refunded_at, donation.donor_email, donation.signature_id,
               donation.checkout_session_id, donation.payment_intent_id)


def export_rows(campaign: Campaign):
    """The same rows as text for the CSV export."""
    for (donation_id, created_at, status, amount, currency, refunded, paid_at, refunded_at, email,
         signature_id, session_id, intent_id) in export_values(campaign):
        yield (donation_id, _time(created_at), status, f"{amount:.2f}", currency, f"{refunded:.2f}",
               _time(paid_at), _time(refunded_at), email or "", signature_id or "", session_id or "",
               intent_id or "")
