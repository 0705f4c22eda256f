"""Paper sheets: the printable sheet, typing a sheet in, duplicates, the notice mail, access."""
import csv
import io
import re
import subprocess

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from advocacy.signatures import counting
from advocacy.signatures.models import Signature
from tests.conftest import create_packet, csrf_token, deliver_mail, links_in, login, post_button


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def sheet_rows(client, slug, rows, locale="en"):
    """GET the entry page and POST it with `rows` (dicts) typed into its first lines."""
    page = client.get(f"/organise/campaigns/{slug}/paper")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "locale": locale}
    count = len(re.findall(r'name="rows-\d+-full_name"', html))
    for n in range(count):
        typed = rows[n] if n < len(rows) else {}
        data[f"rows-{n}-full_name"] = typed.get("full_name", "")
        data[f"rows-{n}-postal_code"] = typed.get("postal_code", "")
        data[f"rows-{n}-email"] = typed.get("email", "")
        if typed.get("keep_updated"):
            data[f"rows-{n}-keep_updated"] = "y"
    return client.post(f"/organise/campaigns/{slug}/paper", data=data)


def test_sheet_pdf_prints_the_ask_in_both_languages_the_columns_and_a_qr_code_to_the_page(
        organiser_client, campaign, tmp_path):
    from advocacy.campaigns.models import CampaignTranslation

    db.session.add(CampaignTranslation(campaign_id=campaign.id, locale="es", title="Licencia pagada para todas",
                                       ask="Apruebe la ley.", summary="", background=""))
    db.session.commit()
    response = organiser_client.get(f"/organise/campaigns/{campaign.slug}/sheet.pdf?paper=letter")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    for words in ("Paid leave for all", "Pass the law.", "Licencia pagada para todas", "Apruebe la ley.",
                  "Full name", "Nombre completo", "ZIP code", "Código postal", "Email (optional)",
                  "Correo (opcional)", "Email me updates", "Me pueden", "escribir", "never your email",
                  "nunca su correo"):
        assert words in text, words
    url = "http://localhost/campaigns/paid-leave?source=sheet"
    assert url in text.replace("\n", "")
    assert [str(n) for n in range(1, 16)] == re.findall(r"^\s*(\d+)\s*$", text, re.MULTILINE)[:15]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width)) == 612  # Letter
    zxingcpp = pytest.importorskip("zxingcpp")
    images = reader.pages[0].images
    assert len(images) == 1
    decoded = zxingcpp.read_barcodes(images[0].image.convert("L"))
    assert [code.text for code in decoded] == [url]


def test_a_typed_in_sheet_counts_as_confirmed_paper_signatures_in_totals_and_states(
        organiser_client, campaign, geography):
    response = sheet_rows(organiser_client, campaign.slug, [
        {"full_name": "Ana Ruiz", "postal_code": "94105", "email": "ana@example.org", "keep_updated": True},
        {"full_name": "Beth Cole", "postal_code": "05401"},
        {"full_name": "Carla Diaz", "postal_code": "60614", "email": "carla@example.org"},
    ])
    assert response.status_code == 302
    assert "3 signatures from the paper sheet are counted" in organiser_client.get(
        response.headers["Location"]).get_data(as_text=True)
    signatures = db.session.scalars(sa.select(Signature).order_by(Signature.id)).all()
    assert [s.full_name for s in signatures] == ["Ana Ruiz", "Beth Cole", "Carla Diaz"]
    owner = db.session.scalar(sa.text("select id from users where email = 'owner@example.org'"))
    for signature in signatures:
        assert (signature.status, signature.source, signature.entered_by_id) == ("confirmed", "paper", owner)
        assert signature.entered_at is not None and signature.confirmed_at is not None
    assert [s.keep_updated for s in signatures] == [True, False, False]
    assert counting.signature_count(campaign.id) == 3
    assert counting.tallies_for(campaign.id, "state") == {"CA": 1, "VT": 1, "IL": 1}
    assert counting.tallies_for(campaign.id, "district")["CA-11"] == 1
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "paper_sheet_entered")).all()
    assert len(events) == 1 and events[0].details["count"] == 3 and events[0].user_id == owner
    assert sorted(events[0].details["signature_ids"]) == [s.id for s in signatures]


def test_signers_with_an_email_get_a_notice_whose_link_removes_the_signature(
        organiser_client, campaign, inbox):
    sheet_rows(organiser_client, campaign.slug, [
        {"full_name": "Ana Ruiz", "postal_code": "94105", "email": "ana@example.org"},
        {"full_name": "Beth Cole", "postal_code": "05401"},
    ])
    deliver_mail()
    assert len(inbox.messages) == 1
    mail = inbox.to("ana@example.org")[0]
    assert "paper sheet" in mail.get_body(("plain",)).get_content()
    remove = links_in(mail)["remove"]
    assert post_button(organiser_client, remove).status_code in (200, 303)
    ana = db.session.scalar(sa.select(Signature).where(Signature.email == "ana@example.org"))
    db.session.refresh(ana)
    assert ana.status == "removed"
    assert counting.signature_count(campaign.id) == 1


def test_a_spanish_sheet_mails_its_notice_links_in_spanish(organiser_client, campaign, inbox):
    sheet_rows(organiser_client, campaign.slug, [
        {"full_name": "Lucía Gómez", "postal_code": "60614", "email": "lucia@example.org"}], locale="es")
    deliver_mail()
    mail = inbox.to("lucia@example.org")[0]
    assert "lang=es" in mail.get_body(("plain",)).get_content()
    assert db.session.scalar(sa.select(Signature.locale)) == "es"


def test_duplicates_on_the_sheet_and_against_signatures_are_shown_by_their_lines_and_nothing_is_lost(
        organiser_client, campaign, signer):
    links = signer(campaign.slug, email="maria@example.org")
    post_button(organiser_client, links["confirm"])
    response = sheet_rows(organiser_client, campaign.slug, [
        {"full_name": "Ana Ruiz", "postal_code": "94105", "email": "ana@example.org"},
        {"full_name": "María López", "postal_code": "60614", "email": "Maria@Example.org"},
        {"full_name": "Ana R.", "postal_code": "94105", "email": "ANA@example.org"},
        {"full_name": "Beth Cole", "postal_code": "05401"},
        {"full_name": "beth  cole", "postal_code": "05401"},
        {"full_name": "Dee", "postal_code": "123"},
    ])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split('id="errors"')[1].split("</div>")[0]
    assert "Line 2: This email has already signed this campaign" in summary
    assert "Line 3: Same email as row 1" in summary
    assert "Line 5: Same name and ZIP code as row 4" in summary
    assert "Line 6: Enter a US ZIP code" in summary
    assert "Line 1:" not in summary and "Line 4:" not in summary
    assert 'id="rows-1-email-error"' in html and 'id="rows-4-full_name-error"' in html
    for typed in ("Ana Ruiz", "ana@example.org", "Maria@example.org", "beth  cole", "Dee", "123"):
        assert f'value="{typed}"' in html, typed
    # all or nothing: only the online signature exists, counted once
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1
    assert counting.signature_count(campaign.id) == 1


def test_an_empty_sheet_or_updates_without_an_email_are_refused_with_the_form_again(organiser_client, campaign):
    assert "The sheet is empty" in sheet_rows(organiser_client, campaign.slug, []).get_data(as_text=True)
    response = sheet_rows(organiser_client, campaign.slug, [
        {"full_name": "Beth Cole", "postal_code": "05401", "keep_updated": True}])
    assert response.status_code == 422
    assert "Updates need an email address" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_the_as_you_type_check_says_when_an_email_has_signed(organiser_client, campaign, signer):
    signer(campaign.slug, email="maria@example.org")
    url = f"/organise/campaigns/{campaign.slug}/paper/check"
    assert "not confirmed yet" in organiser_client.get(url, query_string={"email": "MARIA@example.org"}).json["problem"]
    assert organiser_client.get(url, query_string={"email": "new@example.org"}).json == {"problem": None}


def test_paper_signatures_are_marked_in_the_csv_export(organiser_client, campaign, signer):
    post_button(organiser_client, signer(campaign.slug, email="maria@example.org")["confirm"])
    sheet_rows(organiser_client, campaign.slug, [{"full_name": "Beth Cole", "postal_code": "05401"}])
    response = organiser_client.get(f"/organise/campaigns/{campaign.slug}/exports/signatures.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["full_name"]: row["signed_on"] for row in rows} == {"Maria Lopez": "online", "Beth Cole": "paper"}


def test_an_organiser_of_another_campaign_gets_404_and_anonymous_visitors_the_login_page(
        client, campaign, make_campaign, make_user):
    for path in ("/paper", "/sheet.pdf", "/paper/check?email=a@example.org"):
        response = client.get(f"/organise/campaigns/{campaign.slug}{path}")
        assert response.status_code == 302 and "/organise/login" in response.headers["Location"]
    other = make_campaign(slug="child-care", title="Child care")
    make_user("other@example.org", campaigns=[other])
    login(client, "other@example.org")
    for path in ("/paper", "/sheet.pdf", "/paper/check?email=a@example.org"):
        assert client.get(f"/organise/campaigns/{campaign.slug}{path}").status_code == 404
    own = client.get(f"/organise/campaigns/{other.slug}/paper")
    assert own.status_code == 200
    token = csrf_token(own.get_data(as_text=True))
    assert client.post(f"/organise/campaigns/{campaign.slug}/paper", data={
        "csrf_token": token, "locale": "en", "rows-0-full_name": "Ana Ruiz", "rows-0-postal_code": "94105"}
    ).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_signers_without_an_email_stay_separate_people_when_emails_are_recanonicalised(
        organiser_client, campaign, app):
    sheet_rows(organiser_client, campaign.slug, [{"full_name": "Beth Cole", "postal_code": "05401"},
                                                 {"full_name": "Dora Fox", "postal_code": "94105"}])
    result = app.test_cli_runner().invoke(args=["advocacy", "recanonicalise-emails"])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(sa.select(Signature.status)).all() == ["confirmed", "confirmed"]
    assert counting.signature_count(campaign.id) == 2


def test_a_delivery_packets_signature_list_and_the_xlsx_export_mark_paper_signatures(
        organiser_client, campaign, signer):
    from openpyxl import load_workbook

    from advocacy.delivery.models import DeliveryPacketRecord

    post_button(organiser_client, signer(campaign.slug, email="maria@example.org")["confirm"])
    sheet_rows(organiser_client, campaign.slug, [{"full_name": "Beth Cole", "postal_code": "05401"}])
    create_packet(organiser_client, campaign.slug)  # the worker renders it; a PDF comes back
    packet = db.session.scalars(sa.select(DeliveryPacketRecord)).one()
    listed = organiser_client.get(f"/organise/campaigns/{campaign.slug}/exports/packets/{packet.id}.csv").data
    rows = csv.DictReader(io.StringIO(listed.decode("utf-8-sig")))
    assert {row["full_name"]: row["signed_on"] for row in rows} == {"Maria Lopez": "online", "Beth Cole": "paper"}
    workbook = organiser_client.get(f"/organise/campaigns/{campaign.slug}/exports/signatures.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    values = list(sheet.values)
    column = values[0].index("signed_on")
    assert {row[0]: row[column] for row in values[1:]} == {"Maria Lopez": "online", "Beth Cole": "paper"}


def test_a_closed_campaign_refuses_a_sheet_with_the_form_again(organiser_client, campaign):
    page = organiser_client.get(f"/organise/campaigns/{campaign.slug}/paper")
    campaign.state = "closed"
    db.session.commit()
    html = page.get_data(as_text=True)
    response = organiser_client.post(f"/organise/campaigns/{campaign.slug}/paper", data={
        "csrf_token": csrf_token(html), "locale": "en", "rows-0-full_name": "Beth Cole",
        "rows-0-postal_code": "05401"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "not taking signatures any more" in text and 'value="Beth Cole"' in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_a_sheet_posted_with_more_lines_than_the_form_takes_is_refused_not_cut_short(organiser_client, campaign):
    html = organiser_client.get(f"/organise/campaigns/{campaign.slug}/paper").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "locale": "en"}
    for n in range(61):
        data[f"rows-{n}-full_name"], data[f"rows-{n}-postal_code"] = f"Signer Number{n}", "05401"
    response = organiser_client.post(f"/organise/campaigns/{campaign.slug}/paper", data=data)
    assert response.status_code == 422 and "at most 60 lines" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0
