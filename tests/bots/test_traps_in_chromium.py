"""In real Chromium, without JavaScript: the honeypot is neither seen, nor read out, nor reached by
the keyboard, and a person filling in the form at human speed signs normally."""
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.support.browser import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed")]


def test_people_never_meet_the_honeypot_and_sign_at_their_own_pace(app, campaign, live_server, phone):
    app.config["SIGN_MIN_FILL_SECONDS"] = 2
    phone.goto(f"{live_server}/campaigns/{campaign.slug}")
    loaded = time.monotonic()
    trap = phone.locator("#website")
    box = trap.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0  # off-screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.get_by_role("textbox", name="Leave this field empty").count() == 0  # not in the a11y tree
    assert phone.get_by_role("textbox", name="Given name(s)").count() == 1

    phone.get_by_label("Given name(s)", exact=True).focus()
    focused = []
    for _ in range(12):  # tab through the whole form
        phone.keyboard.press("Tab")
        focused.append(phone.evaluate("document.activeElement.id"))
    assert "website" not in focused and "postal_code" in focused

    phone.get_by_label("Given name(s)", exact=True).fill("Keisha")
    phone.get_by_label("Family name (optional)", exact=True).fill("Brown")
    phone.get_by_label("Email address", exact=True).fill("keisha@example.org")
    phone.get_by_label("ZIP code", exact=True).fill("30303")
    time.sleep(max(0.0, 2.2 - (time.monotonic() - loaded)))  # a person's pace
    phone.get_by_role("button", name="Sign the petition").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    assert db.session.execute(sa.select(Signature.status, Signature.hold_reason)).one() == ("pending", None)
