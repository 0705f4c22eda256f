"""Issue #12, part 2: letters go through Communicating with Congress. Each letter becomes CWC XML that
the worker posts to CWC_API_URL with CWC_API_KEY; a local HTTP server plays CWC and validates what it
receives against the schema in tests/fixtures/cwc/cwc.xsd (lxml). The outcome is recorded per letter:
accepted, or failed with CWC's reason; no answer is retried."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from lxml import etree

from advocacy.database import transaction
from advocacy.delivery import cwc
from advocacy.delivery.models import CwcMessage
from advocacy.extensions import db
from advocacy.geography.models import Legislator
from tests.conftest import post_button

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "fixtures" / "cwc" / "cwc.xsd")))
PELOSI = "P000197"


class FakeCwc:
    """A local CWC endpoint: POST /v2/message?apikey=... with the XML; 200 when it is valid against
    the schema, 400 with the validator's reason when not, 503 while `down`."""

    def __init__(self):
        self.received: list[tuple[str, bytes, bool]] = []  # (api key, body, valid)
        self.down = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = parse_qs(url.query).get("apikey", [""])[0]
                if fake.down:
                    return self._answer(503, {"error": "Service Unavailable"})
                if url.path != "/v2/message" or key != "test-key":
                    return self._answer(401, {"error": "Unknown API key"})
                try:
                    document = etree.fromstring(body)
                    valid = SCHEMA.validate(document)
                    reason = str(SCHEMA.error_log.last_error) if not valid else ""
                except etree.XMLSyntaxError as error:
                    valid, reason = False, str(error)
                fake.received.append((key, body, valid))
                if not valid:
                    return self._answer(400, {"error": reason})
                return self._answer(200, {"message": "Accepted"})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_cwc(app):
    with FakeCwc() as fake:
        app.config.update(CWC_API_URL=fake.url, CWC_API_KEY="test-key", CWC_ACK_EMAIL="cwc@advocacy.example",
                          CWC_CONTACT_EMAIL="delivery@advocacy.example", CWC_CONTACT_PHONE="(202) 555-0142")
        yield fake


def letter(campaign, **fields) -> cwc.LetterFields:
    values = dict(campaign_id=campaign.id, campaign_slug=campaign.slug, subject="Paid leave for all",
                  body="Como enfermera y madre, necesito licencia pagada & cuidado infantil <asequible>.",
                  prefix="Ms.", first_name="María José", last_name="Núñez", email="maria@example.org",
                  address1="1 Market St Apt 4", city="San Francisco", state="CA", zip="94105",
                  phone="+1 (415) 555-0100", letter_id=7)
    values.update(fields)
    return cwc.LetterFields(**values)


def queue(campaign, member_id=PELOSI, **fields):
    with transaction():
        return cwc.queue_letter(letter(campaign, **fields), db.session.get(Legislator, member_id))


def delivery_page(client, slug) -> str:
    return client.get(f"/organise/campaigns/{slug}/delivery").get_data(as_text=True)


def test_a_letter_reaches_the_cwc_endpoint_as_schema_valid_xml_and_its_outcome_is_recorded(
        app, organiser_client, campaign, geography, signer, fake_cwc):
    post_button(organiser_client, signer(campaign.slug, email="ca@example.org", postal_code="94105")["confirm"])
    good = queue(campaign)
    bad = queue(campaign, zip="9410")  # CWC refuses a ZIP that is not 5 (or 5+4) digits
    assert cwc.post_due() == (1, 1)

    assert len(fake_cwc.received) == 2
    key, body, valid = fake_cwc.received[0]
    assert key == "test-key" and valid
    document = etree.fromstring(body)
    assert document.findtext("Recipient/MemberOffice") == "HCA11"
    assert document.findtext("Delivery/DeliveryId") == good.delivery_id and len(good.delivery_id) == 32
    assert document.findtext("Constituent/FirstName") == "María José"
    assert document.findtext("Constituent/Phone") == "415-555-0100"
    assert document.findtext("Message/ConstituentMessage").endswith("& cuidado infantil <asequible>.")

    db.session.expire_all()
    good, bad = db.session.get(CwcMessage, good.id), db.session.get(CwcMessage, bad.id)
    assert (good.status, good.xml, good.answered_at is not None) == ("accepted", None, True)  # address not kept
    assert bad.status == "failed" and bad.last_error.startswith("HTTP 400:") and "Zip" in bad.last_error
    assert bad.xml is None
    assert cwc.post_due() == (0, 0)  # nothing is posted twice

    page = delivery_page(organiser_client, campaign.slug)
    assert "Accepted by CWC" in page and "Failed:" in page and "Zip" in page
    # The accepted letter counts as delivered to the member's office on the public record.
    rows = {row["bioguide_id"]: row for row in organiser_client.get(f"/campaigns/{campaign.slug}.json").json[
        "accountability"]}
    assert rows[PELOSI]["delivered_at"] == good.answered_at.isoformat() + "Z"


def test_cwc_not_answering_is_retried_then_given_up_with_the_reason(app, campaign, geography, fake_cwc):
    fake_cwc.down = True
    app.config["CWC_MAX_ATTEMPTS"] = 2
    message = queue(campaign)
    assert cwc.post_due() == (0, 1)
    db.session.expire_all()
    message = db.session.get(CwcMessage, message.id)
    assert message.status == "queued" and message.last_error.startswith("HTTP 503")
    assert message.xml is not None
    message.next_attempt_at = message.created_at  # due again now
    db.session.commit()
    assert cwc.post_due() == (0, 1)
    db.session.expire_all()
    message = db.session.get(CwcMessage, message.id)
    assert message.status == "failed" and message.attempts == 2


def test_every_letter_built_is_valid_against_the_schema(app, campaign, geography):
    app.config.update(CWC_API_URL="http://127.0.0.1:9/v2")
    pelosi = db.session.get(Legislator, PELOSI)
    for fields in ({}, {"address2": "Unit 5", "phone": ""}, {"zip": "94105-1234", "pro_or_con": "Con"},
                   {"body": "Line one.\nLine two: \u00e9\u00e8 \u4e2d\u6587 \U0001F44D"}):
        document = etree.fromstring(cwc.build_xml(letter(campaign, **fields), pelosi, "A" * 32))
        assert SCHEMA.validate(document), SCHEMA.error_log


def test_cwc_is_off_unless_configured_and_takes_only_house_offices(app, campaign, geography):
    assert cwc.queue_letter(letter(campaign), db.session.get(Legislator, PELOSI)) is None
    app.config.update(CWC_API_URL="http://127.0.0.1:9/v2")
    senator = db.session.scalars(sa.select(Legislator).where(Legislator.chamber == "senate")).first()
    with pytest.raises(cwc.NotForCwc):
        cwc.queue_letter(letter(campaign), senator)
    with pytest.raises(cwc.NotForCwc):
        cwc.queue_letter(letter(campaign, address1="  "), db.session.get(Legislator, PELOSI))
    db.session.rollback()
