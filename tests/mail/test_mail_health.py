"""Issue #14: the dashboard's mail health per campaign, and /metrics with the queue's depth and age."""
import re
from datetime import timedelta

import sqlalchemy as sa

from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage, SuppressedAddress
from tests.conftest import _free_port, deliver_mail, login, sign_form, write_due_mail


def stat(html: str, label: str) -> int:
    match = re.search(rf"<strong>([0-9,]+)</strong> {re.escape(label)}</li>", html)
    assert match, label
    return int(match[1].replace(",", ""))


def test_dashboard_counts_this_campaigns_mail_by_outcome(app, organiser_client, campaign, make_campaign, relay):
    other = make_campaign()
    db.session.add(SuppressedAddress(email_canonical="blocked@example.net", reason="bounce"))
    db.session.commit()
    relay.refuse.add("refused@example.net")
    for email in ("a@example.net", "b@example.net", "blocked@example.net", "refused@example.net"):
        sign_form(organiser_client, campaign.slug, email=email)
    sign_form(organiser_client, other.slug, email="elsewhere@example.net")  # another campaign's mail
    deliver_mail()
    real_port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = _free_port()  # the relay is away: this one waits in the queue
    sign_form(organiser_client, campaign.slug, email="waiting@example.net")
    deliver_mail()
    app.config["SMTP_PORT"] = real_port
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.status == "queued")
                       .values(created_at=utcnow() - timedelta(minutes=7)))
    db.session.commit()

    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Mail health" in html
    assert stat(html, "waiting to be sent") == 1
    assert stat(html, "sent") == 2
    assert stat(html, "bounced") == 1  # refused@ : the relay refused it for good
    assert stat(html, "not sent (address suppressed)") == 1
    assert stat(html, "given up") == 1
    assert stat(html, "marked as spam") == 0
    assert "1 message waits in the queue for all campaigns; it has waited 7 min." in html
    assert "refused@example.net" in html and "blocked@example.net" not in html.split("did not arrive")[1]


def test_metrics_expose_queue_depth_and_oldest_age(app, client, campaign):
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "advocacy_mail_queue_depth 0\n" in response.get_data(as_text=True)
    assert "advocacy_mail_queue_oldest_age_seconds 0\n" in response.get_data(as_text=True)
    sign_form(client, campaign.slug, email="a@example.net")
    sign_form(client, campaign.slug, email="b@example.net")
    assert "advocacy_confirmations_due 2\n" in client.get("/metrics").get_data(as_text=True)
    write_due_mail()
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.to_address == "a@example.net")
                       .values(created_at=utcnow() - timedelta(seconds=90)))
    db.session.commit()
    body = client.get("/metrics").get_data(as_text=True)
    assert "advocacy_mail_queue_depth 2\n" in body
    assert "advocacy_confirmations_due 0\n" in body
    age = int(re.search(r"advocacy_mail_queue_oldest_age_seconds ([0-9]+)", body)[1])
    assert 89 <= age <= 100


def test_another_campaigns_organiser_does_not_see_the_mail_panel(client, campaign, make_campaign, make_user):
    other = make_campaign()
    make_user("other@example.org", campaigns=[other])
    assert login(client, "other@example.org").status_code == 302
    assert client.get(f"/organise/campaigns/{campaign.slug}").status_code == 404
