"""Organisers see donation totals on the dashboard and export the ledger (audited)."""
import csv
import io

import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.donations.models import Donation
from advocacy.extensions import db
from tests.conftest import login
from tests.donations.helpers import donate, donations, post_event, refund_event, session_event


def paid_donations(client, fake, slug, amounts):
    for n, dollars in enumerate(amounts):
        donate(client, slug, amount=str(dollars))
        post_event(client, session_event("checkout.session.completed", fake, donations()[-1],
                                         payment_intent=f"pi_{n}", email=f"donor{n}@example.org"))


def export(client, slug):
    # buffered: the streamed body is read inside the request's context (see IsolatedClient).
    return client.get(f"/organise/campaigns/{slug}/donations.csv", buffered=True)


def test_dashboard_shows_count_total_paid_and_refunded(organiser_client, campaign, fake_stripe):
    paid_donations(organiser_client, fake_stripe, campaign.slug, [25, 50, 10])
    post_event(organiser_client, refund_event(payment_intent="pi_2", amount=1000, refunded=1000))
    donate(organiser_client, campaign.slug, amount="100")  # never paid: not counted
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "<strong>3</strong> donations received" in html
    assert "<strong>$85.00</strong> total paid" in html
    assert "<strong>$10.00</strong> refunded" in html
    assert "<strong>$75.00</strong> net" in html
    assert f'href="/organise/campaigns/{campaign.slug}/donations.csv"' in html


def test_csv_export_lists_donations_and_is_audited(organiser_client, campaign, fake_stripe):
    paid_donations(organiser_client, fake_stripe, campaign.slug, [25])
    response = export(organiser_client, campaign.slug)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["status"], r["amount"], r["donor_email"], r["payment_intent_id"]) for r in rows] == [
        ("paid", "25.00", "donor0@example.org", "pi_0")]
    [audit] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export_donations_csv")).all()
    assert audit.campaign_id == campaign.id and audit.user.email == "owner@example.org"


def test_csv_export_neutralises_formula_cells(organiser_client, campaign, fake_stripe):
    paid_donations(organiser_client, fake_stripe, campaign.slug, [5])
    db.session.execute(sa.update(Donation).values(donor_email="=HYPERLINK(\"x\")@example.org"))
    db.session.commit()
    body = export(organiser_client, campaign.slug).get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["donor_email"].startswith("'=")


def test_other_organisers_cannot_export_this_campaigns_donations(client, campaign, make_user, fake_stripe):
    make_user("other@example.org")
    login(client, "other@example.org")
    assert export(client, campaign.slug).status_code == 404
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export_donations_csv")).all() == []


def test_anonymous_visitors_cannot_export(client, campaign):
    response = client.get(f"/organise/campaigns/{campaign.slug}/donations.csv")
    assert response.status_code == 302 and "/organise/login" in response.headers["Location"]


def test_dashboard_says_donations_are_off_without_a_key(organiser_client, campaign):
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Donations are off on this site" in html
