"""Typing a sheet in with the keyboard only, on a 360 px phone, in Debian's Chromium."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.extensions import db
from advocacy.signatures import counting
from advocacy.signatures.models import Signature
from tests.conftest import PASSWORD
from tests.support.browser import CHROMIUM, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed")]


def test_an_organiser_types_a_sheet_in_with_the_keyboard_alone_at_360_px(
        app, campaign, make_user, live_server, chromium):
    make_user("owner@example.org", campaigns=[campaign])
    for scripts in (False, True):
        page = chromium.new_context(java_script_enabled=scripts, **PHONE).new_page()
        page.goto(f"{live_server}/organise/login")
        page.fill("#email", "owner@example.org")
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url("**/organise/**")
        page.goto(f"{live_server}/organise/campaigns/{campaign.slug}/paper")
        if scripts:  # nothing sticks out sideways on a phone
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            continue
        expect(page.locator("#rows-0-full_name")).to_be_focused()  # autofocus
        page.keyboard.type("Ana Ruiz")
        for text in ("94105", "ana@example.org"):
            page.keyboard.press("Tab")
            page.keyboard.type(text)
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # the updates box
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "rows-1-full_name"  # on to the next line
        page.keyboard.type("Beth Cole")
        page.keyboard.press("Tab")
        page.keyboard.type("05401")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=2 signatures from the paper sheet are counted")
        page.context.close()
    rows = db.session.execute(sa.select(Signature.full_name, Signature.keep_updated, Signature.source)
                              .order_by(Signature.id)).all()
    assert [tuple(r) for r in rows] == [("Ana Ruiz", True, "paper"), ("Beth Cole", False, "paper")]
    assert counting.signature_count(campaign.id) == 2
