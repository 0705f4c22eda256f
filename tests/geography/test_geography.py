"""ZIP -> state and district, the loader, and what the signer is told after confirming."""
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.geography.models import Legislator, SignatureDistrict, ZipDistrict
from advocacy.geography.service import resolve
from advocacy.signatures.models import Signature
from tests.conftest import GEOGRAPHY_ZIPS, post_button


def test_full_load_reads_every_zip_district_pair_and_lawmaker_and_is_idempotent(app):
    for _ in range(2):
        output = app.test_cli_runner().invoke(args=["advocacy", "load-geography"]).output
        assert "42033 ZIP-district pairs, 537 lawmakers" in output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ZipDistrict)) == 42033
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Legislator)) == 537
    senators = db.session.scalar(sa.select(sa.func.count()).where(Legislator.chamber == "senate"))
    assert senators == 100


def test_each_hand_checked_zip_resolves_to_its_districts(geography):
    for zip_code, expected in GEOGRAPHY_ZIPS.items():
        assert " ".join(resolve(zip_code).districts) == expected, zip_code


def test_zip_plus_four_uses_its_first_five_digits(geography):
    assert resolve("94105-1234").districts == ("CA-11",)


def test_unknown_zip_is_kept_with_unknown_state_and_district(geography):
    place = resolve("00000")
    assert (place.state, place.districts) == ("??", ("??-??",))


def test_signing_works_without_any_geography_loaded(client, campaign, signer):
    post_button(client, signer(campaign.slug, postal_code="94105")["confirm"])
    signature = db.session.scalars(sa.select(Signature)).one()
    assert signature.status == "confirmed" and signature.state == "CA"  # state from zipcodes
    assert [d.district for d in db.session.scalars(sa.select(SignatureDistrict))] == ["CA-??"]


def test_stored_districts_do_not_change_when_geography_is_reloaded(client, campaign, signer, geography):
    post_button(client, signer(campaign.slug, postal_code="94105")["confirm"])
    db.session.execute(sa.delete(ZipDistrict))
    db.session.commit()
    assert [d.district for d in db.session.scalars(sa.select(SignatureDistrict))] == ["CA-11"]


def test_confirmed_page_names_the_representative_and_senators(client, campaign, signer, geography):
    page = post_button(client, signer(campaign.slug, postal_code="94105")["confirm"]).get_data(as_text=True)
    assert "Your signature will be delivered to:" in page
    assert "Rep. Nancy Pelosi (CA-11)" in page
    assert "Sen. Adam B. Schiff" in page and "Sen. Alex Padilla" in page


def test_confirmed_page_says_plainly_when_the_seat_is_vacant(client, campaign, signer, geography):
    page = post_button(client, signer(campaign.slug, postal_code="94541")["confirm"]).get_data(as_text=True)
    assert "CA-14 (the seat is vacant)" in page


def test_confirmed_page_lists_every_district_of_a_split_zip(client, campaign, signer, geography):
    page = post_button(client, signer(campaign.slug, postal_code="60614")["confirm"]).get_data(as_text=True)
    for text in ("Rep. Delia C. Ramirez (IL-3)", "Rep. Mike Quigley (IL-5)", "Rep. Danny K. Davis (IL-7)",
                 "spans several districts", "Sen. Tammy Duckworth"):
        assert text in page


def test_confirmed_page_says_when_the_district_is_unknown(client, campaign, signer, geography):
    page = post_button(client, signer(campaign.slug, postal_code="94120")["confirm"]).get_data(as_text=True)
    assert "could not tell your congressional district" in page
    assert "Sen. Alex Padilla" in page
