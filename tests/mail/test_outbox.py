"""Mail survives SMTP outages: it waits in the outbox and is retried with backoff."""
from datetime import timedelta

import sqlalchemy as sa

from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from advocacy.mail.service import backoff, send_due
from advocacy.signatures.models import ConfirmationDue
from tests.conftest import _free_port, sign_and_write_mail, sign_form, write_due_mail


def outbox():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage)))


def test_the_signature_is_stored_due_its_mail_and_the_worker_writes_then_sends_it(client, campaign, inbox):
    sign_form(client, campaign.slug)
    assert outbox() == []  # the request wrote no mail...
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConfirmationDue)) == 1  # ...but stored it due
    write_due_mail()
    [message] = outbox()
    assert message.status == "queued" and message.kind == "confirm_signature"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConfirmationDue)) == 0
    assert inbox.messages == []  # nothing sent until the worker's sending step


def test_smtp_outage_keeps_the_mail_and_retries_later(app, client, campaign, inbox):
    sign_and_write_mail(client, campaign.slug)
    real_port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = _free_port()  # nobody listens here
    assert send_due() == (0, 1)
    [message] = outbox()
    assert message.status == "queued" and message.attempts == 1
    assert "Error" in message.last_error
    assert message.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert send_due() == (0, 0)  # not due yet

    app.config["SMTP_PORT"] = real_port
    message.next_attempt_at = utcnow()
    db.session.commit()
    assert send_due() == (1, 0)
    assert outbox()[0].status == "sent"
    assert len(inbox.messages) == 1


def test_a_message_that_keeps_failing_is_given_up_after_max_attempts(app, client, campaign):
    sign_and_write_mail(client, campaign.slug)
    app.config["SMTP_PORT"] = _free_port()
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    for _ in range(2):
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        send_due()
    assert outbox()[0].status == "dead"


def test_a_claimed_message_is_invisible_to_other_workers_then_reappears(app, client, campaign):
    """A worker that crashed mid-send leaves the message to be retried once its lease ends."""
    from advocacy.mail.service import _claim_due

    sign_and_write_mail(client, campaign.slug)
    assert len(_claim_due(10)[0]) == 1
    assert _claim_due(10) == ([], set())
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert len(_claim_due(10)[0]) == 1


def test_backoff_grows_and_is_capped():
    assert timedelta(seconds=20) < backoff(1) < timedelta(seconds=40)
    assert backoff(3) > backoff(1)
    assert backoff(50) <= timedelta(hours=2, minutes=30)


def test_worker_once_drains_the_queue(app, client, campaign, inbox):
    sign_form(client, campaign.slug, email="a@example.org")
    sign_form(client, campaign.slug, email="b@example.org")
    result = app.test_cli_runner().invoke(args=["advocacy", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert {m["To"] for m in inbox.messages} == {"a@example.org", "b@example.org"}
    assert {m.status for m in outbox()} == {"sent"}


def test_without_smtp_mail_is_printed_to_the_console(app, client, campaign, capsys):
    app.config["SMTP_HOST"] = None
    sign_and_write_mail(client, campaign.slug, email="console@example.org")
    assert send_due() == (1, 0)
    printed = capsys.readouterr().out
    assert "mail to console@example.org" in printed
    assert "http://localhost/signatures/confirm/" in printed


def test_a_message_the_sender_has_in_hand_reads_sent_once_it_is_sent(app, client, campaign, inbox):
    """The sender marks mail sent with a Core UPDATE and keeps its batch loaded between commits; a
    caller holding one of those messages must still read the status the database has."""
    sign_and_write_mail(client, campaign.slug)
    [message] = outbox()
    assert send_due() == (1, 0)
    assert message.status == "sent" and message.attempts == 1 and message.sent_at is not None
