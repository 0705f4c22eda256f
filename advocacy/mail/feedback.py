"""Reports that come back about sent mail: bounces (RFC 3464 DSNs and the older formats of common
servers, read by flufl.bounce), complaints (ARF feedback reports, RFC 5965) and unsubscribe mails
sent to a List-Unsubscribe mailto: address.

A report acts on a message only when it names one of ours beyond doubt: sent to its VERP return
path (bounces+<id>-<hmac>@...) or quoting its Message-ID (<outbox-<id>.<hmac>@...). Anybody can send
us mail; nobody can put a stranger's address on the suppression list this way.

`InboundHandler` is the aiosmtpd handler of `flask advocacy bounce-server`; `handle_report` does
the work for one received mail, from any source."""
import asyncio
import email
import logging
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

from flask import current_app
from flufl.bounce import all_failures

from .addresses import parse_verp
from .models import OutboxMessage
from .service import outbox_id_from_message_id, return_path_base
from .suppression import record_feedback

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    action: str  # "bounced", "complained", "unsubscribed", "ignored"
    outbox_id: int | None = None
    detail: str | None = None


def _parts(message: Message):
    yield from message.walk()


def _quoted_outbox_id(message: Message) -> int | None:
    """The outbox id in a Message-ID quoted anywhere in the report (the returned original message or
    its headers: message/rfc822, text/rfc822-headers)."""
    for part in _parts(message):
        for value in part.get_all("Message-ID", []) + part.get_all("References", []):
            if found := outbox_id_from_message_id(str(value)):
                return found
        if part.get_content_type() == "text/rfc822-headers":
            payload = part.get_payload(decode=True) or b""
            headers = email.message_from_bytes(payload)
            if found := outbox_id_from_message_id(str(headers.get("Message-ID", ""))):
                return found
    return None


def _verp(recipients: list[str]) -> tuple[str, int] | None:
    secret = current_app.config["SECRET_KEY"]
    for recipient in recipients:
        if found := parse_verp(recipient, secret):
            return found
    return None


def _is_feedback_report(message: Message) -> bool:
    return (message.get_content_type() == "multipart/report"
            and (message.get_param("report-type") or "").lower() == "feedback-report")


def _feedback_fields(message: Message) -> Message | None:
    for part in _parts(message):
        if part.get_content_type() == "message/feedback-report":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:  # parsed as a header block
                return payload[0]
            if isinstance(payload, str):
                return email.message_from_string(payload)
    return None


def _diagnostic(message: Message) -> str | None:
    """The first failed recipient's status and the remote server's words, for the organiser."""
    for part in _parts(message):
        if part.get_content_type() != "message/delivery-status" or not part.is_multipart():
            continue
        for block in part.get_payload():
            if str(block.get("Action", "")).lower().startswith("fail"):
                status = str(block.get("Status", "")).strip()
                code = " ".join(str(block.get("Diagnostic-Code", "")).split())
                return " ".join(filter(None, (status, code))) or None
    return None


def handle_report(raw: bytes, recipients: list[str],
                  on_unsubscribe: Callable[[int], object] | None = None) -> Outcome:
    """Act on one received mail: a hard bounce or a complaint suppresses the address of the message
    it names; a mail to an unsubscribe+... address calls `on_unsubscribe(signature_id)`."""
    message = email.message_from_bytes(raw)
    verp = _verp(recipients)
    if verp and verp[0] == "unsubscribe":
        return _unsubscribe(verp[1], on_unsubscribe)
    outbox_id = verp[1] if verp else _quoted_outbox_id(message)
    if _is_feedback_report(message):
        fields = _feedback_fields(message)
        kind = str(fields.get("Feedback-Type", "abuse")).strip().lower() if fields is not None else "abuse"
        if outbox_id is None:
            return Outcome("ignored", None, "a complaint that names none of our messages")
        if kind not in ("abuse", "fraud", "virus", "other"):  # e.g. "not-spam", "auth-failure"
            return Outcome("ignored", outbox_id, f"feedback type {kind}")
        record_feedback(outbox_id, "complained", f"complaint ({kind})")
        return Outcome("complained", outbox_id, kind)
    _temporary, permanent = all_failures(message)
    if not permanent:
        return Outcome("ignored", outbox_id, "no permanent failure in the report")
    if outbox_id is None:
        return Outcome("ignored", None, "a bounce that names none of our messages")
    detail = _diagnostic(message) or "permanent failure: " + ", ".join(sorted(a.decode() for a in permanent))
    if record_feedback(outbox_id, "bounced", detail) is None:
        return Outcome("ignored", outbox_id, "no such message")
    return Outcome("bounced", outbox_id, detail)


def _unsubscribe(outbox_id: int, on_unsubscribe) -> Outcome:
    from ..extensions import db

    message = db.session.get(OutboxMessage, outbox_id)
    if message is None or message.signature_id is None or on_unsubscribe is None:
        return Outcome("ignored", outbox_id, "nothing to unsubscribe from")
    on_unsubscribe(message.signature_id)
    return Outcome("unsubscribed", outbox_id)


def accepts_recipient(address: str) -> bool:
    """Mail the receiver takes: our VERP addresses, and the plain return path (for feedback loops
    and servers that drop the VERP part). Everything else is refused at RCPT."""
    base = return_path_base()
    if base and address.lower() == base.lower():
        return True
    return _verp([address]) is not None


class InboundHandler:
    """aiosmtpd handler: takes reports for our return paths, acts on each in an app context."""

    def __init__(self, app, on_unsubscribe: Callable[[int], object] | None = None):
        self.app = app
        self.on_unsubscribe = on_unsubscribe

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.app.app_context():
            accepted = accepts_recipient(address)
        if not accepted:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                None, self._handle, envelope.content, list(envelope.rcpt_tos))
        except Exception:  # the database is away, say: the sender will try again later
            log.exception("could not process an inbound report")
            return "451 4.3.0 Try again later"
        log.info("inbound report: %s (outbox %s) %s", outcome.action, outcome.outbox_id, outcome.detail or "")
        return "250 OK"

    def _handle(self, content, recipients) -> Outcome:
        from ..extensions import db

        with self.app.app_context():
            try:
                raw = content if isinstance(content, bytes) else content.encode()
                return handle_report(raw, recipients, self.on_unsubscribe)
            finally:
                db.session.remove()
