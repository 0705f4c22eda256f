"""The real stripe library works against FakeStripe (no Flask app, no DB)."""

import json
import time

import pytest
import stripe

from tests.support.fake_stripe import FakeStripe, decode_form, make_event, sign_webhook

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def fake():
    with FakeStripe() as server:
        yield server


@pytest.fixture
def client(fake):
    return stripe.StripeClient("sk_test_123", base_addresses={"api": fake.base_url})


def donation_params(amount=500, campaign_id=3):
    return {
        "mode": "payment",
        "submit_type": "donate",
        "line_items": [
            {
                "price_data": {
                    "currency": "eur",
                    "unit_amount": amount,
                    "product_data": {"name": "Donation"},
                },
                "quantity": 2,
            }
        ],
        "metadata": {"campaign_id": str(campaign_id)},
        "client_reference_id": "donation-42",
        "success_url": "https://advocacy.test/donate/ok?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://advocacy.test/donate/cancel",
    }


def test_decode_form_builds_nested_dicts_and_indexed_lists():
    form = decode_form(
        "line_items[0][price_data][unit_amount]=500&line_items[1][quantity]=2"
        "&metadata[campaign_id]=3&expand[0]=payment_intent&mode=payment&empty="
    )
    assert form == {
        "line_items": [{"price_data": {"unit_amount": "500"}}, {"quantity": "2"}],
        "metadata": {"campaign_id": "3"},
        "expand": ["payment_intent"],
        "mode": "payment",
        "empty": "",
    }


def test_client_creates_checkout_session_and_request_is_recorded(fake, client):
    session = client.v1.checkout.sessions.create(
        params=donation_params(), options={"idempotency_key": "donation-42-attempt-1"}
    )

    assert session.id.startswith("cs_test_")
    assert session.url == f"https://checkout.stripe.test/c/pay/{session.id}"
    assert session.amount_total == 1000
    assert session.currency == "eur"
    assert session.payment_status == "unpaid"
    assert session.metadata["campaign_id"] == "3"

    req = fake.last("/v1/checkout/sessions")
    assert req.method == "POST"
    assert req.header("Idempotency-Key") == "donation-42-attempt-1"
    assert req.headers["authorization"] == "Bearer sk_test_123"
    assert req.form["line_items"][0]["price_data"]["unit_amount"] == "500"
    assert req.form["line_items"][0]["price_data"]["product_data"] == {"name": "Donation"}
    assert req.form["line_items"][0]["quantity"] == "2"
    assert req.form["metadata"] == {"campaign_id": "3"}
    assert req.form["submit_type"] == "donate"
    assert req.form["success_url"].endswith("session_id={CHECKOUT_SESSION_ID}")


def test_client_retrieves_stored_session_including_test_changes(fake, client):
    created = client.v1.checkout.sessions.create(params=donation_params())
    fake.set_session(created.id, payment_status="paid", status="complete",
                     payment_intent="pi_test_1")

    session = client.v1.checkout.sessions.retrieve(created.id)

    assert session.id == created.id
    assert session.payment_status == "paid"
    assert session.status == "complete"
    assert session.payment_intent == "pi_test_1"
    assert fake.last().method == "GET"
    assert fake.last().path == f"/v1/checkout/sessions/{created.id}"


def test_retrieving_unknown_session_raises_invalid_request_error(client):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.retrieve("cs_test_missing")
    assert excinfo.value.http_status == 404
    assert excinfo.value.code == "resource_missing"


def test_same_idempotency_key_and_params_returns_same_session(fake, client):
    options = {"idempotency_key": "donation-7"}
    first = client.v1.checkout.sessions.create(params=donation_params(), options=options)
    second = client.v1.checkout.sessions.create(params=donation_params(), options=options)

    assert second.id == first.id
    assert len(fake.sessions) == 1
    assert len(fake.requests) == 2


def test_same_idempotency_key_with_different_params_raises_idempotency_error(fake, client):
    options = {"idempotency_key": "donation-8"}
    client.v1.checkout.sessions.create(params=donation_params(amount=500), options=options)

    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(params=donation_params(amount=900), options=options)
    assert len(fake.sessions) == 1


def test_library_sends_an_idempotency_key_on_every_post_by_default(fake, client):
    client.v1.checkout.sessions.create(params=donation_params())
    client.v1.checkout.sessions.create(params=donation_params())

    keys = {r.header("idempotency-key") for r in fake.requests}
    assert len(keys) == 2 and None not in keys
    assert len(fake.sessions) == 2


@pytest.mark.parametrize(
    "status, error_class",
    [(500, stripe.APIError), (402, stripe.CardError), (400, stripe.InvalidRequestError)],
)
def test_injected_failure_raises_matching_stripe_error(fake, client, status, error_class):
    fake.fail_next(status=status)

    with pytest.raises(error_class) as excinfo:
        client.v1.checkout.sessions.create(params=donation_params())
    assert excinfo.value.http_status == status
    assert fake.sessions == {}

    # only the next request fails
    assert client.v1.checkout.sessions.create(params=donation_params()).id


def test_injected_failure_is_not_retried_even_with_network_retries(fake):
    client = stripe.StripeClient(
        "sk_test_123", base_addresses={"api": fake.base_url}, max_network_retries=2
    )
    fake.fail_next(status=500, error_type="api_error", message="boom")

    with pytest.raises(stripe.APIError, match="boom"):
        client.v1.checkout.sessions.create(params=donation_params())
    assert len(fake.requests) == 1


def test_injected_failure_does_not_consume_idempotency_key(fake, client):
    options = {"idempotency_key": "donation-9"}
    fake.fail_next(status=500)
    with pytest.raises(stripe.APIError):
        client.v1.checkout.sessions.create(params=donation_params(), options=options)

    session = client.v1.checkout.sessions.create(params=donation_params(), options=options)
    assert list(fake.sessions) == [session.id]


def test_unknown_path_is_recorded_and_returns_stripe_404(fake, client):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.customers.retrieve("cus_123")
    assert excinfo.value.http_status == 404
    assert fake.last().path == "/v1/customers/cus_123"


def test_module_level_api_base_works_too(fake, monkeypatch):
    monkeypatch.setattr(stripe, "api_base", fake.base_url)
    monkeypatch.setattr(stripe, "api_key", "sk_test_global")

    session = stripe.checkout.Session.create(idempotency_key="global-1", **donation_params())
    again = stripe.checkout.Session.retrieve(session.id)

    assert again.id == session.id
    post = fake.requests[0]
    assert (post.method, post.path) == ("POST", "/v1/checkout/sessions")
    assert post.header("Idempotency-Key") == "global-1"
    assert post.form["metadata"] == {"campaign_id": "3"}


# ---- webhooks -----------------------------------------------------------


def signed_event(**sign_kwargs):
    event = make_event(
        "checkout.session.completed",
        {"id": "cs_test_1", "object": "checkout.session", "payment_status": "paid",
         "metadata": {"campaign_id": "3"}},
        event_id="evt_test_1",
    )
    payload = json.dumps(event).encode("utf-8")
    return payload, sign_webhook(payload, WEBHOOK_SECRET, **sign_kwargs)


def test_signed_webhook_verifies_with_construct_event():
    payload, header = signed_event()
    assert header.startswith("t=") and ",v1=" in header

    event = stripe.Webhook.construct_event(payload, header, WEBHOOK_SECRET)

    assert event.id == "evt_test_1"
    assert event.type == "checkout.session.completed"
    assert event.data.object.payment_status == "paid"
    assert event.data.object.metadata["campaign_id"] == "3"


def test_signed_webhook_verifies_as_str_payload_too():
    payload, header = signed_event()
    text = payload.decode("utf-8")
    assert sign_webhook(text, WEBHOOK_SECRET, timestamp=123) == sign_webhook(
        payload, WEBHOOK_SECRET, timestamp=123
    )
    assert stripe.Webhook.construct_event(text, header, WEBHOOK_SECRET).id == "evt_test_1"


def test_tampered_webhook_body_fails_verification():
    payload, header = signed_event()
    tampered = payload.replace(b'"paid"', b'"unpaid"')
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, header, WEBHOOK_SECRET)


def test_webhook_with_wrong_secret_fails_verification():
    payload, header = signed_event()
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, header, "whsec_other")


def test_old_webhook_timestamp_fails_tolerance_check():
    payload, header = signed_event(timestamp=int(time.time()) - 600)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(payload, header, WEBHOOK_SECRET)
    # within a wider tolerance it is accepted
    assert stripe.Webhook.construct_event(payload, header, WEBHOOK_SECRET, tolerance=900)


def test_make_event_builds_stripe_envelope():
    event = make_event("checkout.session.completed", {"id": "cs_1"}, created=1700000000)
    assert event["id"].startswith("evt_")
    assert event["object"] == "event"
    assert event["created"] == 1700000000
    assert event["data"] == {"object": {"id": "cs_1"}}
    assert event["api_version"] == stripe.api_version
    assert event["livemode"] is False
