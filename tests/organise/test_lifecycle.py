"""draft -> open -> closed -> delivered -> archived; anything else is refused with a message."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.campaigns.models import Campaign
from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.worker import run_worker
from tests.conftest import csrf_token


def move(client, campaign, to, **extra):
    page = client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    response = client.post(f"/organise/campaigns/{campaign.slug}/state",
                           data={"csrf_token": csrf_token(page), "to": to, **extra})
    db.session.refresh(campaign)
    return response


def test_the_whole_lifecycle_in_order(organiser_client, campaign):
    campaign.state = "draft"
    db.session.commit()
    assert organiser_client.get(f"/campaigns/{campaign.slug}").status_code == 404
    assert move(organiser_client, campaign, "open").status_code == 302 and campaign.state == "open"
    assert organiser_client.get(f"/campaigns/{campaign.slug}").status_code == 200
    move(organiser_client, campaign, "closed")
    assert campaign.state == "closed" and campaign.closed_at is not None and not campaign.accepts_signatures()
    move(organiser_client, campaign, "delivered", delivered_to="Sen. Duckworth's Chicago office, by hand",
         delivered_at="2030-03-04T15:30")
    assert campaign.state == "delivered"
    assert campaign.delivered_to == "Sen. Duckworth's Chicago office, by hand"
    assert campaign.delivered_at.isoformat() == "2030-03-04T15:30:00"
    dashboard = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Duckworth" in dashboard
    move(organiser_client, campaign, "archived")
    assert campaign.state == "archived"
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.campaign_id == campaign.id)).all()
    assert {"campaign_open", "campaign_closed", "campaign_delivered", "campaign_archived"} <= set(actions)


@pytest.mark.parametrize("start,to", [
    ("draft", "closed"), ("draft", "delivered"), ("open", "draft"), ("open", "delivered"), ("open", "archived"),
    ("closed", "open"), ("closed", "archived"), ("delivered", "open"), ("archived", "open"), ("open", "bogus"),
])
def test_invalid_transitions_are_refused_with_a_message(organiser_client, campaign, start, to):
    campaign.state = start
    db.session.commit()
    response = move(organiser_client, campaign, to, delivered_to="Someone")
    assert response.status_code == 302 and campaign.state == start
    assert "cannot become" in organiser_client.get(response.headers["Location"]).get_data(as_text=True)


def test_delivery_needs_to_say_to_whom(organiser_client, campaign):
    campaign.state = "closed"
    db.session.commit()
    response = move(organiser_client, campaign, "delivered", delivered_to="  ")
    assert campaign.state == "closed" and campaign.delivered_at is None
    assert "Say to whom" in organiser_client.get(response.headers["Location"]).get_data(as_text=True)


def test_opening_with_a_past_closing_date_is_refused(organiser_client, campaign):
    campaign.state, campaign.closes_at = "draft", utcnow() - timedelta(days=1)
    db.session.commit()
    response = move(organiser_client, campaign, "open")
    assert campaign.state == "draft"
    assert "closing date has passed" in organiser_client.get(response.headers["Location"]).get_data(as_text=True)


def test_close_due_closes_only_campaigns_past_their_date_and_is_idempotent(app, make_campaign):
    due = make_campaign(closes_at=utcnow() - timedelta(minutes=1))
    later = make_campaign(closes_at=utcnow() + timedelta(days=1))
    draft = make_campaign(state="draft", closes_at=utcnow() - timedelta(days=1))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["advocacy", "close-due"])
    assert first.exit_code == 0 and due.slug in first.output
    second = runner.invoke(args=["advocacy", "close-due"])
    assert second.exit_code == 0 and "No campaign was due" in second.output
    states = {c.slug: c.state for c in db.session.scalars(sa.select(Campaign))}
    assert states == {due.slug: "closed", later.slug: "open", draft.slug: "draft"}
    closed = db.session.get(Campaign, due.id)
    assert closed.closed_at == closed.closes_at
    assert db.session.scalars(sa.select(AuditEvent.action)).all() == ["campaign_closed"]


def test_the_worker_runs_close_due(app, make_campaign):
    due_id = make_campaign(closes_at=utcnow() - timedelta(minutes=1)).id
    run_worker(once=True)
    assert db.session.get(Campaign, due_id).state == "closed"
