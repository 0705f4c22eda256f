"""Issue #13's accessibility defects, checked in the markup and CSS we serve (and, for what only a
browser can tell, at 360 px in Chromium): error colour contrast, focus on the error summary after a
failed submit, the audit table's scroll region, the verify page's width, the packet's verify URL,
the favicon."""
import re
import shutil
import subprocess  # nosec B404 - pdftotext on our own PDF
from pathlib import Path

import pytest
import sqlalchemy as sa

from advocacy.delivery.models import DeliveryPacketRecord
from advocacy.extensions import db
from tests.conftest import create_packet, login, sign_form

STATIC = Path(__file__).resolve().parents[2] / "static"


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    darker, lighter = sorted((relative_luminance(a), relative_luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


def test_error_text_contrast_is_at_least_4_5_on_every_background_it_sits_on(client):
    css = client.get("/static/css/site.css").get_data(as_text=True)
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    for background in ("#ffffff", variables["bg-soft"]):
        assert contrast(variables["error"], background) >= 4.5, (variables["error"], background)
    # and the white text on the warning button, whose background is the error colour
    assert contrast("#ffffff", variables["error"]) >= 4.5


def test_failed_sign_puts_the_error_summary_first_in_focus(client, campaign):
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/campaigns/paid-leave/sign#errors"', page)
    response = sign_form(client, campaign.slug, full_name="", email="not-an-email")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary"[^>]*>', html).group(0)
    assert 'id="errors"' in summary and "autofocus" in summary and 'tabindex="-1"' in summary
    assert html.count("autofocus") == 1  # nothing else competes for the focus


@pytest.mark.parametrize("path", ["/organise/login", "/organise/reset", "/privacy"])
def test_other_forms_return_to_their_error_summary(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert 'action="#errors"' in page.get_data(as_text=True)


def test_audit_table_scroll_region_is_reachable_by_keyboard_and_named(admin_client):
    html = admin_client.get("/organise/audit").get_data(as_text=True)
    region = re.search(r'<div class="table-scroll"[^>]*>', html).group(0)
    assert 'tabindex="0"' in region and 'role="region"' in region and 'aria-label="Audit log"' in region


def test_favicon_is_served_and_linked(client):
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 200 and legacy.data == icon.data


def _packet(client, campaign, make_user):
    make_user("packer@example.org", campaigns=[campaign])
    assert login(client, "packer@example.org").status_code == 302
    response = create_packet(client, campaign.slug)  # packets are rendered by the worker
    return response.data, db.session.scalars(sa.select(DeliveryPacketRecord)).one().sha256


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_packet_verify_url_is_printed_whole_on_one_line(app, client, campaign, make_user, tmp_path):
    # A realistic production address: the URL is then about 100 characters long.
    app.config["PUBLIC_BASE_URL"] = "https://petitions.working-parents-advocacy.example.org"
    pdf, sha = _packet(client, campaign, make_user)
    (tmp_path / "packet.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "packet.pdf"), "-"],  # nosec B603 B607
                          capture_output=True, text=True, check=True).stdout
    url = f"https://petitions.working-parents-advocacy.example.org/verify/{sha}"
    assert any(line.strip() == url for line in text.splitlines()), text[-1500:]


def test_verify_page_labels_each_cell_for_narrow_screens(app, client, campaign, make_user):
    _pdf, sha = _packet(client, campaign, make_user)
    html = app.test_client().get(f"/verify/{sha}").get_data(as_text=True)
    assert 'class="table table--stack"' in html and 'data-label="Campaign"' in html
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert "overflow-wrap: anywhere" in css
