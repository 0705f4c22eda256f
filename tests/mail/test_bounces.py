"""Issue #14, bounces and complaints: each message has its own return path (VERP); real reports from
common servers, delivered over SMTP to the bounce server, put the address on the suppression list;
later mail to it is not sent; the organiser sees the confirmation mail that did not arrive."""
import re
import smtplib

import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage, SuppressedAddress
from advocacy.signatures.models import Signature
from tests.conftest import deliver_mail, post_button, sign_form, write_due_mail
from tests.mail.conftest import BOUNCE_DOMAIN, report_fixture, send_report
from tests.updates.test_updates import post_update, run_the_worker

VERP = re.compile(rf"bounces\+([0-9]+)-[0-9a-f]{{16}}@{re.escape(BOUNCE_DOMAIN)}")
DIAGNOSTICS = {
    "postfix_dsn.eml": "User unknown in virtual mailbox table",
    "exim_bounce.eml": "permanent failure",  # no DSN: flufl.bounce's Exim detector reads X-Failed-Recipients
    "gmail_dsn.eml": "The email account that you tried to reach does not exist",
    "outlook_ndr.eml": "RESOLVER.ADR.RecipientNotFound",
}


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def suppressed() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(SuppressedAddress.email_canonical, SuppressedAddress.reason)).all())


def sign_and_receive(client, slug, relay, email):
    """Sign through the form, let the worker send, and return what reached the relay for `email`."""
    assert sign_form(client, slug, email=email).status_code == 303
    deliver_mail()
    [received] = relay.to(email)
    return received


def test_each_message_has_its_own_return_path_as_the_envelope_sender(client, campaign, relay, bounce_server):
    first = sign_and_receive(client, campaign.slug, relay, "one@example.net")
    second = sign_and_receive(client, campaign.slug, relay, "two@example.net")
    ids = [int(VERP.fullmatch(r.mail_from)[1]) for r in (first, second)]
    assert ids == [m.id for m in outbox()]
    assert first.message["From"] == "Advocacy <no-reply@localhost>"  # the visible sender is unchanged


@pytest.mark.parametrize("fixture", DIAGNOSTICS)
def test_a_hard_bounce_from_a_common_server_suppresses_the_address_and_shows_the_organiser(
        organiser_client, campaign, make_campaign, relay, bounce_server, fixture):
    received = sign_and_receive(organiser_client, campaign.slug, relay, "gone@example.net")
    send_report(bounce_server, received.mail_from, report_fixture(
        fixture, VERP=received.mail_from, RCPT="gone@example.net", MESSAGE_ID=received.message["Message-ID"]))

    [message] = outbox()
    assert message.feedback == "bounced" and DIAGNOSTICS[fixture] in message.feedback_detail
    assert suppressed() == {"gone@example.net": "bounce"}
    dashboard = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Confirmation emails that did not arrive" in dashboard
    assert "gone@example.net" in dashboard and DIAGNOSTICS[fixture] in dashboard

    # Signing another campaign with that address: stored, but no mail goes out to it.
    other = make_campaign()
    relay.received.clear()
    assert sign_form(organiser_client, other.slug, email="Gone@Example.net").status_code == 303
    deliver_mail()
    assert relay.received == []
    assert [m.status for m in outbox()] == ["sent", "suppressed"]


def test_a_bounce_quoting_our_message_id_counts_without_the_verp_address(client, campaign, relay, bounce_server):
    """A server that sends the report to the plain return path still quotes the original's headers."""
    received = sign_and_receive(client, campaign.slug, relay, "gone@example.net")
    plain = f"bounces@{BOUNCE_DOMAIN}"
    send_report(bounce_server, plain, report_fixture(
        "postfix_dsn.eml", VERP=plain, RCPT="gone@example.net", MESSAGE_ID=received.message["Message-ID"]))
    assert suppressed() == {"gone@example.net": "bounce"}


def test_a_delay_warning_suppresses_nothing(client, campaign, relay, bounce_server):
    received = sign_and_receive(client, campaign.slug, relay, "slow@example.net")
    send_report(bounce_server, received.mail_from, report_fixture(
        "postfix_delayed.eml", VERP=received.mail_from, RCPT="slow@example.net",
        MESSAGE_ID=received.message["Message-ID"]))
    assert suppressed() == {}
    assert outbox()[0].feedback is None


def test_a_gmail_bounce_suppresses_every_spelling_of_that_mailbox(client, campaign, make_campaign, relay,
                                                                 bounce_server):
    received = sign_and_receive(client, campaign.slug, relay, "jane.doe@gmail.com")
    send_report(bounce_server, received.mail_from, report_fixture(
        "gmail_dsn.eml", VERP=received.mail_from, RCPT="jane.doe@gmail.com",
        MESSAGE_ID=received.message["Message-ID"]))
    assert suppressed() == {"janedoe@gmail.com": "bounce"}
    relay.received.clear()
    sign_form(client, make_campaign().slug, email="JaneDoe+petitions@googlemail.com")
    deliver_mail()
    assert relay.received == []


def test_reports_that_name_none_of_our_messages_change_nothing(client, campaign, relay, bounce_server):
    received = sign_and_receive(client, campaign.slug, relay, "target@example.net")
    message_id = received.message["Message-ID"]
    forged_id = re.sub(r"\.[0-9a-f]{16}@", ".0000000000000000@", message_id)
    forged_verp = re.sub(r"-[0-9a-f]{16}@", "-0000000000000000@", received.mail_from)
    plain = f"bounces@{BOUNCE_DOMAIN}"
    # A forged VERP address is refused at RCPT, as is any other mailbox.
    for recipient in (forged_verp, f"postmaster@{BOUNCE_DOMAIN}"):
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send_report(bounce_server, recipient, report_fixture(
                "postfix_dsn.eml", VERP=recipient, RCPT="target@example.net", MESSAGE_ID=message_id))
    # At the plain address, a report quoting a forged Message-ID is taken and ignored.
    send_report(bounce_server, plain, report_fixture(
        "postfix_dsn.eml", VERP=plain, RCPT="target@example.net", MESSAGE_ID=forged_id))
    send_report(bounce_server, plain, report_fixture(
        "arf_complaint.eml", TO=plain, VERP=plain, RCPT="target@example.net", MESSAGE_ID=forged_id))
    assert suppressed() == {}
    assert outbox()[0].feedback is None


@pytest.fixture
def update_mail(organiser_client, campaign, relay, bounce_server):
    """A confirmed signer who asked for updates, and the update mail that reached them."""
    sign_and_receive(organiser_client, campaign.slug, relay, "keen@example.net")
    confirm = re.search(r"http://localhost(/signatures/confirm/[\w-]+)", relay.received[-1].message.get_body(
        ("plain",)).get_content())[1]
    post_button(organiser_client, confirm)
    db.session.execute(sa.update(Signature).values(keep_updated=True))
    db.session.commit()
    assert post_update(organiser_client, campaign.slug).status_code == 302
    run_the_worker(organiser_client.application)
    [received] = [r for r in relay.to("keen@example.net") if "signatures" in str(r.message["Subject"])]
    return received


def test_a_complaint_suppresses_the_address_and_is_counted(organiser_client, campaign, update_mail,
                                                          bounce_server):
    plain = f"bounces@{BOUNCE_DOMAIN}"  # feedback loops send to the address registered with them
    send_report(bounce_server, plain, report_fixture(
        "arf_complaint.eml", TO=plain, VERP=update_mail.mail_from, RCPT="keen@example.net",
        MESSAGE_ID=update_mail.message["Message-ID"]))
    assert suppressed() == {"keen@example.net": "complaint"}
    update = [m for m in outbox() if m.kind == "campaign_update"][0]
    assert update.feedback == "complained"
    dashboard = organiser_client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    assert re.search(r"<strong>1</strong> marked as spam", dashboard)


def test_mail_to_the_list_unsubscribe_mailto_address_stops_updates(campaign, update_mail, bounce_server):
    mailto = re.search(r"<mailto:([^?>]+)", update_mail.message["List-Unsubscribe"])[1]
    assert mailto.startswith("unsubscribe+") and mailto.endswith("@" + BOUNCE_DOMAIN)
    send_report(bounce_server, mailto, b"From: keen@example.net\r\nTo: " + mailto.encode()
                + b"\r\nSubject: unsubscribe\r\n\r\n")
    db.session.expire_all()
    assert db.session.scalars(sa.select(Signature.keep_updated)).one() is False
    assert suppressed() == {}  # they still get mail about their own signature


def test_a_recipient_the_relay_refuses_for_good_is_dead_at_once_and_suppressed(client, campaign, relay):
    relay.refuse.add("nobody@example.net")
    assert sign_form(client, campaign.slug, email="nobody@example.net").status_code == 303
    assert sign_form(client, campaign.slug, email="somebody@example.net").status_code == 303
    deliver_mail()
    by_address = {m.to_address: m for m in outbox()}
    refused = by_address["nobody@example.net"]
    assert refused.status == "dead" and refused.attempts == 1 and "550" in refused.last_error
    assert refused.feedback == "bounced"
    assert by_address["somebody@example.net"].status == "sent"  # the connection carried on
    assert suppressed() == {"nobody@example.net": "bounce"}


def test_read_report_reads_a_report_from_standard_input(app, client, campaign, relay, bounce_server):
    received = sign_and_receive(client, campaign.slug, relay, "gone@example.net")
    raw = report_fixture("outlook_ndr.eml", VERP=received.mail_from, RCPT="gone@example.net",
                         MESSAGE_ID=received.message["Message-ID"])
    result = app.test_cli_runner().invoke(args=["advocacy", "read-report", "--recipient", received.mail_from],
                                          input=raw)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("bounced")
    assert suppressed() == {"gone@example.net": "bounce"}


def test_the_sender_skips_an_address_suppressed_after_its_mail_was_queued(client, campaign, relay):
    assert sign_form(client, campaign.slug, email="late@example.net").status_code == 303
    write_due_mail()
    assert outbox()[0].status == "queued"
    db.session.add(SuppressedAddress(email_canonical="late@example.net", reason="complaint"))
    db.session.commit()
    deliver_mail()
    assert relay.received == []
    [message] = outbox()
    assert message.status == "suppressed" and "suppression list" in message.last_error


def test_a_relay_refusing_for_its_own_reasons_suppresses_nobody_and_retries(client, campaign, relay):
    """550 5.7.1 "relaying denied" is the relay's setup, not a bad mailbox: a misconfigured relay
    must not put every signer on the suppression list."""
    relay.refuse.add("policy@example.net")
    relay.refuse_reply = "550 5.7.1 <policy@example.net>: Relay access denied"
    assert sign_form(client, campaign.slug, email="policy@example.net").status_code == 303
    deliver_mail()
    [message] = outbox()
    assert message.status == "queued" and message.attempts == 1 and "5.7.1" in message.last_error
    assert message.feedback is None and suppressed() == {}


def test_the_bounce_server_command_takes_reports_until_stopped(app, client, campaign, relay, migrated, tmp_path):
    """`flask advocacy bounce-server` as its own process, as deployed, on the same database."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.conftest import _free_port

    app.config["BOUNCE_DOMAIN"] = BOUNCE_DOMAIN
    received = sign_and_receive(client, campaign.slug, relay, "gone@example.net")
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SMTP_HOST", "FLASK_DEBUG")}
    env.update(DATABASE_URL=migrated, SECRET_KEY=app.config["SECRET_KEY"], ADVOCACY_ENV="development",
               BOUNCE_DOMAIN=BOUNCE_DOMAIN)
    log = (tmp_path / "bounce-server.log").open("wb")
    process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "advocacy",
                                "bounce-server", "--port", str(port)], cwd=root, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, (
                    tmp_path / "bounce-server.log").read_text()
                time.sleep(0.2)
        server = type("Server", (), {"hostname": "127.0.0.1", "port": port})
        send_report(server, received.mail_from, report_fixture(
            "postfix_dsn.eml", VERP=received.mail_from, RCPT="gone@example.net",
            MESSAGE_ID=received.message["Message-ID"]))
        assert suppressed() == {"gone@example.net": "bounce"}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        log.close()


def test_mail_suppressed_while_the_worker_sends_its_batch_is_not_sent(app, client, campaign, make_campaign, relay,
                                                                       monkeypatch):
    """A complaint the bounce server records while the worker is part-way through a batch stops that
    batch's later mail to the address: each message is read again before it is sent."""
    import threading

    from advocacy.mail import service as mail_service
    from advocacy.mail.suppression import record_feedback

    earlier = make_campaign(slug="earlier-campaign")
    sign_and_receive(client, earlier.slug, relay, "second@example.net")
    [complained_of] = [m.id for m in outbox() if m.to_address == "second@example.net"]
    for email in ("first@example.net", "second@example.net"):
        assert sign_form(client, campaign.slug, email=email).status_code == 303
    real_transport_for = mail_service.transport_for

    def transport_for(config):
        transport = real_transport_for(config)
        send = transport.send

        def send_and_meanwhile_a_complaint(email, data, sender, utf8):
            send(email, data, sender, utf8)
            if email["To"] == "first@example.net":  # the bounce server, in its own process and session
                def report():
                    with app.app_context():
                        record_feedback(complained_of, "complained", None)
                reporter = threading.Thread(target=report)
                reporter.start()
                reporter.join()

        transport.send = send_and_meanwhile_a_complaint
        return transport

    monkeypatch.setattr(mail_service, "transport_for", transport_for)
    relay.received.clear()
    deliver_mail()
    assert [r.message["To"] for r in relay.received] == ["first@example.net"]
    assert {m.to_address: m.status for m in outbox() if m.campaign_id == campaign.id} == {
        "first@example.net": "sent", "second@example.net": "suppressed"}
