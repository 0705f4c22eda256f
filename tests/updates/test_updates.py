"""Organisers post updates: shown on the campaign page, mailed to confirmed signers who opted in,
each mail with an unsubscribe link that works."""
import re

import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, post_button

UNSUBSCRIBE = re.compile(r"http://localhost(/updates/unsubscribe/[A-Za-z0-9_\-]+)")


def post_update(client, slug, title="We delivered 1,000 signatures", body="Thank you **all**."):
    url = f"/organise/campaigns/{slug}/updates"
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), "title": title,
                                  "body": body})


def run_the_worker(app):
    """`flask advocacy worker --once` in its own app context (its own session), as its own process."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["advocacy", "worker", "--once"])
    assert result.exit_code == 0, result.output


def test_update_is_shown_and_mailed_only_to_confirmed_signers_who_asked(
        app, organiser_client, campaign, signer, inbox):
    post_button(organiser_client, signer(campaign.slug, email="keen@example.org", keep_updated=True)["confirm"])
    post_button(organiser_client, signer(campaign.slug, email="quiet@example.org")["confirm"])
    signer(campaign.slug, email="pending@example.org", keep_updated=True)
    inbox.clear()
    response = post_update(organiser_client, campaign.slug)
    assert response.status_code == 302
    run_the_worker(app)
    assert [m["To"] for m in inbox.messages] == ["keen@example.org"]
    mail = inbox.messages[0]
    assert mail["Subject"] == "We delivered 1,000 signatures"
    assert "Thank you **all**." in mail.get_body(("plain",)).get_content()
    assert "<strong>all</strong>" in mail.get_body(("html",)).get_content()
    page = organiser_client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "We delivered 1,000 signatures" in page and "Thank you <strong>all</strong>." in page
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "update_post")).one()
    assert event.details["recipients"] == 1


def test_unsubscribe_link_from_the_mail_stops_further_updates(app, organiser_client, campaign, signer, inbox):
    post_button(organiser_client, signer(campaign.slug, email="keen@example.org", keep_updated=True)["confirm"])
    inbox.clear()
    post_update(organiser_client, campaign.slug)
    run_the_worker(app)
    path = UNSUBSCRIBE.search(inbox.messages[0].get_body(("plain",)).get_content()).group(1)
    assert UNSUBSCRIBE.search(inbox.messages[0].get_body(("html",)).get_content())
    # Opening the link (as a mail scanner would) changes nothing; pressing the button does.
    assert organiser_client.get(path).status_code == 200
    assert db.session.scalars(sa.select(Signature.keep_updated)).one() is True
    done = post_button(organiser_client, path)
    assert done.status_code == 200 and "no more updates" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(sa.select(Signature.keep_updated)).one() is False
    inbox.clear()
    post_update(organiser_client, campaign.slug, title="Second update")
    run_the_worker(app)
    assert inbox.messages == []


def test_unknown_unsubscribe_link_is_refused(client):
    assert client.get("/updates/unsubscribe/not-a-real-token").status_code == 404


def test_update_form_shows_errors(organiser_client, campaign):
    response = post_update(organiser_client, campaign.slug, title="", body="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter a title" in html and "Write the update" in html


