"""Issue #11: the donations ledger as XLSX (typed cells) and as CSV with a UTF-8 byte order mark."""
import csv
import io
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook

from advocacy.audit.models import AuditEvent
from advocacy.donations.models import Donation
from advocacy.extensions import db
from tests.conftest import login
from tests.donations.helpers import donate, donations, post_event, session_event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pay(client, fake, slug, dollars, email):
    donate(client, slug, amount=str(dollars))
    post_event(client, session_event("checkout.session.completed", fake, donations()[-1],
                                     payment_intent="pi_x", email=email))


def get(client, slug, ext):
    # buffered: the streamed body is read inside the request's context (see IsolatedClient).
    return client.get(f"/organise/campaigns/{slug}/donations.{ext}", buffered=True)


def test_xlsx_export_has_numbers_dates_and_literal_text(organiser_client, campaign, fake_stripe):
    pay(organiser_client, fake_stripe, campaign.slug, 25, "siobhán@example.org")
    db.session.execute(sa.update(Donation).values(donor_email='=HYPERLINK("x")@example.org'))
    db.session.commit()
    response = get(organiser_client, campaign.slug, "xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{campaign.slug}-donations.xlsx"'
    header, row = load_workbook(io.BytesIO(response.data)).active.iter_rows()
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert cells["amount"].value == 25 and cells["amount"].data_type == "n"
    assert cells["status"].value == "paid" and cells["currency"].value == "usd"
    assert isinstance(cells["created_at"].value, datetime) and cells["created_at"].is_date
    assert isinstance(cells["paid_at"].value, datetime)
    assert cells["refunded_at"].value is None
    email = cells["donor_email"]
    assert email.value == '=HYPERLINK("x")@example.org' and email.data_type == "s"  # text, not a formula
    [audit] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export_donations_xlsx")).all()
    assert audit.campaign_id == campaign.id


def test_csv_export_starts_with_a_bom_and_keeps_amounts(organiser_client, campaign, fake_stripe):
    pay(organiser_client, fake_stripe, campaign.slug, 10, "zoë@example.org")
    body = get(organiser_client, campaign.slug, "csv").data
    assert body.startswith(b"\xef\xbb\xbf")
    [row] = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert Decimal(row["amount"]) == 10 and row["amount"] == "10.00" and row["donation_id"]


def test_dashboard_links_the_xlsx_export(organiser_client, campaign):
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert f'href="/organise/campaigns/{campaign.slug}/donations.xlsx"' in html


def test_xlsx_export_refuses_anonymous_and_other_organisers(client, campaign, make_user):
    response = client.get(f"/organise/campaigns/{campaign.slug}/donations.xlsx")
    assert response.status_code == 302 and "/organise/login" in response.headers["Location"]
    make_user("other@example.org")
    login(client, "other@example.org")
    assert get(client, campaign.slug, "xlsx").status_code == 404
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export_donations_xlsx")).all() == []
