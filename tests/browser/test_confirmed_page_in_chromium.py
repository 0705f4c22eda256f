"""After confirming, on a 360 px phone with JavaScript off in real Chromium: the signer's members
with tap-to-call links and the call script, the one-tap district question, and a letter."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.extensions import db
from advocacy.signatures import counting
from advocacy.signatures.letters import Letter
from tests.conftest import deliver_mail, links_in
from tests.support.browser import SCREENSHOTS

pytestmark = pytest.mark.browser


def test_members_district_and_letter_at_360px_without_javascript(app, make_campaign, geography, live_server,
                                                                  phone, inbox):
    campaign = make_campaign(slug="child-care", title="Child care that works",
                             call_script="Please ask {title} {member} to fund child care for working parents.",
                             letter_prompts="What does child care cost your family?")
    phone.goto(f"{live_server}/campaigns/{campaign.slug}")
    phone.get_by_label("Given name(s)", exact=True).fill("Keisha")
    phone.get_by_label("Family name (optional)", exact=True).fill("Brown")
    phone.get_by_label("Email address", exact=True).fill("keisha@example.org")
    phone.get_by_label("ZIP code", exact=True).fill("60614")
    phone.get_by_role("button", name="Sign the petition").click()
    deliver_mail()
    phone.goto(live_server + links_in(inbox.to("keisha@example.org")[-1])["confirm"])
    phone.get_by_role("button", name="Confirm my signature").click()

    expect(phone.get_by_role("heading", name="Call your members")).to_be_visible()
    durbin = phone.get_by_role("article").filter(has_text="Richard J. Durbin")
    assert durbin.get_by_role("link", name="202-224-2152").get_attribute("href") == "tel:+12022242152"
    assert "Please ask Senator Richard J. Durbin to fund child care" in durbin.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(SCREENSHOTS / "confirmed-members-360.png"), full_page=True)

    # One tap on the representative's button; the page comes back with the district certain.
    phone.get_by_role("button", name="Rep. Mike Quigley (IL-5)").click()
    expect(phone.get_by_text("your signature now counts in IL-5 only")).to_be_visible()
    assert counting.tallies_for(campaign.id, counting.DISTRICT) == {"IL-5": 1}

    phone.get_by_label("Your letter", exact=True).fill(
        "I work nights as a nurse and pay more for child care than for rent.")
    phone.get_by_label("My members' offices, and visitors to the campaign page").check()
    phone.get_by_role("button", name="Send my letter").click()
    expect(phone.get_by_text("your letter is saved")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    letter = db.session.scalars(sa.select(Letter)).one()
    assert letter.show_publicly and not letter.show_name and letter.body.startswith("I work nights")
