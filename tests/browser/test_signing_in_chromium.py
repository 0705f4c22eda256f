"""A supporter on a small phone with JavaScript off signs and confirms in real Chromium."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import deliver_mail, links_in
from tests.support.browser import SCREENSHOTS

pytestmark = pytest.mark.browser


def test_sign_and_confirm_at_360px_without_javascript(app, campaign, live_server, phone, inbox):
    phone.goto(f"{live_server}/campaigns/{campaign.slug}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling

    phone.get_by_role("button", name="Sign the petition").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(phone.get_by_role("link", name="Enter your given name")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "sign-errors-360.png"), full_page=False)

    phone.get_by_label("Given name(s)", exact=True).fill("Keisha")
    phone.get_by_label("Family name (optional)", exact=True).fill("Brown")
    phone.get_by_label("Email address", exact=True).fill("keisha@example.org")
    phone.get_by_label("ZIP code", exact=True).fill("30303")
    phone.get_by_label("Email me updates about this campaign").check()
    phone.get_by_role("button", name="Sign the petition").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()

    deliver_mail()
    confirm_path = links_in(inbox.to("keisha@example.org")[-1])["confirm"]
    phone.goto(live_server + confirm_path)
    phone.get_by_role("button", name="Confirm my signature").click()
    expect(phone.get_by_role("heading", name=re.compile("signature is confirmed"))).to_be_visible()

    phone.goto(f"{live_server}/campaigns/{campaign.slug}")
    assert "1 signature" in phone.locator(".progress__count").inner_text()
    phone.screenshot(path=str(SCREENSHOTS / "campaign-360.png"), full_page=True)


def test_a_signer_told_to_press_again_goes_back_to_a_form_still_filled_in_and_signs(app, campaign, live_server, phone):
    """Every signing slot taken (advocacy/public/admission.py): the 503 page says nothing was recorded;
    going back, what the signer typed is still in the form, and pressing again signs."""
    from advocacy.public.admission import signing_slots

    app.config.update(SIGNING_SLOTS=1, SIGNING_SLOT_WAIT_SECONDS=0.1)
    phone.goto(f"{live_server}/campaigns/{campaign.slug}")
    phone.get_by_label("Given name(s)", exact=True).fill("Keisha")
    phone.get_by_label("Email address", exact=True).fill("keisha@example.org")
    phone.get_by_label("ZIP code", exact=True).fill("30303")
    with signing_slots().held():  # someone else's signature is being taken
        phone.get_by_role("button", name="Sign the petition").click()
        expect(phone.get_by_role("heading", name="Too many people are signing right now")).to_be_visible()

    phone.go_back()
    expect(phone.get_by_label("Email address", exact=True)).to_have_value("keisha@example.org")
    expect(phone.get_by_label("ZIP code", exact=True)).to_have_value("30303")
    phone.get_by_role("button", name="Sign the petition").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
