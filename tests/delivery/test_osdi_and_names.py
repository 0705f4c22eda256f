"""Issue #11, OSDI and names: the signature list as OSDI v1 resources (paging, _links, per-record
dates and origin, people with the names they gave, valid regions only, email only for signers who
asked for updates), and names kept as typed through the form, CSV, XLSX, OSDI and the packet PDF."""
import csv
import io
import re
import shutil
import subprocess  # nosec B404: runs pdftotext on a PDF we built
import unicodedata

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.conftest import create_packet, csrf_token, login, post_button

# given, family, family first, ZIP, email, keep_updated, share_email
SIGNERS = [
    ("Siobhán", "O'Brien", False, "94105", "siobhan@example.org", True, False),
    ("Văn An", "Nguyễn", True, "60614", "an@example.org", False, True),
    ("太郎", "山田", True, "00901", "taro@example.org", True, True),
    ("Madonna", "", False, "09021", "madonna@example.org", False, False),
    ("Zé", "Ninguém", False, "00000", "ze@example.org", False, False),
]
SHOWN = {"siobhan@example.org": "Siobhán O'Brien", "an@example.org": "Nguyễn Văn An",
         "taro@example.org": "山田太郎", "madonna@example.org": "Madonna", "ze@example.org": "Zé Ninguém"}
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture
def signed(client, campaign, signer, geography, make_user):
    for given, family, family_first, zip_code, email, updates, share in SIGNERS:
        links = signer(campaign.slug, email=email, given_name=given, family_name=family,
                       family_name_first=family_first, postal_code=zip_code, keep_updated=updates,
                       share_email=share, show_name=True, comment=f"Care work is work ({zip_code})")
        post_button(client, links["confirm"])
    make_user("owner@example.org", campaigns=[campaign])
    assert login(client, "owner@example.org").status_code == 302
    return campaign


def approve_all_comments(client, campaign):
    for signature_id in db.session.scalars(sa.select(Signature.id).where(Signature.campaign_id == campaign.id)):
        url = f"/organise/campaigns/{campaign.slug}/comments"
        page = client.get(url).get_data(as_text=True)
        assert client.post(url, data={"csrf_token": csrf_token(page), "one": f"approve:{signature_id}"}
                           ).status_code == 302


def osdi(client, campaign, query=""):
    response = client.get(f"/organise/campaigns/{campaign.slug}/osdi/signatures{query}")
    return response


# --- names ----------------------------------------------------------------------------------

def test_names_are_stored_as_given_in_the_signers_order_never_split(client, signed):
    rows = {s.email: (s.given_name, s.family_name, s.full_name) for s in db.session.scalars(sa.select(Signature))}
    assert rows == {
        "siobhan@example.org": ("Siobhán", "O'Brien", "Siobhán O'Brien"),
        "an@example.org": ("Văn An", "Nguyễn", "Nguyễn Văn An"),
        "taro@example.org": ("太郎", "山田", "山田太郎"),  # no space between Han names
        "madonna@example.org": ("Madonna", None, "Madonna"),
        "ze@example.org": ("Zé", "Ninguém", "Zé Ninguém"),
    }


def test_the_sign_form_asks_for_two_labelled_name_parts_and_the_order(client, campaign):
    html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    for field, autocomplete in (("given_name", "given-name"), ("family_name", "family-name")):
        assert f'<label class="label" for="{field}">' in html
        assert re.search(rf'<input[^>]*autocomplete="{autocomplete}"[^>]*name="{field}"', html)
    assert 'for="family_name_first"' in html and "My family name comes first" in html


def test_names_round_trip_through_csv_and_xlsx(client, signed):
    data = client.get(f"/organise/campaigns/{signed.slug}/exports/signatures.csv").data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {(r["full_name"], r["given_name"], r["family_name"]) for r in rows} == {
        ("Siobhán O'Brien", "Siobhán", "O'Brien"), ("Nguyễn Văn An", "Văn An", "Nguyễn"), ("山田太郎", "太郎", "山田"),
        ("Madonna", "Madonna", ""), ("Zé Ninguém", "Zé", "Ninguém")}
    book = load_workbook(io.BytesIO(client.get(f"/organise/campaigns/{signed.slug}/exports/signatures.xlsx").data),
                         read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    header = sheet[0]
    parts = {(r[header.index("full_name")], r[header.index("given_name")], r[header.index("family_name")])
             for r in sheet[1:]}
    assert parts == {("Siobhán O'Brien", "Siobhán", "O'Brien"), ("Nguyễn Văn An", "Văn An", "Nguyễn"),
                     ("山田太郎", "太郎", "山田"), ("Madonna", "Madonna", None), ("Zé Ninguém", "Zé", "Ninguém")}


def test_names_print_in_the_packet_as_the_signers_wrote_them(client, signed):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    approve_all_comments(client, signed)
    pdf = create_packet(client, signed.slug).data
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)  # nosec B603 B607
    text = nfc(" ".join(done.stdout.decode().split()))
    for name in ("Siobhán O'Brien", "Nguyễn Văn An", "山田太郎", "Madonna"):
        assert name in text, name


# --- OSDI -----------------------------------------------------------------------------------

# The structure of the spec's example collection (osdi-docs, signatures.md, "Retrieving a
# collection of Signature resources"): each key and the JSON type it has there.
SPEC_COLLECTION = {"total_pages": int, "per_page": int, "page": int, "total_records": int, "_links": dict,
                   "_embedded": dict}
SPEC_COLLECTION_LINKS = {"self": dict, "osdi:signatures": list, "curies": list}
SPEC_SIGNATURE = {"identifiers": list, "origin_system": str, "created_date": str, "modified_date": str,
                  "action_date": str, "_links": dict}
SPEC_SIGNATURE_LINKS = ("self", "osdi:petition", "osdi:person")
SPEC_CURIE = {"name": str, "href": str, "templated": bool}
# osdi-docs, people.md: the person fields we fill.
SPEC_PERSON = {"identifiers": list, "given_name": str, "postal_addresses": list, "_links": dict}
SPEC_ADDRESS_KEYS = {"primary", "locality", "region", "postal_code", "country"}


def assert_shape(document: dict, shape: dict):
    for key, kind in shape.items():
        assert isinstance(document.get(key), kind), (key, document.get(key))


def test_osdi_collection_has_the_spec_structure_paging_and_links(client, signed):
    response = osdi(client, signed, "?per_page=2")
    assert response.status_code == 200 and response.mimetype == "application/hal+json"
    first = response.json
    assert_shape(first, SPEC_COLLECTION)
    assert_shape(first["_links"], SPEC_COLLECTION_LINKS)
    assert (first["page"], first["per_page"], first["total_pages"], first["total_records"]) == (1, 2, 3, 5)
    assert "prev" not in first["_links"] and first["_links"]["next"]["href"].endswith("page=2&per_page=2")
    for curie in first["_links"]["curies"]:
        assert_shape(curie, SPEC_CURIE)
        assert "{rel}" in curie["href"]
    records = first["_embedded"]["osdi:signatures"]
    assert len(records) == 2
    assert [link["href"] for link in first["_links"]["osdi:signatures"]] == [
        r["_links"]["self"]["href"] for r in records]
    for record in records:
        assert_shape(record, SPEC_SIGNATURE)
        for rel in SPEC_SIGNATURE_LINKS:
            assert record["_links"][rel]["href"].startswith("http")
        assert all(re.fullmatch(r"advocacy:signature-\d+", i) for i in record["identifiers"])
        for date in ("created_date", "modified_date", "action_date"):
            assert ISO_UTC.fullmatch(record[date])
        assert record["origin_system"] == client.application.config["ORGANISATION_NAME"]
        assert_shape(record["_embedded"]["osdi:person"], SPEC_PERSON)

    # Follow the links, as a client would.
    second = client.get(first["_links"]["next"]["href"].removeprefix("http://localhost")).json
    last = client.get(second["_links"]["next"]["href"].removeprefix("http://localhost")).json
    assert (second["page"], last["page"]) == (2, 3) and "next" not in last["_links"]
    assert last["_links"]["prev"]["href"].endswith("page=2&per_page=2")
    ids = [i for page in (first, second, last) for r in page["_embedded"]["osdi:signatures"] for i in r["identifiers"]]
    assert len(ids) == len(set(ids)) == 5


def test_osdi_people_carry_names_as_given_valid_regions_and_email_only_with_an_update_subscription(client, signed):
    people = {}
    for record in osdi(client, signed, "?per_page=100").json["_embedded"]["osdi:signatures"]:
        person = record["_embedded"]["osdi:person"]
        # The linked person is the embedded one.
        linked = client.get(record["_links"]["osdi:person"]["href"].removeprefix("http://localhost"))
        assert linked.status_code == 200 and linked.json["identifiers"] == person["identifiers"]
        people[person["given_name"]] = person
    assert people["Siobhán"]["family_name"] == "O'Brien"
    assert people["Văn An"]["family_name"] == "Nguyễn"
    assert people["太郎"]["family_name"] == "山田"
    assert "family_name" not in people["Madonna"]  # one name: nothing invented
    # Email only for those who asked for updates (keep_updated), whatever they chose for offices.
    assert people["Siobhán"]["email_addresses"] == [
        {"primary": True, "address": "siobhan@example.org", "status": "subscribed"}]
    assert people["太郎"]["email_addresses"][0]["address"] == "taro@example.org"
    assert "email_addresses" not in people["Văn An"]  # shared with offices only
    assert "email_addresses" not in people["Madonna"]
    for person in people.values():
        (address,) = person["postal_addresses"]
        assert set(address) <= SPEC_ADDRESS_KEYS and address["country"] == "US"
    assert people["Siobhán"]["postal_addresses"][0] == {
        "primary": True, "locality": "San Francisco", "region": "CA", "postal_code": "94105", "country": "US"}
    assert people["太郎"]["postal_addresses"][0]["region"] == "PR"
    assert "region" not in people["Madonna"]["postal_addresses"][0]  # AE: military mail, no state
    assert "region" not in people["Zé"]["postal_addresses"][0]  # unknown ZIP
    assert people["Madonna"]["postal_addresses"][0]["postal_code"] == "09021"


def test_osdi_comments_only_once_approved_and_modified_date_moves_with_moderation(client, signed):
    def siobhan():
        records = osdi(client, signed, "?per_page=100").json["_embedded"]["osdi:signatures"]
        return next(r for r in records if r["_embedded"]["osdi:person"]["given_name"] == "Siobhán")

    before = siobhan()
    assert "comments" not in before  # pending moderation
    db.session.execute(sa.update(Signature).values(modified_at=sa.func.coalesce(Signature.confirmed_at,
                                                                               Signature.created_at)))
    db.session.commit()
    unmoderated = siobhan()["modified_date"]
    approve_all_comments(client, signed)
    after = siobhan()
    assert after["comments"] == "Care work is work (94105)"
    assert after["modified_date"] >= unmoderated and after["created_date"] == before["created_date"]
    stored = db.session.scalars(sa.select(Signature).where(Signature.email == "siobhan@example.org")).one()
    db.session.refresh(stored)
    assert stored.modified_at > stored.confirmed_at  # set by the moderation's UPDATE


def test_a_withdrawn_signature_leaves_the_osdi_collection(client, signed, inbox):
    from tests.conftest import links_in

    remove = links_in(inbox.to("madonna@example.org")[0])["remove"]
    post_button(client, remove)
    data = osdi(client, signed).json
    assert data["total_records"] == 4
    names = {r["_embedded"]["osdi:person"].get("given_name") for r in data["_embedded"]["osdi:signatures"]}
    assert "Madonna" not in names
    gone = db.session.scalars(sa.select(Signature.id).where(Signature.email == "madonna@example.org")).one()
    assert client.get(f"/organise/campaigns/{signed.slug}/osdi/signatures/{gone}").status_code == 404


@pytest.mark.parametrize("query", ["?page=0", "?page=abc", "?per_page=101", "?per_page=-1", "?page=１"])
def test_osdi_bad_paging_is_a_400_with_a_reason(client, signed, query):
    response = osdi(client, signed, query)
    assert response.status_code == 400 and "must be a whole number" in response.json["error"]


def test_osdi_page_past_the_end_is_404(client, signed):
    assert osdi(client, signed, "?page=2").status_code == 404
    assert osdi(client, signed, "?page=1").status_code == 200


def test_the_old_osdi_download_leads_to_the_collection(client, signed):
    response = client.get(f"/organise/campaigns/{signed.slug}/exports/signatures.osdi.json")
    assert response.status_code == 308 and response.headers["Location"].endswith(f"/{signed.slug}/osdi/signatures")


def test_osdi_is_for_the_campaigns_organisers_only(client, signed, make_campaign, make_user):
    signature_id = db.session.scalars(sa.select(Signature.id)).first()
    paths = [f"/organise/campaigns/{signed.slug}/osdi", f"/organise/campaigns/{signed.slug}/osdi/signatures",
             f"/organise/campaigns/{signed.slug}/osdi/signatures/{signature_id}",
             f"/organise/campaigns/{signed.slug}/osdi/people/{signature_id}"]
    for path in paths:
        assert client.get(path).status_code == 200, path
    client.post("/organise/logout", data={"csrf_token": csrf_token(client.get("/organise/").get_data(as_text=True))})
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/organise/login" in response.headers["Location"], path
    other = make_campaign(slug="other-one")
    make_user("other@example.org", campaigns=[other])
    login(client, "other@example.org")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404 and b"siobhan" not in response.data, path
    # A signature of another campaign is not reachable through this one.
    assert client.get(f"/organise/campaigns/other-one/osdi/people/{signature_id}").status_code == 404


def test_osdi_petition_links_its_signatures(client, signed):
    petition = client.get(f"/organise/campaigns/{signed.slug}/osdi").json
    assert petition["title"] == signed.title and petition["total_signatures"] == 5
    assert petition["_links"]["osdi:signatures"]["href"].endswith(f"/{signed.slug}/osdi/signatures")
