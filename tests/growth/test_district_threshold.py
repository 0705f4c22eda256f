"""Where to push: the dashboard lists the targeted districts short of the campaign's district
threshold, nearest first; organisers change the threshold with a form (audited, bad input 422)."""
import re

import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from tests.conftest import csrf_token, login, post_button


def short_rows(html):
    panel = html.split('id="short-heading"')[1].split("</form>")[0]
    if 'id="short-caption"' not in panel:
        return []
    body = panel.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.split("<tr>")[1:]]


def set_threshold(client, slug, value):
    page = client.get(f"/organise/campaigns/{slug}/district-threshold")
    return client.post(f"/organise/campaigns/{slug}/district-threshold", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "district_threshold": value})


def test_districts_short_of_the_threshold_nearest_first(organiser_client, campaign, signer, geography):
    campaign.target_chamber, campaign.target_states = "house", "IL"
    db.session.commit()
    for i in range(2):  # 60614 touches IL-3, IL-5 and IL-7
        post_button(organiser_client, signer(campaign.slug, email=f"il{i}@example.org", postal_code="60614")["confirm"])

    assert set_threshold(organiser_client, campaign.slug, "2").status_code == 303
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "3 of 17 targeted places have at least 2 confirmed signers." in html
    rows = short_rows(html)
    assert len(rows) == 14 and all(r[2] == "0" and r[3] == "2" for r in rows)
    assert not any(r[0] in ("IL-3", "IL-5", "IL-7") for r in rows)

    assert set_threshold(organiser_client, campaign.slug, "3").status_code == 303
    rows = short_rows(organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True))
    assert [r[0] for r in rows[:3]] == ["IL-3", "IL-5", "IL-7"] and [r[3] for r in rows[:3]] == ["1"] * 3
    assert rows[3][3] == "3" and len(rows) == 17
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "district_threshold")
                                .order_by(AuditEvent.id)).all()
    assert [(e.details["old"], e.details["new"]) for e in events] == [(100, 2), (2, 3)]


def test_senate_only_campaigns_list_states(organiser_client, campaign, geography):
    campaign.target_chamber, campaign.target_states = "senate", "IL,VT"
    db.session.commit()
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "States short of the threshold" in html and [r[0] for r in short_rows(html)] == ["IL", "VT"]


def test_a_bad_threshold_shows_the_form_again_and_keeps_the_old_one(organiser_client, campaign):
    for value in ("0", "abc", "", "1000001", "-5"):
        response = set_threshold(organiser_client, campaign.slug, value)
        assert response.status_code == 422, value
        html = response.get_data(as_text=True)
        assert 'class="error-summary"' in html and 'id="district_threshold"' in html
    db.session.refresh(campaign)
    assert campaign.district_threshold == 100


def test_only_the_campaigns_organisers_may_change_the_threshold(client, campaign, make_campaign, make_user):
    assert client.get(f"/organise/campaigns/{campaign.slug}/district-threshold").status_code == 302  # sign in
    other = make_campaign(slug="other-campaign")
    make_user("stranger@example.org", campaigns=[other])
    login(client, "stranger@example.org")
    assert set_threshold(client, campaign.slug, "5").status_code == 404
    db.session.refresh(campaign)
    assert campaign.district_threshold == 100
