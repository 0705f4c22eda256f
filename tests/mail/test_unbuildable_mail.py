"""Issue #9: one message that cannot be built must not stop the mail queue.

A mail header cannot hold a line break; Python's email package refuses a subject with CR, LF,
U+2028, U+0085 and the like. Such a message fails alone (dead, with the reason) and the rest of
its batch is still sent in the same pass; titles are refused where they are entered, and
queue_mail flattens any subject to one line as a last defence.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from advocacy.accounts.models import User
from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from advocacy.mail.service import send_due
from advocacy.updates.models import CampaignUpdate
from advocacy.updates.service import fan_out_due
from tests.conftest import csrf_token, deliver_mail, post_button

BREAKS = {"cr": "\r", "lf": "\n", "crlf": "\r\n", "line-separator": "\u2028", "nel": "\x85",
          "paragraph-separator": "\u2029", "vertical-tab": "\x0b", "file-separator": "\x1c"}


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def queue_directly(to: str, subject: str, age_seconds: int) -> None:
    """An outbox row written without queue_mail (as older code, or another writer, could)."""
    db.session.add(OutboxMessage(
        to_address=to, subject=subject, body_text=f"Hello {to}", body_html=None, kind="test",
        next_attempt_at=utcnow() - timedelta(seconds=age_seconds)))
    db.session.commit()


def queue_bad_between_good(bad_subject: str) -> None:
    # Claimed oldest first: good, bad, good, all in one batch.
    queue_directly("first@example.org", "First", 30)
    queue_directly("bad@example.org", bad_subject, 20)
    queue_directly("last@example.org", "Last", 10)


def assert_bad_is_dead_and_the_others_sent(inbox):
    assert sorted(m["To"] for m in inbox.messages) == ["first@example.org", "last@example.org"]
    by_address = {m.to_address: m for m in outbox()}
    bad = by_address.pop("bad@example.org")
    assert bad.status == "dead" and bad.attempts == 1
    assert "cannot be built" in bad.last_error and "linefeed" in bad.last_error
    assert {m.status for m in by_address.values()} == {"sent"}


@pytest.mark.parametrize("brk", BREAKS.values(), ids=BREAKS.keys())
def test_a_message_that_cannot_be_built_fails_alone_and_the_rest_of_its_batch_is_sent(app, inbox, brk):
    queue_bad_between_good(f"Big{brk}news")
    assert send_due() == (2, 1)  # one pass: nothing waits for a lease to run out
    assert_bad_is_dead_and_the_others_sent(inbox)
    assert send_due() == (0, 0)  # the dead message is not claimed again


def test_the_worker_sends_around_an_unbuildable_message(app, inbox):
    queue_bad_between_good("Injected\r\nBcc: everyone@example.org")
    result = app.test_cli_runner().invoke(args=["advocacy", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert_bad_is_dead_and_the_others_sent(inbox)
    assert all(m["Bcc"] is None for m in inbox.messages)


# --- where titles are entered ---------------------------------------------------------------

def post_update_form(client, slug, title, body="Thank you all."):
    url = f"/organise/campaigns/{slug}/updates"
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), "title": title,
                                  "body": body})


@pytest.fixture
def keen_signer(organiser_client, campaign, signer, inbox):
    post_button(organiser_client, signer(campaign.slug, email="keen@example.org", keep_updated=True)["confirm"])
    inbox.clear()


@pytest.mark.parametrize("brk", [*BREAKS.values(), "\t", "\x00"], ids=[*BREAKS.keys(), "tab", "nul"])
def test_update_title_with_a_line_break_or_control_character_is_refused(
        organiser_client, campaign, keen_signer, inbox, brk):
    response = post_update_form(organiser_client, campaign.slug, f"We won{brk}Bcc: x@example.org")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("Write the title on one line, without line breaks or control characters" in html
            or "Remove the control characters from this field" in html)
    assert 'name="title"' in html and 'name="body"' in html  # the form again, to correct
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignUpdate)) == 0
    assert [m for m in outbox() if m.kind == "campaign_update"] == []
    deliver_mail()
    assert inbox.messages == []


def test_update_body_with_a_nul_character_is_refused(organiser_client, campaign, keen_signer):
    response = post_update_form(organiser_client, campaign.slug, "We won", body="Thank\x00you")
    assert response.status_code == 422
    assert "Remove the control characters from this field" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignUpdate)) == 0


def test_update_body_keeps_its_line_breaks(organiser_client, campaign, keen_signer, inbox):
    response = post_update_form(organiser_client, campaign.slug, "We won", body="Line one\r\n\r\n\tLine two")
    assert response.status_code == 302
    assert fan_out_due() is True
    deliver_mail()
    [mail] = inbox.messages
    assert mail["Subject"] == "We won"
    assert "Line two" in mail.get_body(("plain",)).get_content()


def test_queue_mail_flattens_a_subject_to_one_line(app, campaign, keen_signer, inbox):
    """A caller that skips the form (here the service itself) still produces a sendable mail."""
    from advocacy.updates.service import post_update

    owner = db.session.scalars(sa.select(User).where(User.email == "owner@example.org")).one()
    post_update(campaign, "  Big\r\n\u2028news\x85\x1ftoday \t ", "Thank you all.", owner)
    assert fan_out_due() is True  # the worker's fan-out queues the mail
    [message] = [m for m in outbox() if m.kind == "campaign_update"]
    assert message.subject == "Big news today"
    deliver_mail()
    [mail] = inbox.messages
    assert mail["Subject"] == "Big news today"
    db.session.refresh(message)
    assert message.status == "sent"
