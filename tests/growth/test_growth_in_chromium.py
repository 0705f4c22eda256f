"""Growth in real Chromium at 360 px: the share block without JavaScript (no sideways scroll, the
link selectable, no Copy button), the Copy button with JavaScript, the source carried into a
signature, and the widget framed by another site while the campaign page refuses to be framed."""
import http.server
import threading

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.support.browser import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed")]


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def phone(browser, javascript: bool):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript,
                                  device_scale_factor=1)
    return context, context.new_page()


def test_share_block_and_source_without_javascript(app, campaign, live_server, chromium):
    _context, page = phone(chromium, javascript=False)
    page.goto(f"{live_server}/campaigns/{campaign.slug}?source=clinic-nurses")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    link = page.get_by_label("Link to share")
    expect(link).to_be_visible()
    assert link.get_attribute("readonly") is not None
    assert link.input_value().endswith(f"/campaigns/{campaign.slug}?source=share-link")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.get_by_role("link", name="WhatsApp (opens in a new tab)")).to_be_visible()

    page.get_by_label("Given name(s)", exact=True).fill("Rosa")
    page.get_by_label("Family name (optional)", exact=True).fill("Diaz")
    page.get_by_label("Email address", exact=True).fill("rosa@example.org")
    page.get_by_label("ZIP code", exact=True).fill("60614")
    page.get_by_role("button", name="Sign the petition").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert db.session.scalar(sa.select(Signature.source).where(Signature.email == "rosa@example.org")) \
        == "clinic-nurses"


def test_copy_button_copies_the_link_with_javascript(app, campaign, live_server, chromium):
    context, page = phone(chromium, javascript=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/campaigns/{campaign.slug}")
    button = page.get_by_role("button", name="Copy link")
    expect(button).to_be_visible()
    button.click()
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").endswith("?source=share-link")


class PartnerSite(http.server.BaseHTTPRequestHandler):
    frames: list[str] = []

    def do_GET(self):  # noqa: N802
        body = "".join(f'<iframe src="{src}" title="frame {i}" width="360" height="300"></iframe>'
                       for i, src in enumerate(self.frames)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<!doctype html><title>Partner</title>" + body)

    def log_message(self, *args):
        pass


def test_another_site_may_frame_the_widget_but_not_the_campaign_page(app, campaign, live_server, chromium):
    PartnerSite.frames = [f"{live_server}/campaigns/{campaign.slug}/widget?source=partner-a",
                          f"{live_server}/campaigns/{campaign.slug}"]
    server = http.server.ThreadingHTTPServer(("localhost", 0), PartnerSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _context, page = phone(chromium, javascript=True)
        page.goto(f"http://localhost:{server.server_port}/")
        page.wait_for_load_state("load")
        widget = page.frame_locator('iframe[title="frame 0"]')
        sign = widget.get_by_role("link", name="Sign the petition (opens in a new tab)")
        assert sign.get_attribute("href").endswith("?source=partner-a")
        assert sign.get_attribute("target") == "_blank"
        blocked = page.frames[2] if len(page.frames) > 2 else None
        assert blocked is not None and "Sign this petition" not in blocked.content()
    finally:
        server.shutdown()
