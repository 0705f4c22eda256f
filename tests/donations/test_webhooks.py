"""Only verified webhooks move money states; replays and out-of-order events are harmless."""
import json
import time

import pytest
import sqlalchemy as sa

from advocacy.donations.models import StripeEvent
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from tests.conftest import deliver_mail
from tests.donations.helpers import donate, donations, post_event, refund_event, session_event
from tests.support.fake_stripe import make_event


@pytest.fixture
def donation(client, campaign, fake_stripe):
    assert donate(client, campaign.slug, amount="25").status_code == 303
    return donations()[0]


def receipts():
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "donation_receipt")))


def test_paid_checkout_marks_the_donation_paid_and_mails_a_receipt(client, fake_stripe, donation, inbox):
    response = post_event(client, session_event("checkout.session.completed", fake_stripe, donation))
    assert response.status_code == 200
    [paid] = donations()
    assert (paid.status, paid.payment_intent_id, paid.donor_email) == ("paid", "pi_test_1", "donor@example.org")
    assert paid.paid_at is not None
    deliver_mail()
    [mail] = inbox.to("donor@example.org")
    assert mail["Subject"] == "Thank you for your donation"
    body = mail.get_body(("plain",)).get_content()
    assert "$25.00" in body and "Paid leave for all" in body and f"D-{paid.id}" in body


def test_the_same_event_twice_is_counted_once(client, fake_stripe, donation):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    assert post_event(client, event).status_code == 200
    assert post_event(client, event).status_code == 200
    assert [d.status for d in donations()] == ["paid"]
    assert len(receipts()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 1


def test_completed_but_unpaid_waits_for_the_async_result(client, fake_stripe, donation):
    post_event(client, session_event("checkout.session.completed", fake_stripe, donation, payment_status="unpaid"))
    assert [d.status for d in donations()] == ["pending"]
    assert receipts() == []
    post_event(client, session_event("checkout.session.async_payment_succeeded", fake_stripe, donation))
    assert [d.status for d in donations()] == ["paid"]
    assert len(receipts()) == 1


def test_async_payment_failure_marks_it_failed(client, fake_stripe, donation):
    post_event(client, session_event("checkout.session.completed", fake_stripe, donation, payment_status="unpaid"))
    post_event(client, session_event("checkout.session.async_payment_failed", fake_stripe, donation,
                                     payment_status="unpaid"))
    assert [d.status for d in donations()] == ["failed"]
    assert receipts() == []


def test_an_expired_session_marks_it_expired_and_a_late_expiry_does_not_undo_a_payment(client, fake_stripe, campaign):
    donate(client, campaign.slug, amount="10")
    donate(client, campaign.slug, amount="50")
    abandoned, paid = donations()
    post_event(client, session_event("checkout.session.expired", fake_stripe, abandoned, payment_status="unpaid",
                                     payment_intent=None))
    post_event(client, session_event("checkout.session.completed", fake_stripe, paid, payment_intent="pi_2"))
    post_event(client, session_event("checkout.session.expired", fake_stripe, paid, payment_status="unpaid"))
    assert [d.status for d in donations()] == ["expired", "paid"]


def test_refund_after_payment_ends_refunded(client, fake_stripe, donation):
    post_event(client, session_event("checkout.session.completed", fake_stripe, donation))
    assert post_event(client, refund_event()).status_code == 200
    [refunded] = donations()
    assert (refunded.status, refunded.refunded_amount_cents) == ("refunded", 2500)
    assert refunded.refunded_at is not None and refunded.paid_at is not None


def test_partial_refund_keeps_it_paid_and_records_the_amount(client, fake_stripe, donation):
    post_event(client, session_event("checkout.session.completed", fake_stripe, donation))
    post_event(client, refund_event(refunded=1000))
    assert [(d.status, d.refunded_amount_cents) for d in donations()] == [("paid", 1000)]
    post_event(client, refund_event(refunded=2500))
    post_event(client, refund_event(refunded=1000))  # an older partial refund arriving late
    assert [(d.status, d.refunded_amount_cents) for d in donations()] == [("refunded", 2500)]


def test_refund_before_completion_arrives_ends_refunded(client, fake_stripe, donation):
    # Stripe does not promise order: the refund (unknown payment intent yet) comes first.
    assert post_event(client, refund_event(payment_intent="pi_early")).status_code == 200
    assert [d.status for d in donations()] == ["pending"]
    post_event(client, session_event("checkout.session.completed", fake_stripe, donation, payment_intent="pi_early"))
    [refunded] = donations()
    assert (refunded.status, refunded.refunded_amount_cents) == ("refunded", 2500)
    assert refunded.paid_at is not None  # the money did come in before it went back
    assert receipts() == []


def test_refund_found_by_metadata_before_completion_is_not_undone_by_the_completion(client, fake_stripe, donation):
    post_event(client, refund_event(payment_intent="pi_meta", metadata={"donation_id": str(donation.id)}))
    assert [d.status for d in donations()] == ["refunded"]
    post_event(client, session_event("checkout.session.completed", fake_stripe, donation, payment_intent="pi_meta"))
    post_event(client, session_event("checkout.session.completed", fake_stripe, donation, payment_intent="pi_meta"))
    assert [d.status for d in donations()] == ["refunded"]
    assert receipts() == []


def test_tampered_body_is_refused_and_changes_nothing(client, fake_stripe, donation):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    tampered = json.dumps(event).replace('"amount_total": 2500', '"amount_total": 1')
    assert tampered != json.dumps(event)
    assert post_event(client, event, body=tampered).status_code == 400
    assert [d.status for d in donations()] == ["pending"]


def test_wrong_secret_is_refused(client, fake_stripe, donation):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    assert post_event(client, event, secret="whsec_someone_else").status_code == 400
    assert [d.status for d in donations()] == ["pending"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0


def test_old_timestamp_is_refused(client, fake_stripe, donation):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    assert post_event(client, event, timestamp=int(time.time()) - 3600).status_code == 400
    assert [d.status for d in donations()] == ["pending"]


def test_missing_signature_header_is_refused(client, fake_stripe, donation):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    response = client.post("/stripe/webhook", data=json.dumps(event), content_type="application/json")
    assert response.status_code == 400
    assert [d.status for d in donations()] == ["pending"]


def test_unknown_event_types_are_acknowledged_and_ignored(client, fake_stripe, donation):
    session = fake_stripe.sessions[donation.checkout_session_id]
    response = post_event(client, make_event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    response = post_event(client, make_event("checkout.session.updated", dict(session, payment_status="paid")))
    assert response.status_code == 200
    assert [d.status for d in donations()] == ["pending"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0


def test_events_about_sessions_we_did_not_create_are_acknowledged(client, fake_stripe):
    foreign = {"id": "cs_test_other", "object": "checkout.session", "payment_status": "paid",
               "client_reference_id": None, "metadata": {}, "amount_total": 500}
    assert post_event(client, make_event("checkout.session.completed", foreign)).status_code == 200
    assert donations() == []


def test_a_foreign_session_cannot_claim_our_donation(client, fake_stripe, donation):
    event = session_event("checkout.session.completed", fake_stripe, donation)
    event["data"]["object"]["id"] = "cs_test_not_ours"  # names our donation, but not its session
    assert post_event(client, event).status_code == 200
    assert [d.status for d in donations()] == ["pending"]


def test_webhook_is_unavailable_without_a_secret(app, client):
    app.config["STRIPE_WEBHOOK_SECRET"] = None
    response = client.post("/stripe/webhook", data="{}", headers={"Stripe-Signature": "t=1,v1=0"})
    assert response.status_code == 503


def test_webhook_needs_no_csrf_token_but_the_site_still_does(client, fake_stripe, donation, campaign):
    # The app runs with CSRF protection on; the webhook is exempt, the donate form is not.
    assert client.post(f"/campaigns/{campaign.slug}/donate", data={"amount": "5"}).status_code == 400
    assert post_event(client, session_event("checkout.session.completed", fake_stripe, donation)).status_code == 200


@pytest.mark.parametrize("start, target, moves", [
    ("pending", "paid", True), ("pending", "failed", True), ("pending", "expired", True),
    ("pending", "refunded", True), ("paid", "refunded", True),
    ("paid", "pending", False), ("refunded", "paid", False), ("paid", "expired", False),
    ("expired", "failed", False), ("paid", "paid", False),
    # A payment outranks "no payment": money Stripe took is always recorded.
    ("failed", "paid", True), ("expired", "paid", True),
])
def test_status_only_moves_forward(start, target, moves):
    from advocacy.donations.models import Donation
    from advocacy.donations.webhooks import advance

    donation = Donation(status=start)
    assert advance(donation, target) is moves
    assert donation.status == (target if moves else start)
