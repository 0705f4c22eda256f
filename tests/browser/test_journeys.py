"""The supporter's and the organiser's journeys in real Chromium at 360 px with JavaScript off; every
page on the way is checked by axe-core (no serious or critical finding) and the Nu HTML checker (no
error). See page_checks.py for how a script-free page is checked by a script."""
import os
import re

import pytest

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

    tab.get_by_role("button", name="Sign the petition").click()
    assert tab.get_by_role("heading", name="There is a problem").is_visible()
    checks.check("sign-errors")

    tab.get_by_label("Given name(s)", exact=True).fill("Rosa")
    tab.get_by_label("Family name (optional)", exact=True).fill("Delgado")
    tab.get_by_label("Email address", exact=True).fill("rosa@example.org")
    tab.get_by_label("ZIP code", exact=True).fill("60614")
    tab.get_by_role("button", name="Sign the petition").click()
    assert tab.get_by_role("heading", name="Check your email").is_visible()
    checks.check("check-your-email")

    deliver_mail()
    links = links_in(inbox.to("rosa@example.org")[-1])
    tab.goto(live_server + links["confirm"])
    checks.check("confirm")
    tab.get_by_role("button", name="Confirm my signature").click()
    assert tab.get_by_role("heading", name=re.compile("signature is confirmed")).is_visible()
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
    assert tab.get_by_role("heading", name="Revisa tu correo").is_visible()
    checks.check("check-your-email-es")
    deliver_mail()
    tab.goto(live_server + links_in(inbox.to("lucia@example.org")[-1])["confirm"])
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
    tab.get_by_label("Title").fill("Child care that parents can afford")
    tab.get_by_label("Web address name").fill("child-care")
    tab.get_by_label("The ask, in one sentence").fill("Cap child care costs and pay care workers fairly.")
    tab.get_by_label("Background").fill("Care workers earn too little and parents pay too much.\n\n- both can change")
    tab.get_by_label("Signature goal").fill("25000")
    tab.get_by_role("button", name="Preview").click()
    checks.check("new-campaign-preview")
    tab.get_by_role("button", name="Create draft").click()
    checks.check("dashboard-draft")
    tab.get_by_role("button", name="Open the campaign").click()
    checks.check("dashboard-open")

    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}")
    checks.check("dashboard")
    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}/comments")
    checks.check("moderation")
    tab.get_by_role("button", name="Approve", exact=True).first.click()
    checks.check("moderation-approved")
    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}/fraud")
    checks.check("fraud")
    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}/updates")
    checks.check("updates")
    csv = tab.request.get(f"{live_server}/organise/campaigns/{campaign.slug}/exports/signatures.csv")
    assert csv.ok and csv.text().startswith("\ufeff") and "Maria Lopez" in csv.text()

    tab.goto(f"{live_server}/organise/campaigns/{campaign.slug}")
    tab.get_by_role("button", name="Close the campaign").click()
    checks.check("dashboard-closed")

    checks.assert_clean()
