"""What only a browser can tell, at 360 px with JavaScript off in Debian's Chromium: focus lands on the
error summary at the top of the screen after a failed submit; the verify page does not scroll
sideways; a Spanish visitor reads the Spanish campaign."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.delivery.models import DeliveryPacketRecord
from advocacy.extensions import db
from tests.campaigns.test_bilingual import SPANISH, edit
from tests.conftest import csrf_token, login
from tests.support.browser import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed")]


def test_failed_submit_focuses_the_error_summary_near_the_top_at_360px(campaign, live_server, phone):
    phone.goto(f"{live_server}/campaigns/{campaign.slug}")
    phone.get_by_role("button", name="Sign the petition").click()
    # Waits (up to 5 s) for the answer to the post to load: reading the focus at once raced it.
    expect(phone.locator("#errors")).to_be_focused()
    top = phone.evaluate("document.getElementById('errors').getBoundingClientRect().top")
    assert 0 <= top < 120, top  # starts at the top of the first screen, not near its bottom
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_verify_page_fits_360px(app, client, campaign, make_user, live_server, phone):
    make_user("packer@example.org", campaigns=[campaign])
    assert login(client, "packer@example.org").status_code == 302
    page = client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    client.post(f"/organise/campaigns/{campaign.slug}/exports/packet",
                data={"csrf_token": csrf_token(page), "recipient": ""})
    sha = db.session.scalars(sa.select(DeliveryPacketRecord.sha256)).one()
    phone.goto(f"{live_server}/verify/{sha}")
    expect(phone.get_by_role("heading", name="Delivery packet verified")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_spanish_visitor_reads_the_spanish_campaign_at_360px(app, organiser_client, campaign, live_server,
                                                             phone):
    edit(organiser_client, **SPANISH)
    phone.goto(f"{live_server}/campaigns/{campaign.slug}?lang=es")
    assert phone.get_by_role("heading", level=1).inner_text() == "Licencia pagada para todos"
    assert phone.evaluate("document.documentElement.lang") == "es"
    assert re.search("Firma", phone.get_by_role("button").last.inner_text() + phone.content())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
