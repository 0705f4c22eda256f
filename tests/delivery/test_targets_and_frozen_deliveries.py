"""Issue #11: a campaign's target (chamber, states) decides who receives it; a delivery is frozen.

A House-only campaign limited to CA and IL: a TX signer is told before signing, is counted, and
is shown no TX member; tallies, exports and packet choices list only CA and IL representatives.
A member's packet keeps its list, hash and count through later moderation, withdrawal and
invalidation; the office opens it through a private link without logging in.
"""
import csv
import hashlib
import io
import re

import pytest
import sqlalchemy as sa

from advocacy.delivery.models import DeliveryPacketRecord, DeliveryToken
from advocacy.extensions import db
from advocacy.signatures import counting
from advocacy.signatures.models import Signature
from tests.conftest import create_packet, csrf_token, login, post_button
from tests.delivery.test_tallies_and_exports import pdf_text
from tests.fraud.test_invalidation import preview_count, run

# ZIP -> district: CA-11 (Nancy Pelosi), IL-3/5/7 (shared), TX-37 (Lloyd Doggett), VT at-large.
ZIPS = {"94105", "60614", "78701", "05401"}
PELOSI = "P000197"


@pytest.fixture
def places(app, tmp_path):
    from advocacy.geography.service import DATA_DIR, load_geography

    subset = tmp_path / "zccd.csv"
    with (DATA_DIR / "zccd.csv").open(newline="") as src, subset.open("w", newline="") as dst:
        rows = csv.reader(src)
        writer = csv.writer(dst)
        writer.writerow(next(rows))
        writer.writerows(r for r in rows if r[2] in ZIPS)
    return load_geography(zccd=subset)


@pytest.fixture
def house_ca_il(make_campaign, places):
    return make_campaign(slug="house-ca-il", title="Clean water now", target_chamber="house",
                         target_states="CA,IL")


def owner(client, campaign, make_user):
    make_user("owner@example.org", campaigns=[campaign])
    assert login(client, "owner@example.org").status_code == 302


def confirm(client, signer, slug, email, postal_code, **fields):
    links = signer(slug, email=email, postal_code=postal_code, **fields)
    page = post_button(client, links["confirm"])
    assert page.status_code == 200
    return page.get_data(as_text=True), links


def test_a_signer_outside_the_target_is_told_before_signing_counted_and_shown_no_member(
        client, house_ca_il, signer):
    page = client.get(f"/campaigns/{house_ca_il.slug}").get_data(as_text=True)
    form_at = page.index('action="/campaigns/house-ca-il/sign')
    notice_at = page.index("This petition goes to the members of the U.S. House from CA and IL.")
    assert notice_at < form_at  # near the form, before it
    assert "You can sign from anywhere: your signature counts in the total" in page

    confirmed, _links = confirm(client, signer, house_ca_il.slug, "tex@example.org", "78701",
                                full_name="Tex Ranger")
    assert counting.signature_count(house_ca_il.id) == 1
    for texan in ("Doggett", "Cornyn", "Cruz"):
        assert texan not in confirmed
    assert "None of the members who represent you is among them" in confirmed
    assert "It still counts in the petition" in confirmed

    confirmed, _links = confirm(client, signer, house_ca_il.slug, "cal@example.org", "94105")
    assert "Nancy Pelosi" in confirmed
    assert "Padilla" not in confirmed and "Schiff" not in confirmed  # House only: no senators
    assert "None of the members who represent you" not in confirmed
    assert counting.signature_count(house_ca_il.id) == 2


def test_the_notice_is_in_spanish(client, house_ca_il):
    page = client.get(f"/campaigns/{house_ca_il.slug}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Esta petición va dirigida a los miembros de la Cámara de Representantes de CA y IL." in page


def test_tallies_exports_and_packet_choices_list_only_targeted_representatives(
        client, house_ca_il, signer, make_user):
    for email, zip_code in (("cal@example.org", "94105"), ("ill@example.org", "60614"),
                            ("tex@example.org", "78701"), ("ver@example.org", "05401")):
        confirm(client, signer, house_ca_il.slug, email, zip_code)
    assert counting.signature_count(house_ca_il.id) == 4
    owner(client, house_ca_il, make_user)

    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/organise/campaigns/{house_ca_il.slug}/exports/lawmakers.csv").get_data(as_text=True))))
    assert {row["district"] for row in rows} == {"CA-11", "IL-3", "IL-5", "IL-7"}
    assert {row["chamber"] for row in rows} == {"house"} and {row["state"] for row in rows} == {"CA", "IL"}
    data = client.get(f"/organise/campaigns/{house_ca_il.slug}/exports/lawmakers.json").get_json()
    assert {r["district"] for r in data["lawmakers"]} == {"CA-11", "IL-3", "IL-5", "IL-7"}

    dashboard = client.get(f"/organise/campaigns/{house_ca_il.slug}").get_data(as_text=True)
    choices = dashboard[dashboard.index('name="recipient"'):]
    choices = choices[:choices.index("</select>")]
    assert "Nancy Pelosi" in choices and "Mike Quigley" in choices
    for outside in ("Doggett", "Balint", "Padilla", "Durbin", "Sanders", "Cornyn"):
        assert outside not in choices and outside not in dashboard
    assert "The whole campaign (the U.S. House members for CA and IL)" in choices
    assert "all of Congress" not in choices

    response = client.post(f"/organise/campaigns/{house_ca_il.slug}/exports/packet",
                           data={"csrf_token": csrf_token(dashboard), "recipient": "D000399"})  # Doggett
    assert response.status_code == 400

    text = pdf_text(create_packet(client, house_ca_il.slug, "", dashboard).data)
    assert "Dear U.S. House members for CA and IL" in text and "U.S. Congress" not in text
    assert "2 constituents of U.S. House members for CA and IL signed this petition; 4 people signed" in text
    packet = db.session.scalars(sa.select(DeliveryPacketRecord)).one()
    assert packet.count == 2  # the whole-campaign list holds the CA and IL signers
    listed = client.get(f"/organise/campaigns/{house_ca_il.slug}/exports/packets/{packet.id}.csv").data
    assert b"78701" not in listed and b"05401" not in listed


def test_a_delivery_is_frozen_and_its_office_opens_it_without_login(app, client, house_ca_il, signer, make_user):
    slug = house_ca_il.slug
    confirm(client, signer, slug, "ana@example.org", "94105", full_name="Ana Smith", comment="Water matters",
            share_email=True)
    _page, bo_links = confirm(client, signer, slug, "bo@example.org", "94105", full_name="Bo Smith")
    confirm(client, signer, slug, "cy@spam.example", "94105", full_name="Cy Smith")
    confirm(client, signer, slug, "ill@example.org", "60614", full_name="Il Smith")  # not Pelosi's
    owner(client, house_ca_il, make_user)

    dashboard = client.get(f"/organise/campaigns/{slug}").get_data(as_text=True)
    pdf = create_packet(client, slug, PELOSI, dashboard).data
    packet = db.session.scalars(sa.select(DeliveryPacketRecord)).one()
    sha, packet_id = packet.sha256, packet.id
    csv_url = f"/organise/campaigns/{slug}/exports/packets/{packet_id}.csv"
    before = client.get(csv_url).data
    assert hashlib.sha256(before).hexdigest() == sha
    rows = {row["full_name"]: row for row in csv.DictReader(io.StringIO(before.decode("utf-8-sig")))}
    assert set(rows) == {"Ana Smith", "Bo Smith", "Cy Smith"} and packet.count == 3
    # The same frozen rows as a workbook.
    from openpyxl import load_workbook
    workbook = load_workbook(io.BytesIO(client.get(csv_url.replace(".csv", ".xlsx")).data), read_only=True)
    names = {row[0] for row in list(workbook.active.iter_rows(values_only=True))[1:]}
    assert names == {"Ana Smith", "Bo Smith", "Cy Smith"}
    assert rows["Ana Smith"]["email"] == "ana@example.org" and rows["Bo Smith"]["email"] == ""
    assert rows["Ana Smith"]["comment"] == ""  # not approved when delivered
    assert re.search(rf">3<.*{packet.generated_at:%Y-%m-%d}", client.get(f"/verify/{sha}").get_data(as_text=True),
                     re.DOTALL)

    # Later: a comment approved, a signer withdraws, another is invalidated.
    ana = db.session.scalars(sa.select(Signature).where(Signature.full_name == "Ana Smith")).one()
    comments = client.get(f"/organise/campaigns/{slug}/comments").get_data(as_text=True)
    assert client.post(f"/organise/campaigns/{slug}/comments",
                       data={"csrf_token": csrf_token(comments), "one": f"approve:{ana.id}"}).status_code == 302
    post_button(client, bo_links["remove"])
    count, html = preview_count(client, slug, email_domain="spam.example")
    assert count == 1 and run(client, slug, html).status_code == 302
    db.session.expire_all()
    statuses = dict(db.session.execute(sa.select(Signature.full_name, Signature.status)).all())
    assert statuses["Bo Smith"] != "confirmed" and statuses["Cy Smith"] != "confirmed"

    after = client.get(csv_url).data
    assert after == before and hashlib.sha256(after).hexdigest() == sha
    assert db.session.get(DeliveryPacketRecord, packet_id).sha256 == sha
    verify = client.get(f"/verify/{sha}").get_data(as_text=True)
    assert ">3<" in verify and "Rep. Nancy Pelosi" in verify and "@" not in verify.split("<main")[-1]

    # The office link, printed in the packet, works without logging in.
    token = re.search(r"http://localhost/delivery/([A-Za-z0-9_\-]+)", pdf_text(pdf)).group(1)
    office = app.test_client()
    token_row = db.session.scalars(sa.select(DeliveryToken)).one()
    assert token_row.used_at is None and token not in token_row.token_hash
    page = office.get(f"/delivery/{token}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert sha in html and "sha256sum" in html and "Clean water now" in html
    assert office.get(f"/delivery/{token}/signatures.csv").data == before
    assert office.get(f"/delivery/{token}/packet.pdf").data == pdf
    db.session.expire_all()
    assert db.session.scalars(sa.select(DeliveryToken)).one().used_at is not None
    assert office.get(f"/delivery/{token[:-2]}xx").status_code == 404
    assert office.get(f"/delivery/{'A' * 43}/signatures.csv").status_code == 404
    assert "office link first opened" in client.get(f"/organise/campaigns/{slug}").get_data(as_text=True)
