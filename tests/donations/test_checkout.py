"""Starting a donation: amounts checked on the server, then a Stripe Checkout Session."""
import re

import pytest

from tests.conftest import csrf_token, post_button
from tests.donations.helpers import donate, donations


def test_preset_amount_creates_a_donate_checkout_session_and_redirects(client, campaign, fake_stripe):
    response = donate(client, campaign.slug, amount="25")
    [donation] = donations()
    assert (donation.amount_cents, donation.currency, donation.status) == (2500, "usd", "pending")

    request = fake_stripe.last("/v1/checkout/sessions")
    form = request.form
    assert (form["mode"], form["submit_type"]) == ("payment", "donate")
    assert form["client_reference_id"] == str(donation.id)
    [item] = form["line_items"]
    assert item["quantity"] == "1"
    assert item["price_data"]["unit_amount"] == "2500"
    assert item["price_data"]["currency"] == "usd"
    expected_metadata = {"donation_id": str(donation.id), "campaign_id": str(campaign.id), "campaign": campaign.slug}
    assert form["metadata"] == expected_metadata
    assert form["payment_intent_data"]["metadata"] == expected_metadata
    assert form["success_url"] == "http://localhost/campaigns/paid-leave/donate/thanks?session_id={CHECKOUT_SESSION_ID}"
    assert form["cancel_url"] == "http://localhost/campaigns/paid-leave/donate/cancelled"
    assert request.header("Idempotency-Key") == f"donation-{donation.id}-checkout"
    assert request.header("Authorization") == "Bearer sk_test_x"

    assert response.status_code == 303
    assert response.headers["Location"] == fake_stripe.sessions[donation.checkout_session_id]["url"]


@pytest.mark.parametrize("typed, cents", [("15", 1500), ("15.50", 1550), ("$1,000", 100000), (" 1 ", 100),
                                          ("10000", 1_000_000)])
def test_another_amount_is_read_as_dollars(client, campaign, fake_stripe, typed, cents):
    assert donate(client, campaign.slug, amount="other", custom=typed).status_code == 303
    assert fake_stripe.last("/v1/checkout/sessions").form["line_items"][0]["price_data"]["unit_amount"] == str(cents)
    assert [d.amount_cents for d in donations()] == [cents]


def test_another_amount_without_choosing_a_radio_is_used(client, campaign, fake_stripe):
    assert donate(client, campaign.slug, custom="42").status_code == 303
    assert [d.amount_cents for d in donations()] == [4200]


@pytest.mark.parametrize("typed, message", [
    ("0.99", "Enter an amount between $1 and $10,000"),
    ("10000.01", "Enter an amount between $1 and $10,000"),
    ("0", "Enter an amount between $1 and $10,000"),
    ("ten", "Enter an amount in dollars, like 15 or 15.50"),
    ("-5", "Enter an amount in dollars, like 15 or 15.50"),
    ("1e3", "Enter an amount in dollars, like 15 or 15.50"),
    ("NaN", "Enter an amount in dollars, like 15 or 15.50"),
    ("15.555", "Enter an amount in dollars, like 15 or 15.50"),
])
def test_bad_amounts_get_a_clear_error_and_no_stripe_call(client, campaign, fake_stripe, typed, message):
    response = donate(client, campaign.slug, amount="other", custom=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'href="#custom_amount"' in html  # the error summary links to the field
    assert fake_stripe.requests == [] and donations() == []


def test_no_amount_at_all_asks_for_one(client, campaign, fake_stripe):
    response = donate(client, campaign.slug)
    assert response.status_code == 422
    assert "Choose an amount or enter another amount" in response.get_data(as_text=True)
    assert fake_stripe.requests == [] and donations() == []


def test_a_preset_that_is_not_offered_is_refused(client, campaign, fake_stripe):
    response = donate(client, campaign.slug, amount="1000000")
    assert response.status_code == 422
    assert fake_stripe.requests == [] and donations() == []


def test_limits_are_configurable(app, client, campaign, fake_stripe):
    app.config.update(DONATION_MIN_CENTS=500, DONATION_MAX_CENTS=5000)
    response = donate(client, campaign.slug, amount="other", custom="60")
    assert "Enter an amount between $5 and $50" in response.get_data(as_text=True)
    assert 'value="100"' not in client.get(f"/campaigns/{campaign.slug}/donate").get_data(as_text=True)


def test_stripe_error_shows_a_clear_page_and_records_the_failed_attempt(client, campaign, fake_stripe):
    fake_stripe.fail_next(500)
    response = donate(client, campaign.slug, amount="10")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "We could not start the payment" in html and "No money was taken" in html
    [donation] = donations()
    assert (donation.status, donation.checkout_session_id) == ("failed", None)
    assert donation.failure_reason.startswith("checkout:")


def test_donating_after_confirming_links_the_signature_and_prefills_the_email(client, campaign, signer, fake_stripe):
    confirmed = post_button(client, signer(campaign.slug, email="maria@example.org")["confirm"])
    html = confirmed.get_data(as_text=True)
    assert "Chip in to the campaign" in html
    ref = re.search(r'name="ref" type="hidden" value="([^"]+)"', html).group(1)
    assert donate(client, campaign.slug, amount="5", ref=ref).status_code == 303
    [donation] = donations()
    assert donation.signature_id is not None and donation.donor_email == "maria@example.org"
    assert fake_stripe.last("/v1/checkout/sessions").form["customer_email"] == "maria@example.org"


def test_a_forged_signature_reference_is_ignored(client, campaign, fake_stripe):
    assert donate(client, campaign.slug, amount="5", ref="1.forged.sig").status_code == 303
    [donation] = donations()
    assert donation.signature_id is None and donation.donor_email is None
    assert "customer_email" not in fake_stripe.last("/v1/checkout/sessions").form


def test_campaign_page_offers_donations_when_stripe_is_configured(client, campaign, fake_stripe):
    html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.slug}/donate"' in html


def test_without_a_stripe_key_the_site_works_and_says_donations_are_off(client, campaign, signer):
    assert "/donate" not in client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    confirmed = post_button(client, signer(campaign.slug)["confirm"])
    assert confirmed.status_code == 200
    assert "Donations are not available at the moment." in confirmed.get_data(as_text=True)
    for path in ("donate", "donate/thanks?session_id=cs_x", "donate/cancelled"):
        response = client.get(f"/campaigns/{campaign.slug}/{path}")
        assert response.status_code == 404
        assert "Donations are not available" in response.get_data(as_text=True)
    # With a valid CSRF token of this session (the sign-in page has one; public campaign pages carry
    # none), so it is the switched-off donations that refuse.
    token = csrf_token(client.get("/organise/login").get_data(as_text=True))
    assert token
    refused = client.post(f"/campaigns/{campaign.slug}/donate", data={"csrf_token": token, "amount": "5"})
    assert refused.status_code == 404
    assert "Donations are not available" in refused.get_data(as_text=True)
    assert donations() == []


def test_stripe_failure_never_breaks_signing(client, campaign, signer, fake_stripe):
    fake_stripe.fail_next(500, times=5)
    confirmed = post_button(client, signer(campaign.slug)["confirm"])
    assert confirmed.status_code == 200
    assert "Thank you, your signature is confirmed" in confirmed.get_data(as_text=True)
    assert fake_stripe.requests == []  # signing never calls Stripe
