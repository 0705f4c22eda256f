"""Issue #9: correctly signed but malformed Stripe events get a clear 400 and store nothing;
an amount that differs from the donation's is flagged and ours kept; timestamps far in the
future are refused. Every event here is signed with the real secret (see helpers.post_event)."""
import copy
import json
import logging
import time

import pytest
import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.donations.models import StripeEvent
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from tests.donations.helpers import WEBHOOK_SECRET, donate, donations, post_event, refund_event, session_event
from tests.support.fake_stripe import make_event, sign_webhook


@pytest.fixture
def donation(client, campaign, fake_stripe):
    assert donate(client, campaign.slug, amount="25").status_code == 303
    return donations()[0]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stored() -> tuple:
    """Everything a webhook can write, to compare before and after."""
    return (tuple((d.status, d.amount_cents, d.payment_intent_id, d.donor_email, d.refunded_amount_cents)
                  for d in donations()),
            count(StripeEvent), count(AuditEvent), count(OutboxMessage))


def post_raw(client, body: str, timestamp=None):
    header = sign_webhook(body, WEBHOOK_SECRET, timestamp=timestamp)
    return client.post("/stripe/webhook", data=body,
                       headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def assert_refused(response):
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.is_json and response.get_json()["error"]


def _unset(path):
    def change(event):
        *parents, last = path
        target = event
        for key in parents:
            target = target[key]
        del target[last]
    return change


def _set(path, value):
    def change(event):
        *parents, last = path
        target = event
        for key in parents:
            target = target[key]
        target[last] = value
    return change


OBJ = ("data", "object")
HUGE = "x" * 5000
MALFORMED = {
    "no-data": _unset(("data",)),
    "data-null": _set(("data",), None),
    "data-string": _set(("data",), "object"),
    "data-list": _set(("data",), [{"object": {}}]),
    "no-object": _unset(OBJ),
    "object-list": _set(OBJ, ["cs_test"]),
    "object-string": _set(OBJ, "cs_test"),
    "object-number": _set(OBJ, 7),
    "no-event-id": _unset(("id",)),
    "event-id-number": _set(("id",), 12345),
    "event-id-object": _set(("id",), {"id": "evt_1"}),
    "event-id-huge": _set(("id",), "evt_" + HUGE),
    "event-id-nul": _set(("id",), "evt_\x00"),
    "type-list": _set(("type",), ["checkout.session.completed"]),
    "amount-string": _set((*OBJ, "amount_total"), "2500"),
    "amount-float": _set((*OBJ, "amount_total"), 2500.0),
    "amount-bool": _set((*OBJ, "amount_total"), True),
    "amount-negative": _set((*OBJ, "amount_total"), -2500),
    "amount-huge": _set((*OBJ, "amount_total"), 10**30),
    "metadata-list": _set((*OBJ, "metadata"), ["donation_id", "1"]),
    "metadata-string": _set((*OBJ, "metadata"), "donation_id=1"),
    "metadata-id-object": _set((*OBJ, "metadata"), {"donation_id": {"id": 1}}),
    "reference-object": _set((*OBJ, "client_reference_id"), {"id": 1}),
    "reference-huge-number": _set((*OBJ, "client_reference_id"), "9" * 200),
    "reference-huge-string": _set((*OBJ, "client_reference_id"), HUGE),
    "session-id-missing": _unset((*OBJ, "id")),
    "session-id-number": _set((*OBJ, "id"), 42),
    "session-id-huge": _set((*OBJ, "id"), "cs_" + HUGE),
    "payment-intent-object": _set((*OBJ, "payment_intent"), {"id": "pi_1"}),
    "payment-intent-huge": _set((*OBJ, "payment_intent"), "pi_" + HUGE),
    "payment-intent-space": _set((*OBJ, "payment_intent"), "pi 1"),
    "customer-details-string": _set((*OBJ, "customer_details"), "donor@example.org"),
    "email-list": _set((*OBJ, "customer_details"), {"email": ["donor@example.org"]}),
    "email-huge": _set((*OBJ, "customer_details"), {"email": HUGE + "@example.org"}),
    "email-nul": _set((*OBJ, "customer_details"), {"email": "donor\x00@example.org"}),
    "customer-email-number": _set((*OBJ, "customer_email"), 5),
    "payment-status-object": _set((*OBJ, "payment_status"), {"paid": True}),
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_checkout_event_is_refused_and_changes_nothing(client, fake_stripe, donation, change):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    change(event)
    before = stored()
    assert_refused(post_event(client, event))
    assert stored() == before
    # The real event still works afterwards.
    assert post_event(client, session_event("checkout.session.completed", fake_stripe, donation)).status_code == 200
    assert [d.status for d in donations()] == ["paid"]


REFUND_MALFORMED = {
    "refunded-string": _set((*OBJ, "amount_refunded"), "2500"),
    "refunded-negative": _set((*OBJ, "amount_refunded"), -1),
    "refunded-huge": _set((*OBJ, "amount_refunded"), 10**20),
    "amount-object": _set((*OBJ, "amount"), {"value": 2500}),
    "metadata-list": _set((*OBJ, "metadata"), []),
    "metadata-id-huge": _set((*OBJ, "metadata"), {"donation_id": 10**40}),
    "payment-intent-list": _set((*OBJ, "payment_intent"), ["pi_test_1"]),
    "object-list": _set(OBJ, []),
}


@pytest.mark.parametrize("change", REFUND_MALFORMED.values(), ids=REFUND_MALFORMED.keys())
def test_malformed_refund_is_refused_and_a_paid_donation_stays_as_it_was(client, fake_stripe, donation, change):
    assert post_event(client, session_event("checkout.session.completed", fake_stripe, donation)).status_code == 200
    event = refund_event()
    change(event)
    before = stored()
    assert_refused(post_event(client, event))
    assert stored() == before
    assert [(d.status, d.refunded_amount_cents) for d in donations()] == [("paid", 0)]


BODIES = {
    "list": lambda event: json.dumps([event]),
    "string": lambda event: json.dumps("checkout.session.completed"),
    "number": lambda event: "42",
    "null": lambda event: "null",
    "not-json": lambda event: "{not json",
    "deeply-nested": lambda event: "[" * 100_000 + "]" * 100_000,
    "number-with-too-many-digits": lambda event: json.dumps(event).replace(
        '"amount_total": 2500', '"amount_total": ' + "9" * 5000),
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_signed_body_that_is_not_an_event_object_is_refused(client, fake_stripe, donation, body):
    before = stored()
    assert_refused(post_raw(client, body(session_event("checkout.session.completed", fake_stripe, donation))))
    assert stored() == before


def test_unknown_event_types_are_still_ignored_however_they_look(client, fake_stripe, donation):
    for event in (make_event("customer.created", "not an object"), {"type": "invoice.paid"},
                  {"id": 5, "type": "payout.paid", "data": []}):
        response = post_event(client, event)
        assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    assert count(StripeEvent) == 0


def test_a_hostile_event_after_payment_loses_nothing(client, fake_stripe, donation):
    paid = session_event("checkout.session.completed", fake_stripe, donation)
    assert post_event(client, paid).status_code == 200
    before = stored()
    for change in (MALFORMED["object-list"], MALFORMED["amount-string"], MALFORMED["email-huge"]):
        event = session_event("checkout.session.completed", fake_stripe, donation)
        change(event)
        assert_refused(post_event(client, event))
    hostile_refund = refund_event()
    _set((*OBJ, "amount_refunded"), "all")(hostile_refund)
    assert_refused(post_event(client, hostile_refund))
    assert stored() == before
    assert [d.status for d in donations()] == ["paid"]


# --- amounts that differ from the donation's ------------------------------------------------

def mismatches() -> list[dict]:
    db.session.expire_all()
    return [e.details for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "donation_amount_mismatch").order_by(AuditEvent.id))]


def test_a_paid_session_with_another_amount_is_flagged_and_keeps_the_donations_amount(
        client, fake_stripe, donation, campaign, caplog, monkeypatch):
    # Alembic's fileConfig (run by the `migrated` fixture) disables loggers that already exist.
    monkeypatch.setattr(logging.getLogger("advocacy.donations.webhooks"), "disabled", False)
    event = session_event("checkout.session.completed", fake_stripe, donation)
    event["data"]["object"]["amount_total"] = 1
    with caplog.at_level(logging.WARNING, logger="advocacy.donations.webhooks"):
        assert post_event(client, event).status_code == 200
    [paid] = donations()
    assert (paid.status, paid.amount_cents) == ("paid", 2500)
    [flag] = mismatches()
    assert flag == {"donation_id": paid.id, "event_id": event["id"], "event_type": "checkout.session.completed",
                    "stripe_amount_cents": 1, "donation_amount_cents": 2500}
    flagged = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "donation_amount_mismatch")).one()
    assert flagged.campaign_id == campaign.id
    assert any("differs" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    # A replay of the same event is a duplicate: not flagged twice.
    assert post_event(client, event).status_code == 200
    assert len(mismatches()) == 1


def test_a_matching_amount_is_not_flagged(client, fake_stripe, donation):
    assert post_event(client, session_event("checkout.session.completed", fake_stripe, donation)).status_code == 200
    assert post_event(client, refund_event(amount=2500, refunded=1000)).status_code == 200
    assert mismatches() == []


def test_a_refund_of_a_charge_with_another_amount_is_flagged(client, fake_stripe, donation):
    assert post_event(client, session_event("checkout.session.completed", fake_stripe, donation)).status_code == 200
    event = refund_event(amount=999_999, refunded=1000)
    assert post_event(client, event).status_code == 200
    assert [(d.status, d.amount_cents, d.refunded_amount_cents) for d in donations()] == [("paid", 2500, 1000)]
    assert [(f["event_id"], f["stripe_amount_cents"]) for f in mismatches()] == [(event["id"], 999_999)]


# --- timestamps --------------------------------------------------------------------------

def test_a_timestamp_far_in_the_future_is_refused(client, fake_stripe, donation):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    before = stored()
    for ahead in (301 + 5, 3600, 10 * 365 * 86400):
        assert_refused(post_event(client, copy.deepcopy(event), timestamp=int(time.time()) + ahead))
    assert stored() == before
    assert [d.status for d in donations()] == ["pending"]


def test_a_timestamp_slightly_ahead_is_accepted_for_clock_skew(client, fake_stripe, donation):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    assert post_event(client, event, timestamp=int(time.time()) + 60).status_code == 200
    assert [d.status for d in donations()] == ["paid"]
