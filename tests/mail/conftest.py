"""Mail fixtures: a relay (aiosmtpd) that records envelopes, with or without SMTPUTF8, and the real
bounce server (`InboundHandler`) that reports are sent to over SMTP."""
import smtplib
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from advocacy.mail.feedback import InboundHandler
from advocacy.updates.service import unsubscribe_signature
from tests.conftest import _free_port

FIXTURES = Path(__file__).parent / "fixtures"
BOUNCE_DOMAIN = "bounce.example.org"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    mail_options: list[str]

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class RecordingRelay:
    """Takes every mail, except for addresses in `refuse` (550 5.1.1 at RCPT, as a relay that checks
    mailboxes does, or `refuse_reply`)."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    refuse_reply: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse_reply or f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                          list(envelope.mail_options)))
        return "250 OK"

    def to(self, address) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def _start_relay(app, utf8: bool):
    relay = RecordingRelay()
    controller = Controller(relay, hostname="127.0.0.1", port=_free_port(), enable_SMTPUTF8=utf8)
    controller.start()
    app.config.update(SMTP_HOST=controller.hostname, SMTP_PORT=controller.port)
    return controller, relay


@pytest.fixture
def relay(app):
    """A relay without SMTPUTF8 (aiosmtpd's default), as the app's SMTP server."""
    controller, relay = _start_relay(app, utf8=False)
    yield relay
    controller.stop()


@pytest.fixture
def utf8_relay(app):
    controller, relay = _start_relay(app, utf8=True)
    yield relay
    controller.stop()


@pytest.fixture
def bounce_server(app):
    """Return paths under BOUNCE_DOMAIN, and `flask advocacy bounce-server`'s handler listening."""
    app.config["BOUNCE_DOMAIN"] = BOUNCE_DOMAIN
    controller = Controller(InboundHandler(app, on_unsubscribe=unsubscribe_signature), hostname="127.0.0.1",
                            port=_free_port(), enable_SMTPUTF8=True)
    controller.start()
    yield controller
    controller.stop()


def send_report(server, recipient: str, raw: bytes) -> None:
    """Deliver a report to the bounce server as a remote MTA would: null sender (RFC 3464)."""
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as smtp:
        smtp.sendmail("<>", [recipient], raw)


def report_fixture(name: str, **values) -> bytes:
    """A fixture file with {{PLACEHOLDERS}} filled: VERP, RCPT (the failed address), MESSAGE_ID."""
    text = (FIXTURES / name).read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    assert "{{" not in text, text
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
