"""Closed campaigns refuse signatures; pending ones may still be confirmed for 24 hours."""
from datetime import timedelta

import sqlalchemy as sa

from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.signatures.counting import signature_count
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, post_button


def close(campaign, hours_ago):
    campaign.state = "closed"
    campaign.closed_at = utcnow() - timedelta(hours=hours_ago)
    db.session.commit()


def test_closed_campaign_refuses_new_signatures_with_a_clear_page(client, campaign):
    token = csrf_token(client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True))
    close(campaign, hours_ago=0)
    response = client.post(f"/campaigns/{campaign.slug}/sign", data={
        "csrf_token": token, "given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org", "postal_code": "60614"})
    assert response.status_code == 410
    assert "This campaign has closed" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_campaign_past_its_closing_date_shows_no_form(client, campaign):
    campaign.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert 'name="given_name"' not in html
    assert "no longer collecting signatures" in html


def test_pending_signature_can_be_confirmed_within_24_hours_of_closing(client, campaign, signer):
    links = signer(campaign.slug)
    close(campaign, hours_ago=23)
    assert post_button(client, links["confirm"]).status_code == 200
    assert signature_count(campaign.id) == 1


def test_pending_signature_cannot_be_confirmed_more_than_24_hours_after_closing(client, campaign, signer):
    links = signer(campaign.slug)
    close(campaign, hours_ago=25)
    page = client.get(links["confirm"])
    response = client.post(links["confirm"], data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 410
    assert signature_count(campaign.id) == 0


def test_grace_period_also_runs_from_the_scheduled_closing_date(client, campaign, signer):
    links = signer(campaign.slug)
    campaign.closes_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    page = client.get(links["confirm"])
    response = client.post(links["confirm"], data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 410
