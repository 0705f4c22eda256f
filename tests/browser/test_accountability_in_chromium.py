"""The accountability table and the timeline on a 360 px phone with JavaScript off: the page does not
scroll sideways (the table scrolls in its own box), and a screen reader finds the table by its caption
and each member by its row header."""
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.extensions import db
from advocacy.geography.models import Legislator
from advocacy.updates.service import record_response
from tests.conftest import post_button

pytestmark = pytest.mark.browser


def test_the_accountability_table_reads_well_at_360px(app, client, campaign, geography, signer, make_user,
                                                      live_server, phone):
    post_button(client, signer(campaign.slug, email="ca@example.org", postal_code="94105")["confirm"])
    owner = make_user("owner@example.org", campaigns=[campaign])
    with app.test_request_context():  # as the organiser's request records it
        record_response(campaign, "P000197", date(2026, 11, 20), "supports",
                        "I will co-sponsor the Working Parents' Paid Leave Act and ask my colleagues to join me.",
                        "https://pelosi.house.gov/news/press-releases/a-rather-long-address-for-a-press-release", owner)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Legislator)) > 0

    phone.goto(f"{live_server}/campaigns/{campaign.slug}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    table = phone.get_by_role("table", name="Members, their constituents who signed")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="Nancy Pelosi (CA-11)")).to_be_visible()
    assert "Supports" in table.get_by_role("row").filter(has_text="Nancy Pelosi").inner_text()
    expect(phone.get_by_role("heading", name="Timeline")).to_be_visible()
    assert "Rep. Nancy Pelosi answered: Supports." in phone.locator(".timeline__list").inner_text()
