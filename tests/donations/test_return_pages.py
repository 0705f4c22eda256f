"""The pages a donor returns to from Stripe show what we know; they never mark anything paid."""
from tests.donations.helpers import donate, donations, post_event, session_event


def thanks_url(slug, session_id):
    return f"/campaigns/{slug}/donate/thanks?session_id={session_id}"


def test_success_page_says_confirming_until_the_webhook_arrives(client, campaign, fake_stripe):
    donate(client, campaign.slug, amount="25")
    [donation] = donations()
    fake_stripe.set_session(donation.checkout_session_id, payment_status="paid", status="complete")
    page = client.get(thanks_url(campaign.slug, donation.checkout_session_id))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "We are confirming your payment" in html and "We have received your donation" not in html
    assert fake_stripe.last().path == f"/v1/checkout/sessions/{donation.checkout_session_id}"  # looked up
    assert [d.status for d in donations()] == ["pending"]  # and nothing changed


def test_success_page_confirms_once_we_recorded_the_payment(client, campaign, fake_stripe):
    donate(client, campaign.slug, amount="25")
    [donation] = donations()
    post_event(client, session_event("checkout.session.completed", fake_stripe, donation))
    html = client.get(thanks_url(campaign.slug, donation.checkout_session_id)).get_data(as_text=True)
    assert "We have received your donation" in html and "$25.00" in html


def test_success_page_for_an_unknown_session_is_a_404(client, campaign, fake_stripe):
    response = client.get(thanks_url(campaign.slug, "cs_test_made_up"))
    assert response.status_code == 404
    assert "We could not find this donation" in response.get_data(as_text=True)


def test_success_page_still_answers_when_stripe_is_down(client, campaign, fake_stripe):
    donate(client, campaign.slug, amount="25")
    [donation] = donations()
    fake_stripe.fail_next(500)
    page = client.get(thanks_url(campaign.slug, donation.checkout_session_id))
    assert page.status_code == 200 and "We are confirming your payment" in page.get_data(as_text=True)


def test_cancel_page_says_no_money_was_taken(client, campaign, fake_stripe):
    page = client.get(f"/campaigns/{campaign.slug}/donate/cancelled")
    assert page.status_code == 200
    assert "no money was taken" in page.get_data(as_text=True)
