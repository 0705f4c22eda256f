"""Filling in the donate form and delivering signed webhooks, as Stripe and browsers do."""
import json

import sqlalchemy as sa

from advocacy.donations.models import Donation
from advocacy.extensions import db
from tests.conftest import csrf_token
from tests.support.fake_stripe import make_event, sign_webhook

WEBHOOK_SECRET = "whsec_test"


def donations() -> list[Donation]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Donation).order_by(Donation.id)))


def donate(client, slug, amount=None, custom="", ref=None):
    """GET the donate page, then POST its form with a preset (`amount`) or another amount."""
    page = client.get(f"/campaigns/{slug}/donate")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "custom_amount": custom}
    if amount is not None:
        data["amount"] = amount
    if ref is not None:
        data["ref"] = ref
    return client.post(f"/campaigns/{slug}/donate", data=data)


def post_event(client, event: dict, secret=WEBHOOK_SECRET, timestamp=None, body: str | None = None):
    """Sign the JSON of `event` and POST it (optionally sending a different `body`)."""
    payload = json.dumps(event)
    header = sign_webhook(payload, secret, timestamp=timestamp)
    return client.post("/stripe/webhook", data=body if body is not None else payload,
                       headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def session_event(event_type, fake, donation, payment_status="paid", event_id=None,
                  payment_intent="pi_test_1", email="donor@example.org"):
    """A checkout.session.* event for the session FakeStripe created for `donation`."""
    session = dict(fake.sessions[donation.checkout_session_id])
    session.update(payment_status=payment_status, payment_intent=payment_intent,
                   status="expired" if event_type.endswith("expired") else "complete",
                   customer_details={"email": email} if email else None)
    return make_event(event_type, session, event_id=event_id)


def refund_event(payment_intent="pi_test_1", amount=2500, refunded=2500, metadata=None, event_id=None):
    charge = {"id": "ch_test_1", "object": "charge", "amount": amount, "amount_refunded": refunded,
              "refunded": refunded >= amount, "payment_intent": payment_intent, "currency": "usd",
              "metadata": metadata or {}}
    return make_event("charge.refunded", charge, event_id=event_id)
