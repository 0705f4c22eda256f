"""Issue #14: every message carries Message-ID and Date; update mails carry List-Unsubscribe (https
one-click and mailto) and List-Unsubscribe-Post (RFC 8058), and the one-click POST unsubscribes
without a page, without a CSRF token, whoever posts it, as often as it is posted."""
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from advocacy.signatures.models import Signature
from tests.conftest import deliver_mail, post_button, sign_form
from tests.mail.conftest import BOUNCE_DOMAIN
from tests.updates.test_updates import post_update, run_the_worker

ONE_CLICK_URL = re.compile(r"<(https://petitions\.example\.org(/updates/unsubscribe/[\w-]+\?lang=en))>")


@pytest.fixture(autouse=True)
def https_site(app):
    app.config["PUBLIC_BASE_URL"] = "https://petitions.example.org"


def test_every_message_has_a_message_id_on_our_domain_and_a_date(app, client, campaign, relay):
    app.config["MAIL_FROM"] = "Working Parents <hello@petitions.example.org>"
    sign_form(client, campaign.slug, email="maria@example.net")
    sign_form(client, campaign.slug, email="ana@example.net")
    deliver_mail()
    messages = [r.message for r in relay.received]
    ids = [m["Message-ID"] for m in messages]
    assert all(re.fullmatch(r"<outbox-[0-9]+\.[0-9a-f]{16}@petitions\.example\.org>", i) for i in ids), ids
    assert len(set(ids)) == 2
    for message in messages:
        sent = parsedate_to_datetime(message["Date"])
        assert abs(datetime.now(UTC) - sent) < timedelta(minutes=1)
        assert message["List-Unsubscribe"] is None  # a mail about one's own signature: no list


def test_message_id_domain_can_be_set(app, client, campaign, relay):
    app.config["MAIL_DOMAIN"] = "mail.example.org"
    sign_form(client, campaign.slug)
    deliver_mail()
    assert relay.received[0].message["Message-ID"].endswith("@mail.example.org>")


def keen_signer_gets_an_update(client, campaign, relay) -> tuple[str, str]:
    """(one-click URL, its path) from the update mail's List-Unsubscribe header."""
    sign_form(client, campaign.slug, email="keen@example.net", keep_updated=True)
    deliver_mail()
    confirm = re.search(r"https://petitions\.example\.org(/signatures/confirm/[\w-]+)",
                        relay.received[-1].message.get_body(("plain",)).get_content())[1]
    post_button(client, confirm)
    assert post_update(client, campaign.slug).status_code == 302
    run_the_worker(client.application)
    update = relay.received[-1].message
    assert update["Subject"] == "We delivered 1,000 signatures"
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = ONE_CLICK_URL.search(update["List-Unsubscribe"])
    assert match, update["List-Unsubscribe"]
    assert match[1] in update.get_body(("plain",)).get_content()  # the same link as in the body
    return update["List-Unsubscribe"], match[2]


def keep_updated() -> bool:
    db.session.expire_all()
    return db.session.scalars(sa.select(Signature.keep_updated)).one()


def test_update_mail_carries_https_one_click_and_mailto_unsubscribe(app, organiser_client, campaign, relay,
                                                                   bounce_server):
    header, _path = keen_signer_gets_an_update(organiser_client, campaign, relay)
    assert re.fullmatch(
        rf"<https://petitions\.example\.org/updates/unsubscribe/[\w-]+\?lang=en>, "
        rf"<mailto:unsubscribe\+[0-9]+-[0-9a-f]{{16}}@{re.escape(BOUNCE_DOMAIN)}\?subject=unsubscribe>", header)


def test_the_one_click_post_unsubscribes_without_a_page_or_csrf_token_and_is_idempotent(
        app, organiser_client, campaign, relay, make_user):
    header, path = keen_signer_gets_an_update(organiser_client, campaign, relay)
    assert "mailto:" not in header  # no inbound mail set up: https only
    provider = app.test_client()  # no cookies, no CSRF token, posting from the provider's servers
    for _ in range(2):
        response = provider.post(path, data={"List-Unsubscribe": "One-Click"},
                                  headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://mail.example.com"})
        assert response.status_code == 200
        assert response.mimetype == "text/plain" and "<html" not in response.get_data(as_text=True)
        assert keep_updated() is False
    # The next update is not mailed to them.
    relay.received.clear()
    assert post_update(organiser_client, campaign.slug, title="Second update").status_code == 302
    run_the_worker(app)
    assert relay.received == []


def test_opening_the_link_shows_a_button_and_only_pressing_it_unsubscribes(app, organiser_client, campaign,
                                                                          relay):
    _header, path = keen_signer_gets_an_update(organiser_client, campaign, relay)
    page = organiser_client.get(path)
    assert page.status_code == 200 and "Stop the emails" in page.get_data(as_text=True)
    assert keep_updated() is True  # a mail scanner opening links unsubscribes nobody
    done = post_button(organiser_client, path)
    assert done.status_code == 200 and "no more updates" in done.get_data(as_text=True)
    assert keep_updated() is False


def test_a_one_click_post_with_a_wrong_token_is_404_and_changes_nothing(app, organiser_client, campaign, relay):
    keen_signer_gets_an_update(organiser_client, campaign, relay)
    response = app.test_client().post("/updates/unsubscribe/not-a-real-token",
                                      data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert keep_updated() is True


def test_outbox_stores_the_headers_of_update_mail_only(organiser_client, campaign, relay):
    keen_signer_gets_an_update(organiser_client, campaign, relay)
    db.session.expire_all()
    headers = {m.kind: m.headers for m in db.session.scalars(sa.select(OutboxMessage))}
    assert headers["confirm_signature"] is None
    assert headers["campaign_update"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
