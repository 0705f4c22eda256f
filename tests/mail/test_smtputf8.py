"""Issue #14, internationalised addresses: sent with SMTPUTF8 when the relay offers it; when it does
not, the signer is told on the sign form (422, the form again), and a message already queued is
given up at once with the reason instead of being retried for hours."""
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from advocacy.mail.service import send_due
from advocacy.signatures.models import Signature
from tests.conftest import deliver_mail, sign_form, write_due_mail

CHINESE = "用户@例子.广告"
REFUSAL = "our mail server does not support letters other than A to Z before the @"


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage)))


def test_an_internationalised_address_is_sent_with_smtputf8_when_the_relay_offers_it(client, campaign,
                                                                                   utf8_relay):
    assert sign_form(client, campaign.slug, email=CHINESE).status_code == 303
    deliver_mail()
    [received] = utf8_relay.received
    assert received.rcpt_tos == [CHINESE]
    assert "SMTPUTF8" in received.mail_options
    assert received.message["To"] == CHINESE
    assert "confirm" in received.message.get_body(("plain",)).get_content()
    assert [m.status for m in outbox()] == ["sent"]


def test_the_sign_form_refuses_an_address_the_relay_cannot_carry_and_keeps_what_was_typed(client, campaign,
                                                                                        relay):
    response = sign_form(client, campaign.slug, email=CHINESE, full_name="Li Wei", postal_code="60614")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert REFUSAL in html
    assert 'value="Li Wei"' in html and CHINESE in html  # the form again, filled in
    assert 'class="error-summary"' in html and 'href="#email"' in html  # the summary links the field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0
    assert outbox() == []


def test_a_non_ascii_domain_alone_needs_no_smtputf8(client, campaign, relay):
    """maria@bücher.example is sent as maria@xn--bcher-kva.example, which every relay takes."""
    assert sign_form(client, campaign.slug, email="maria@bücher.example").status_code == 303
    deliver_mail()
    [received] = relay.received
    assert received.rcpt_tos == ["maria@xn--bcher-kva.example"]
    assert "SMTPUTF8" not in received.mail_options


def test_a_queued_message_the_relay_cannot_carry_is_dead_at_once_with_the_reason(app, client, campaign, relay):
    app.config["SMTP_UTF8"] = "on"  # configured wrongly: the relay does not offer it
    assert sign_form(client, campaign.slug, email=CHINESE).status_code == 303
    assert sign_form(client, campaign.slug, email="ascii@example.net").status_code == 303
    write_due_mail()
    assert send_due() == (1, 1)
    by_address = {m.to_address: m for m in outbox()}
    dead = by_address[CHINESE]
    assert dead.status == "dead" and dead.attempts == 1
    assert "does not offer SMTPUTF8" in dead.last_error
    assert by_address["ascii@example.net"].status == "sent"
    assert send_due() == (0, 0)  # never retried


def test_smtp_utf8_off_refuses_without_asking_the_relay(app, client, campaign, utf8_relay):
    app.config["SMTP_UTF8"] = "off"
    response = sign_form(client, campaign.slug, email=CHINESE)
    assert response.status_code == 422 and REFUSAL in response.get_data(as_text=True)
