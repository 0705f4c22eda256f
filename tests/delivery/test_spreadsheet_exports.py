"""Issue #11, "Formats that open right": the exports as XLSX (typed cells, real Unicode, ZIPs as text,
no formulas) and the CSVs as UTF-8 with a byte order mark, downloaded over HTTP as an organiser."""
import csv
import hashlib
import io
import shutil
import subprocess
from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.conftest import create_packet, login, post_button

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = b"\xef\xbb\xbf"
# email -> (name, ZIP): names in several scripts, Puerto Rico's leading zero, a name that looks like a formula.
SIGNERS = {
    "siobhan@example.org": ("Siobhán O'Brien", "94105"),
    "an@example.org": ("Nguyễn Văn An", "60614"),
    "li@example.org": ("李小龙", "05401"),
    "mohammed@example.org": ("محمد", "94120"),
    "sarah@example.org": ("שרה", "05402"),
    "pr@example.org": ("Zoë Rivera", "00901"),
    "formula@example.org": ("Formula Person", "94541"),
}
FORMULA = '=HYPERLINK("http://x","y")'  # the sign form refuses it; older or imported rows may have it
NAMES = {name for name, _ in SIGNERS.values()} - {"Formula Person"} | {FORMULA}


@pytest.fixture
def signed(client, campaign, signer, geography):
    for email, (name, zip_code) in SIGNERS.items():
        post_button(client, signer(campaign.slug, email=email, postal_code=zip_code, full_name=name,
                                   share_email=email.startswith("pr"), comment=f"Olá from {zip_code}")["confirm"])
    db.session.execute(sa.update(Signature).values(comment_status="approved"))
    db.session.execute(sa.update(Signature).where(Signature.email == "formula@example.org").values(full_name=FORMULA))
    db.session.commit()
    return campaign


@pytest.fixture
def owner(client, signed, make_user):
    make_user("owner@example.org", campaigns=[signed])
    assert login(client, "owner@example.org").status_code == 302
    return client


def sheet_rows(response):
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *rows = sheet.iter_rows()
    columns = [cell.value for cell in header]
    return [{column: cell for column, cell in zip(columns, row, strict=False)} for row in rows]


def csv_rows(body: bytes):
    assert body.startswith(BOM)
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def export_kinds():
    return [e.details["kind"] for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id))]


def test_signatures_xlsx_keeps_names_zips_and_dates(owner, signed):
    response = owner.get(f"/organise/campaigns/{signed.slug}/exports/signatures.xlsx")
    assert f'filename="{signed.slug}-signatures.xlsx"' in response.headers["Content-Disposition"]
    rows = {row["full_name"].value: row for row in sheet_rows(response)}
    assert set(rows) == NAMES
    pr = rows["Zoë Rivera"]
    assert pr["zip"].value == "00901" and pr["zip"].data_type == "s"
    assert pr["email"].value == "pr@example.org"
    assert rows["Siobhán O'Brien"]["email"].value is None  # did not consent
    assert rows["Nguyễn Văn An"]["districts"].value == "IL-3 IL-5 IL-7"
    assert rows["李小龙"]["comment"].value == "Olá from 05401" and rows["李小龙"]["zip"].value == "05401"
    formula = rows[FORMULA]["full_name"]
    assert formula.data_type == "s"  # the literal text, not a formula, and no neutralising quote
    confirmed = pr["confirmed_at_utc"]
    assert isinstance(confirmed.value, datetime) and confirmed.is_date
    stored = db.session.scalar(sa.select(Signature.confirmed_at).where(Signature.email == "pr@example.org"))
    assert abs((confirmed.value - stored).total_seconds()) < 1  # UTC wall time
    assert export_kinds() == ["signatures_xlsx"]


def test_signatures_csv_has_a_bom_and_round_trips_every_script(owner, signed):
    response = owner.get(f"/organise/campaigns/{signed.slug}/exports/signatures.csv")
    rows = {row["full_name"]: row for row in csv_rows(response.data)}
    assert set(rows) == NAMES - {FORMULA} | {"'" + FORMULA}  # neutralised
    assert rows["Zoë Rivera"]["zip"] == "00901"
    assert b'"00901"' in response.data  # quoted: text for importers that honour quotes


def test_packet_list_as_xlsx_has_the_csvs_rows(owner, signed):
    create_packet(owner, signed.slug)
    from advocacy.delivery.models import DeliveryPacketRecord
    packet = db.session.scalars(sa.select(DeliveryPacketRecord)).one()
    page = owner.get(f"/organise/campaigns/{signed.slug}").get_data(as_text=True)
    assert f"/organise/campaigns/{signed.slug}/exports/packets/{packet.id}.xlsx" in page
    csv_body = owner.get(f"/organise/campaigns/{signed.slug}/exports/packets/{packet.id}.csv").data
    assert hashlib.sha256(csv_body).hexdigest() == packet.sha256  # the BOM is part of the hashed bytes
    listed = {row["full_name"] for row in csv_rows(csv_body)}
    rows = sheet_rows(owner.get(f"/organise/campaigns/{signed.slug}/exports/packets/{packet.id}.xlsx"))
    assert {row["full_name"].value for row in rows} == NAMES
    assert len(listed) == len(rows)
    assert export_kinds()[-2:] == ["packet_signatures_csv", "packet_signatures_xlsx"]


def test_lawmakers_xlsx_has_numbers_and_the_csv_a_bom(owner, signed):
    by_member = {row["member"].value: row for row in sheet_rows(
        owner.get(f"/organise/campaigns/{signed.slug}/exports/lawmakers.xlsx"))}
    quigley = by_member["Mike Quigley"]
    assert quigley["constituents"].value == 1 and quigley["constituents"].data_type == "n"
    assert quigley["district"].value == "IL-5"
    csv_members = {row["member"]: row for row in csv_rows(
        owner.get(f"/organise/campaigns/{signed.slug}/exports/lawmakers.csv").data)}
    assert set(csv_members) == set(by_member)
    assert csv_members["Mike Quigley"]["constituents"] == "1"
    assert export_kinds() == ["lawmakers_xlsx", "lawmakers_csv"]


def test_dashboard_links_the_xlsx_exports(owner, signed):
    page = owner.get(f"/organise/campaigns/{signed.slug}").get_data(as_text=True)
    for export in ("signatures.xlsx", "lawmakers.xlsx"):
        assert f"/organise/campaigns/{signed.slug}/exports/{export}" in page


NEW_EXPORTS = ("signatures.xlsx", "lawmakers.xlsx", "packets/1.xlsx")


def test_xlsx_exports_refuse_anonymous_visitors(client, signed):
    for export in NEW_EXPORTS:
        response = client.get(f"/organise/campaigns/{signed.slug}/exports/{export}")
        assert response.status_code == 302 and "/organise/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_xlsx_exports_are_404_for_organisers_of_other_campaigns(client, signed, make_campaign, make_user):
    other = make_campaign()
    make_user("other@example.org", campaigns=[other])
    login(client, "other@example.org")
    for export in NEW_EXPORTS:
        response = client.get(f"/organise/campaigns/{signed.slug}/exports/{export}")
        assert response.status_code == 404 and b"Rivera" not in response.data
    assert export_kinds() == []


def soffice(tmp_path, *args):
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", *args,
                    "--outdir", str(tmp_path / "out")], check=True, timeout=180, capture_output=True)


# LibreOffice 7.4's headless conversion with no import options reads a CSV as Windows-1252 even with
# the BOM (A1 shows "ï»¿"): that is why the dashboard offers XLSX for spreadsheets. With the import
# options UTF-8 and "Format quoted field as text", the quoted ZIP stays text.
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_csv_as_utf8_with_zips_as_text(owner, signed, tmp_path):
    path = tmp_path / "signatures.csv"
    path.write_bytes(owner.get(f"/organise/campaigns/{signed.slug}/exports/signatures.csv").data)
    soffice(tmp_path, "--infilter=CSV:44,34,76,1,,0,true", "--convert-to", "xlsx", str(path))
    sheet = load_workbook(tmp_path / "out" / "signatures.xlsx").active
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == NAMES - {FORMULA} | {"'" + FORMULA}
    assert rows["Zoë Rivera"][5].value == "00901"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_xlsx_with_text_cells_as_text(owner, signed, tmp_path):
    path = tmp_path / "signatures.xlsx"
    path.write_bytes(owner.get(f"/organise/campaigns/{signed.slug}/exports/signatures.xlsx").data)
    soffice(tmp_path, "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", str(path))
    rows = {row["full_name"]: row for row in csv.DictReader(
        io.StringIO((tmp_path / "out" / "signatures.csv").read_text(encoding="utf-8-sig"), newline=""))}
    assert set(rows) == NAMES  # the formula-like name is its literal text: never evaluated
    assert rows["Zoë Rivera"]["zip"] == "00901"
