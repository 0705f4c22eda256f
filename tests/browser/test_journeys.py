"""The supporter's and the organiser's journeys in real Chromium at 360 px with JavaScript off; every
page on the way is checked by axe-core (no serious or critical finding) and the Nu HTML checker (no
error). See page_checks.py for how a script-free page is checked by a script."""
import os
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.page_checks import PageChecks, missing_checkers
from tests.conftest import PASSWORD, deliver_mail, links_in, post_button
from tests.support.browser import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def checks(chromium, tmp_path):
    if why := missing_checkers():
        # CI installs the checkers (make browser-deps); there a missing checker is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(why)
    return PageChecks(chromium.new_context(java_script_enabled=True, **PHONE), tmp_path)


@pytest.fixture
def tab(phone, checks):
    checks.watch(phone)
    return phone


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


def test_supporter_journey_in_english_and_spanish(app, campaign, live_server, tab, checks, inbox):
    tab.goto(f"{live_server}/")
    checks.check("home")
    tab.goto(f"{live_server}/campaigns/{campaign.slug}")
    assert fits_the_phone(tab)
    checks.check("campaign")
    # The share card: a link pasted into WhatsApp or Facebook shows a picture of the campaign.
    card = tab.locator('meta[property="og:image"]').get_attribute("content")
    assert card and tab.locator('meta[name="twitter:card"]').count() == 1
    parts = urlsplit(card)  # absolute, at the public address: fetch the same path from the test server
    picture = tab.request.get(f"{live_server}{parts.path}" + (f"?{parts.query}" if parts.query else ""))
    assert picture.ok and picture.headers["content-type"] == "image/png" and picture.body()[:8] == b"\x89PNG\r\n\x1a\n"

    tab.get_by_role("button", name="Sign the petition").click()
    expect(tab.get_by_role("heading", name="There is a problem")).to_be_visible()
    checks.check("sign-errors")

    tab.get_by_label("Given name(s)", exact=True).fill("Rosa")
    tab.get_by_label("Family name (optional)", exact=True).fill("Delgado")
    tab.get_by_label("Email address", exact=True).fill("rosa@example.org")
    tab.get_by_label("ZIP code", exact=True).fill("60614")
    tab.get_by_role("button", name="Sign the petition").click()
    expect(tab.get_by_role("heading", name="Check your email")).to_be_visible()
    checks.check("check-your-email")

    deliver_mail()
    links = links_in(inbox.to("rosa@example.org")[-1])
    tab.goto(live_server + links["confirm"])
    checks.check("confirm")
    tab.get_by_role("button", name="Confirm my signature").click()
    expect(tab.get_by_role("heading", name=re.compile("signature is confirmed"))).to_be_visible()
    assert fits_the_phone(tab)
    checks.check("confirmed")

    tab.goto(live_server + links["remove"])
    checks.check("remove")

    # The same journey in Spanish: the choice is remembered across pages and forms.
    tab.goto(f"{live_server}/campaigns/{campaign.slug}?lang=es")
    assert tab.locator("html").get_attribute("lang") == "es"
    checks.check("campaign-es")
    tab.get_by_role("button", name="Firmar la petición").click()
    checks.check("sign-errors-es")
    tab.get_by_label("Nombre(s)", exact=True).fill("Lucía")
    tab.get_by_label("Apellido(s) (opcional)", exact=True).fill("Ramírez")
    tab.get_by_label("Correo electrónico", exact=True).fill("lucia@example.org")
    tab.get_by_label("Código postal (ZIP)", exact=True).fill("94105")
    tab.get_by_role("button", name="Firmar la petición").click()
    expect(tab.get_by_role("heading", name="Revisa tu correo")).to_be_visible()
    checks.check("check-your-email-es")
    deliver_mail()
    tab.goto(live_server + links_in(inbox.to("lucia@example.org")[-1])["confirm"])
    checks.check("confirm-es")
    tab.get_by_role("button", name="Confirmar mi firma").click()
    checks.check("confirmed-es")

    tab.goto(f"{live_server}/verify/{'0' * 64}")
    assert fits_the_phone(tab)
    checks.check("verify-unknown")
    tab.goto(f"{live_server}/privacy")
    checks.check("privacy")

    checks.assert_clean()
    assert len(checks.checked) >= 14


def test_organiser_journey(app, campaign, make_user, live_server, tab, checks, client, signer):
    links = signer(campaign.slug, email="nurse@example.org", comment="I work nights and pay for care twice.")
    assert post_button(client, links["confirm"]).status_code == 200
    make_user("owner@example.org", campaigns=[campaign])

    tab.goto(f"{live_server}/organise/login")
    checks.check("login")
    tab.get_by_label("Email address").fill("owner@example.org")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    checks.check("campaign-list")

    tab.get_by_role("link", name="New campaign").click()
    checks.check("new-campaign")
    tab.get_by_role("button", name="Create draft").click()
    checks.check("new-campaign-errors")
    tab.get_by_label("Title", exact=True).fill("Child care that parents can afford")
    tab.get_by_label("Web address name").fill("child-care")
    tab.get_by_label("The ask, in one sentence").fill("Cap child care costs and pay care workers fairly.")
    tab.get_by_label("Background", exact=True).fill("Care workers earn too little and parents pay too much.\n\n- both can change")
    # The Spanish version, written for Spanish readers.
    tab.get_by_label("Title in Spanish").fill("Cuidado infantil que las familias puedan pagar")
    tab.get_by_label("The ask in Spanish").fill("Limiten el costo del cuidado infantil y paguen bien a quienes cuidan.")
    tab.get_by_label("Background in Spanish (optional)").fill("Quienes cuidan ganan muy poco y las familias pagan demasiado.")
    tab.get_by_label("Signature goal").fill("25000")
    tab.get_by_role("button", name="Preview").click()
    checks.check("new-campaign-preview")
    tab.get_by_role("button", name="Create draft").click()
    checks.check("dashboard-draft")
    tab.get_by_role("button", name="Open the campaign").click()
    checks.check("dashboard-open")
    tab.goto(f"{live_server}/campaigns/child-care?lang=es")
    assert tab.locator("html").get_attribute("lang") == "es"
    expect(tab.get_by_role("heading", name="Cuidado infantil que las familias puedan pagar")).to_be_visible()
    checks.check("new-campaign-es")

    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}?lang=en")  # the choice of Spanish is remembered
    checks.check("dashboard")
    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}/comments")
    checks.check("moderation")
    tab.get_by_role("button", name="Approve", exact=True).first.click()
    checks.check("moderation-approved")
    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}/fraud")
    checks.check("fraud")
    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}/updates")
    checks.check("updates")
    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}/paper")
    checks.check("paper")
    tab.locator("#rows-0-full_name").fill("Ana Ruiz")
    tab.locator("#rows-0-postal_code").fill("94105")
    tab.locator("#rows-0-email").fill("ana@example.org")
    tab.get_by_role("button", name="Save this sheet").click()
    expect(tab.get_by_text("1 signatures from the paper sheet are counted")).to_be_visible()
    checks.check("paper-entered")
    csv = tab.request.get(f"{live_server}/organise/campaigns/{campaign.slug}/exports/signatures.csv")
    assert csv.ok and csv.text().startswith("\ufeff") and "Maria Lopez" in csv.text()

    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}")
    tab.get_by_role("button", name="Close the campaign").click()
    checks.check("dashboard-closed")

    checks.assert_clean()
