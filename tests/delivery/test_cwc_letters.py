"""Issue #12, done when "a letter reaches the local CWC endpoint as schema-valid XML and its outcome is
recorded", end to end through HTTP: a signer confirms, writes a letter with their street address and
salutation on the confirmed page, an organiser approves it, and one round of the worker queues it for
the signer's representative and posts it to the local endpoint (tests/delivery/test_cwc.py's
validating server). Only offices whose constituent the signer certainly is receive it."""
import pytest
import sqlalchemy as sa
from lxml import etree

from advocacy.delivery import cwc
from advocacy.delivery.models import CwcMessage
from advocacy.extensions import db
from advocacy.signatures.letters import Letter
from advocacy.worker import run_worker
from tests.conftest import csrf_token, login, post_button
from tests.delivery.test_cwc import PELOSI, fake_cwc  # noqa: F401  # the local validating CWC endpoint

BODY = "I am a nurse in San Francisco. Night shifts & no paid leave: my son was two weeks old <really>."


@pytest.fixture
def cwc_on(app, fake_cwc):  # noqa: F811
    app.config["CWC_ENABLED"] = True  # what the default gives when CWC_API_URL is set at start-up
    return fake_cwc


def confirm(client, signer, slug, email, postal_code, **fields) -> tuple[str, str]:
    links = signer(slug, email=email, postal_code=postal_code, **fields)
    page = post_button(client, links["confirm"])
    assert page.status_code == 200
    return page.get_data(as_text=True), links["confirm"].rsplit("/", 1)[1]


def write(client, token, **fields):
    data = {"body": BODY, "reach": "members", "street_address": "1 Market St Apt 4", "city": "San Francisco",
            "prefix": "Ms."}
    data.update(fields)
    return client.post(f"/signatures/confirm/{token}/letter", data=data)


def messages():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CwcMessage).order_by(CwcMessage.id)))


def test_a_letter_written_on_the_confirmed_page_reaches_the_cwc_endpoint_and_its_outcome_is_recorded(
        app, client, campaign, geography, signer, make_user, cwc_on):
    slug = campaign.slug  # the worker ends the session, and with it the fixture's objects
    html, token = confirm(client, signer, slug, "rosa@example.org", "94105",
                          given_name="Rosa", family_name="Díaz")
    assert 'name="prefix"' in html and 'name="street_address"' in html  # asked only with CWC on
    assert write(client, token).status_code == 303
    letter = db.session.scalars(sa.select(Letter)).one()
    assert (letter.prefix, letter.street_address, letter.status) == ("Ms.", "1 Market St Apt 4", "pending")
    letter_id = letter.id
    make_user("owner@example.org", campaigns=[campaign])

    run_worker(once=True)
    assert messages() == [] and cwc_on.received == []  # not approved yet: nothing leaves

    login(client, "owner@example.org")
    url = f"/organise/campaigns/{slug}/letters"
    queue = client.get(url).get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token(queue), "one": f"approve:{letter_id}"}).status_code == 302

    run_worker(once=True)
    assert len(cwc_on.received) == 1
    key, body, valid = cwc_on.received[0]
    assert key == "test-key" and valid  # the endpoint validated it against the CWC schema
    document = etree.fromstring(body)
    assert document.findtext("Message/ConstituentMessage") == BODY
    assert document.findtext("Recipient/MemberOffice") == "HCA11"
    assert [document.findtext(f"Constituent/{tag}") for tag in ("Prefix", "FirstName", "LastName", "Address1",
                                                                "City", "StateAbbreviation", "Zip")] == [
        "Ms.", "Rosa", "Díaz", "1 Market St Apt 4", "San Francisco", "CA", "94105"]
    [message] = messages()
    assert (message.letter_id, message.bioguide_id, message.status, message.xml) == (letter_id, PELOSI, "accepted",
                                                                                      None)
    assert document.findtext("Delivery/DeliveryId") == message.delivery_id

    # Idempotent: running again queues and posts nothing more (the campaign targets both chambers,
    # but senators are not reachable through CWC's House codes).
    run_worker(once=True)
    assert cwc.queue_approved_letters() == 0
    assert len(cwc_on.received) == 1 and len(messages()) == 1


def test_a_shared_zip_signer_who_did_not_answer_is_not_sent_to_a_house_office_until_they_answer(
        app, client, campaign, geography, signer, make_user, cwc_on):
    slug = campaign.slug
    _html, token = confirm(client, signer, slug, "dana@example.org", "60614", full_name="Dana")
    assert write(client, token, city="Chicago", street_address="2400 N Lincoln Ave", prefix="Mx.").status_code == 303
    make_user("owner@example.org", campaigns=[campaign])
    login(client, "owner@example.org")
    url = f"/organise/campaigns/{slug}/letters"
    queue = client.get(url).get_data(as_text=True)
    letter_id = db.session.scalar(sa.select(Letter.id))
    assert client.post(url, data={"csrf_token": csrf_token(queue), "one": f"approve:{letter_id}"}).status_code == 302

    run_worker(once=True)
    assert messages() == [] and cwc_on.received == []  # IL-3, IL-5 or IL-7: none is certain

    # Once they say which district is theirs, that one office (and only it) receives the letter.
    assert client.post(f"/signatures/confirm/{token}/district", data={"district": "IL-5"}).status_code == 303
    run_worker(once=True)
    [message] = messages()
    assert (message.bioguide_id, message.status) == ("Q000023", "accepted")
    document = etree.fromstring(cwc_on.received[0][1])
    assert document.findtext("Recipient/MemberOffice") == "HIL05"
    # A mononym: the one name is CWC's LastName (and FirstName, which CWC also requires).
    assert (document.findtext("Constituent/FirstName"), document.findtext("Constituent/LastName")) == ("Dana", "Dana")


def test_letters_without_a_salutation_or_outside_the_campaigns_target_are_not_sent(
        app, client, make_campaign, geography, signer, make_user, cwc_on):
    senate_only = make_campaign(slug="senate-only", title="Paid leave: the Senate", target_chamber="senate")
    _html, token = confirm(client, signer, senate_only.slug, "rosa@example.org", "94105")
    assert write(client, token).status_code == 303
    house = make_campaign(slug="house-too", title="Paid leave: the House")
    _html, other = confirm(client, signer, house.slug, "rosa@example.org", "94105")
    assert write(client, other, prefix="").status_code == 303  # "Choose not to say": packet only
    db.session.execute(sa.update(Letter).values(status="approved"))
    db.session.commit()
    assert cwc.queue_approved_letters() == 0
    assert messages() == []


def test_an_unknown_salutation_gets_the_form_again(app, client, campaign, geography, signer, cwc_on):
    _html, token = confirm(client, signer, campaign.slug, "rosa@example.org", "94105")
    refused = write(client, token, prefix="Sir")
    assert refused.status_code == 422 and "There is a problem" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0
