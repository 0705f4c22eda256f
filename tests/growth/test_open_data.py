"""Hourly confirmed counts as open data (CSV and JSON, per campaign and per state), checked against
the signatures themselves; no personal data in them; the chart on the public page."""
import csv
import io
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.conftest import post_button

SIGNERS = [("il1@example.org", "60614"), ("il2@example.org", "60614"), ("ny1@example.org", "10001"),
           ("wi1@example.org", "53703"), ("pending@example.org", "60614"), ("gone@example.org", "10001")]


@pytest.fixture
def spread(client, campaign, signer):
    """Six signers: four confirmed at hours spread over two days, one pending, one confirmed then removed."""
    for email, zip_code in SIGNERS:
        links = signer(campaign.slug, email=email, postal_code=zip_code, full_name="Secret Name",
                       comment="A private reason")
        if email != "pending@example.org":
            post_button(client, links["confirm"])
        if email == "gone@example.org":
            post_button(client, links["remove"])
    now = utcnow().replace(minute=20, second=5, microsecond=0)
    moved = {"il1@example.org": now - timedelta(hours=30), "il2@example.org": now - timedelta(hours=30, minutes=10),
             "ny1@example.org": now - timedelta(hours=2), "wi1@example.org": now}
    for email, at in moved.items():
        db.session.execute(sa.update(Signature).where(Signature.email == email).values(confirmed_at=at))
    db.session.commit()
    return campaign


def expected_hours(campaign, by_state=False):
    rows = db.session.execute(sa.select(Signature.confirmed_at, Signature.state).where(
        Signature.campaign_id == campaign.id, Signature.status == "confirmed")).all()
    hour = lambda at: at.replace(minute=0, second=0, microsecond=0).isoformat() + "Z"  # noqa: E731
    return Counter((hour(at), state) if by_state else hour(at) for at, state in rows)


def test_counts_json_matches_the_confirmed_signatures_hour_by_hour(client, spread):
    response = client.get(f"/campaigns/{spread.slug}/counts.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["campaign"] == "paid-leave" and body["interval"] == "hour" and body["timezone"] == "UTC"
    counts = body["counts"]
    assert {c["hour"]: c["confirmed"] for c in counts} == dict(expected_hours(spread))
    assert [c["hour"] for c in counts] == sorted(c["hour"] for c in counts)
    assert counts[-1]["cumulative"] == 4 == sum(c["confirmed"] for c in counts)  # pending and removed left out
    assert len(counts) == 3  # the two signers confirmed within one hour share a row


def test_counts_by_state_in_json_and_csv(client, spread):
    expected = expected_hours(spread, by_state=True)
    body = client.get(f"/campaigns/{spread.slug}/counts.json?by=state").get_json()
    assert Counter({(c["hour"], c["state"]): c["confirmed"] for c in body["counts"]}) == expected
    assert {c["state"] for c in body["counts"]} == {"IL", "NY", "WI"}

    response = client.get(f"/campaigns/{spread.slug}/counts.csv?by=state")
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "public, max-age=300"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["hour", "state", "confirmed"]
    assert Counter({(r["hour"], r["state"]): int(r["confirmed"]) for r in rows}) == expected


def test_counts_csv_has_hour_count_and_running_total(client, spread):
    text = client.get(f"/campaigns/{spread.slug}/counts.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["hour", "confirmed", "cumulative"]
    assert {r[0]: int(r[1]) for r in rows[1:]} == dict(expected_hours(spread))
    assert [int(r[2]) for r in rows[1:]] == [2, 3, 4]


def test_open_data_holds_no_personal_data(client, spread):
    for path in ("counts.json", "counts.json?by=state", "counts.csv", "counts.csv?by=state"):
        text = client.get(f"/campaigns/{spread.slug}/{path}").get_data(as_text=True)
        for secret in ("Secret Name", "example.org", "A private reason", "60614", "10001", "Chicago"):
            assert secret not in text, (path, secret)


def test_unknown_breakdown_is_a_400_and_drafts_are_404(client, campaign, make_campaign):
    assert client.get(f"/campaigns/{campaign.slug}/counts.json?by=email").status_code == 400
    assert client.get(f"/campaigns/{campaign.slug}/counts.csv?by=zip").status_code == 400
    draft = make_campaign(state="draft")
    assert client.get(f"/campaigns/{draft.slug}/counts.json").status_code == 404


def test_campaign_page_charts_the_last_48_hours(client, spread):
    html = client.get(f"/campaigns/{spread.slug}").get_data(as_text=True)
    section = html.split('id="hourly-heading"')[1].split("</section>")[0]
    svg = section.split("<svg")[1].split("</svg>")[0]
    assert 'role="img"' in svg and '<title id="hourly-title">' in svg
    assert svg.count("<rect") == 3  # three hours with confirmations in the last 48
    assert "4 signatures confirmed in the last 48 hours (UTC)." in section
    table = section.split("<table")[1].split("</table>")[0]
    assert table.count("<tr>") == 4 and "<td>2</td>" in table  # header + three hours; two in one hour
    assert 'href="/campaigns/paid-leave/counts.csv"' in section and "<script" not in section

