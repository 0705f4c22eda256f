"""Tallies by state and district, the exports and the delivery packet, against hand-computed
expectations for a known set of ZIPs."""
import csv
import hashlib
import io
import json
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from advocacy.signatures import counting
from advocacy.signatures.models import Signature, Tally
from tests.conftest import create_packet as create_packet_pdf
from tests.conftest import csrf_token, login, post_button

# email -> ZIP: one district (CA-11), a PO box (CA, district unknown), three districts twice
# (IL-3/5/7), an at-large state (VT), a PO box in an at-large state, a ZIP nobody knows.
SIGNERS = {"ana@example.org": "94105", "ben@example.org": "94120", "cy@example.org": "60614",
           "di@example.org": "60614-1234", "ed@example.org": "05401", "flo@example.org": "05402",
           "gus@example.org": "00000"}
EXPECTED_STATES = {"CA": 2, "IL": 2, "VT": 2, "??": 1}
EXPECTED_DISTRICTS = {"CA-11": 1, "CA-??": 1, "IL-3": 2, "IL-5": 2, "IL-7": 2, "VT-AL": 2, "??-??": 1}


@pytest.fixture
def signed(client, campaign, signer, geography):
    for email, zip_code in SIGNERS.items():
        post_button(client, signer(campaign.slug, email=email, postal_code=zip_code,
                                   given_name=email.split("@")[0].title(), family_name="Smith",
                                   share_email=email.startswith("ana"),
                                   comment="=HYPERLINK(1)" if email.startswith("ben") else f"From {zip_code}")["confirm"])
    db.session.execute(sa.update(Signature).values(comment_status="approved"))
    db.session.commit()
    return campaign


def test_tallies_match_hand_counts_and_states_add_up_to_the_total(signed):
    assert counting.tallies_for(signed.id, "state") == EXPECTED_STATES
    assert counting.tallies_for(signed.id, "district") == EXPECTED_DISTRICTS
    assert counting.tallies_for(signed.id, "district_partial") == {"IL-3": 2, "IL-5": 2, "IL-7": 2}
    assert sum(EXPECTED_STATES.values()) == counting.signature_count(signed.id) == len(SIGNERS)


def test_removing_a_signature_takes_it_out_of_its_state_and_districts(client, campaign, signer, geography):
    links = signer(campaign.slug, postal_code="60614")
    post_button(client, links["confirm"])
    post_button(client, links["remove"])
    assert counting.tallies_for(campaign.id, "state") == {}
    assert counting.tallies_for(campaign.id, "district") == {}


def test_recount_repairs_state_and_district_drift(signed):
    counting.fold_all()
    db.session.execute(sa.update(Tally).where(Tally.kind.in_(("state", "district"))).values(count=99))
    db.session.commit()
    fixed = {(d.kind, d.key) for d in counting.recount()}
    assert ("state", "CA") in fixed and ("district", "IL-5") in fixed
    assert counting.tallies_for(signed.id, "state") == EXPECTED_STATES
    assert counting.tallies_for(signed.id, "district") == EXPECTED_DISTRICTS
    assert counting.recount() == []


def test_campaign_json_has_tallies_without_personal_data(client, signed):
    response = client.get(f"/campaigns/{signed.slug}.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    assert {e["code"]: e["count"] for e in data["signatures_by_state"]} == EXPECTED_STATES
    districts = {e["code"]: e for e in data["signatures_by_district"]}
    assert {code: e["count"] for code, e in districts.items()} == EXPECTED_DISTRICTS
    assert districts["CA-11"]["member"] == "Nancy Pelosi" and districts["CA-11"]["name"] == "California district 11"
    assert districts["IL-5"]["may_include"] == 2 and districts["CA-11"]["may_include"] == 0
    assert districts["CA-??"]["member"] is None
    assert "Adam B. Schiff" in next(e for e in data["signatures_by_state"] if e["code"] == "CA")["senators"]
    body = response.get_data(as_text=True)
    assert "@example.org" not in body and "Smith" not in body


def test_campaign_page_shows_the_map_and_a_state_table(client, signed):
    page = client.get(f"/campaigns/{signed.slug}").get_data(as_text=True)
    assert f'src="/campaigns/{signed.slug}/map.svg"' in page
    table = page[page.index("<table"):page.index("</table>")]
    assert "<caption" in table and re.search(r"California</th><td class=\"num\">2<", table)
    svg = client.get(f"/campaigns/{signed.slug}/map.svg")
    assert svg.mimetype == "image/svg+xml"
    assert 'data-state="VT" data-count="2"' in svg.get_data(as_text=True)


def owner(client, campaign, make_user):
    make_user("owner@example.org", campaigns=[campaign])
    assert login(client, "owner@example.org").status_code == 302


def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_signatures_csv_lists_each_signer_with_place_district_and_consented_email(client, signed, make_user):
    owner(client, signed, make_user)
    response = client.get(f"/organise/campaigns/{signed.slug}/exports/signatures.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = {row["full_name"]: row for row in read_csv(response)}
    assert len(rows) == len(SIGNERS)
    assert rows["Ana Smith"] | {"confirmed_at": ""} == {
        "full_name": "Ana Smith", "given_name": "Ana", "family_name": "Smith",
        "town": "San Francisco", "state": "CA", "zip": "94105", "districts": "CA-11",
        "district_note": "", "confirmed_at": "", "comment": "From 94105", "email": "ana@example.org",
        "signed_on": "online"}
    assert rows["Ben Smith"]["email"] == ""  # did not consent
    assert rows["Ben Smith"]["comment"] == "'=HYPERLINK(1)"  # neutralised for spreadsheets
    assert rows["Ben Smith"]["district_note"] == "district unknown"
    assert rows["Cy Smith"]["districts"] == "IL-3 IL-5 IL-7"
    assert rows["Cy Smith"]["district_note"] == "may include: ZIP spans 3 districts"
    assert rows["Flo Smith"]["districts"] == "VT-AL" and rows["Flo Smith"]["town"] == "Burlington"
    assert (rows["Gus Smith"]["state"], rows["Gus Smith"]["districts"]) == ("??", "??-??")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows["Ana Smith"]["confirmed_at"])
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.details == {"kind": "signatures_csv"} and event.campaign_id == signed.id


def test_unapproved_comments_are_not_exported(client, signed, make_user):
    db.session.execute(sa.update(Signature).values(comment_status="pending"))
    db.session.commit()
    owner(client, signed, make_user)
    rows = read_csv(client.get(f"/organise/campaigns/{signed.slug}/exports/signatures.csv"))
    assert {row["comment"] for row in rows} == {""}


def test_lawmaker_tally_csv_and_json(client, signed, make_user):
    owner(client, signed, make_user)
    rows = read_csv(client.get(f"/organise/campaigns/{signed.slug}/exports/lawmakers.csv"))
    by_member = {row["member"]: row for row in rows}
    assert by_member["Nancy Pelosi"] | {"bioguide_id": ""} == {
        "member": "Nancy Pelosi", "chamber": "house", "party": "Democrat", "state": "CA", "district": "CA-11",
        "constituents": "1", "may_include": "0", "bioguide_id": ""}
    assert by_member["Mike Quigley"]["constituents"] == "2" and by_member["Mike Quigley"]["may_include"] == "2"
    assert by_member["Becca Balint"]["constituents"] == "2"  # VT at-large, PO box included
    assert by_member["Alex Padilla"]["constituents"] == "2" and by_member["Alex Padilla"]["chamber"] == "senate"
    assert by_member["Bernard Sanders"]["constituents"] == "2"
    assert len(rows) == 1 + 3 + 1 + 2 + 2 + 2  # Pelosi, IL-3/5/7, VT rep, 6 senators
    data = json.loads(client.get(f"/organise/campaigns/{signed.slug}/exports/lawmakers.json").data)
    assert {r["member"]: r["constituents"] for r in data["lawmakers"]} == {
        m: int(r["constituents"]) for m, r in by_member.items()}
    assert "counted in each" in data["rule"]


create_packet = create_packet_pdf


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_packet_for_a_member_has_totals_and_the_hash_of_the_csv_it_names(client, signed, make_user):
    owner(client, signed, make_user)
    response = create_packet(client, signed.slug, "Q000023")  # Mike Quigley, IL-5
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "The Honorable Mike Quigley" in text and "Dear Representative Quigley:" in text
    # 60614 spans IL-3, IL-5 and IL-7: its signers may live in IL-5, they are not claimed as constituents.
    assert ("0 constituents of Rep. Mike Quigley signed this petition; a further 2 people signed from ZIP codes "
            "shared with other districts and may live in this district; 7 people signed in total.") in text
    assert "IL-5" in text and "may include 2" in text
    sha = re.search(r"\b[0-9a-f]{64}\b", text).group(0)
    from advocacy.delivery.models import DeliveryPacketRecord
    packet = db.session.scalars(sa.select(DeliveryPacketRecord)).one()
    # The list a member's packet cites is that member's constituents (both IL signers share ZIPs).
    assert (packet.sha256, packet.count, packet.recipient) == (sha, 2, "Q000023")
    listed = client.get(f"/organise/campaigns/{signed.slug}/exports/packets/{packet.id}.csv").data
    assert hashlib.sha256(listed).hexdigest() == sha
    assert {row["full_name"] for row in csv.DictReader(io.StringIO(listed.decode("utf-8-sig")))} == {"Cy Smith", "Di Smith"}
    verify = client.get(f"/verify/{sha}").get_data(as_text=True)
    assert signed.title in verify and "Rep. Mike Quigley" in verify and ">2<" in verify
    assert packet.generated_at.strftime("%Y-%m-%d %H:%M:%S") in verify
    kinds = [e.details["kind"] for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id))]
    assert kinds == ["delivery_packet", "packet_pdf", "packet_signatures_csv"]


def test_packet_for_the_whole_campaign_lists_every_district(client, signed, make_user):
    owner(client, signed, make_user)
    text = pdf_text(create_packet(client, signed.slug).data)
    assert "To the offices of the U.S. Congress" in text and "7 people signed this petition in total." in text
    for label in ("CA-11", "IL-3", "VT-AL", "CA-??"):
        assert label in text
    assert "From 94105" in text  # an approved comment


def test_the_packet_list_does_not_change_when_people_sign_later(client, signed, make_user, signer):
    owner(client, signed, make_user)
    create_packet(client, signed.slug)
    from advocacy.delivery.models import DeliveryPacketRecord
    packet = db.session.scalars(sa.select(DeliveryPacketRecord)).one()
    post_button(client, signer(signed.slug, email="late@example.org", postal_code="94105")["confirm"])
    listed = client.get(f"/organise/campaigns/{signed.slug}/exports/packets/{packet.id}.csv").data
    assert hashlib.sha256(listed).hexdigest() == packet.sha256
    assert b"late@example.org" not in listed and listed.count(b"\r\n") == 1 + len(SIGNERS)


def test_verify_page_is_404_for_an_unknown_hash(client):
    assert client.get("/verify/" + "0" * 64).status_code == 404
    assert client.get("/verify/not-a-hash").status_code == 404


EXPORTS = ("signatures.csv", "signatures.osdi.json", "lawmakers.csv", "lawmakers.json")


def test_exports_refuse_anonymous_visitors(client, signed):
    for export in EXPORTS:
        response = client.get(f"/organise/campaigns/{signed.slug}/exports/{export}")
        assert response.status_code == 302 and "/organise/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_exports_refuse_organisers_of_other_campaigns(client, signed, make_campaign, make_user):
    other = make_campaign()
    make_user("other@example.org", campaigns=[other])
    login(client, "other@example.org")
    for export in EXPORTS:
        response = client.get(f"/organise/campaigns/{signed.slug}/exports/{export}")
        assert response.status_code == 404 and b"Smith" not in response.data
    page = client.get(f"/organise/campaigns/{other.slug}").get_data(as_text=True)
    response = client.post(f"/organise/campaigns/{signed.slug}/exports/packet",
                           data={"csrf_token": csrf_token(page), "recipient": ""})
    assert response.status_code == 404


def test_dashboard_panel_links_the_exports_and_lawmakers(client, signed, make_user):
    owner(client, signed, make_user)
    page = client.get(f"/organise/campaigns/{signed.slug}").get_data(as_text=True)
    assert f"/organise/campaigns/{signed.slug}/exports/signatures.csv" in page
    assert "Mike Quigley" in page and 'value="Q000023"' in page
