"""Outbox: queue mail inside the caller's transaction; the worker sends it with retries."""
import logging
import random
import re
import smtplib
import sys
import unicodedata
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from ..database import core_connection, is_postgres, transaction, utcnow
from ..extensions import db
from .models import OutboxMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a message being sent is invisible to other workers this long
MAX_BACKOFF = timedelta(hours=2)
SUBJECT_MAX = 200  # OutboxMessage.subject
_SUBJECT_SPACE = re.compile(r"\s+")


def clean_subject(subject) -> str:
    """One line of text: any run of whitespace, line/paragraph separators or control characters
    becomes a single space. A header cannot hold a line break, so a subject with one could never
    be sent."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(subject))
    return _SUBJECT_SPACE.sub(" ", text).strip()[:SUBJECT_MAX]


def queue_mail(to: str, template: str, subject: str, locale: str = "en", **context) -> OutboxMessage:
    """Render templates/email/<template>.txt/.html and add the message to the session.

    The caller's transaction commits it together with the change it reports, so a crash
    cannot leave a signature without its confirmation mail.
    """
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        subject = clean_subject(subject)
    message = OutboxMessage(
        to_address=to, subject=subject, body_text=text, body_html=html, kind=template,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def queue_mail_unrendered(to: str, template: str, subject, locale: str, context: dict) -> None:
    """Like queue_mail, but the worker renders the templates (from `context`, plain JSON values), so a
    request on a hot path (signing) spends no time on them. One INSERT, no ORM object."""
    with force_locale(locale):
        subject = clean_subject(subject)
    now = utcnow()
    core_connection().execute(OutboxMessage.__table__.insert(), {
        "to_address": to, "subject": subject, "body_text": None, "body_html": None, "context": context,
        "locale": locale, "kind": template, "status": "queued", "attempts": 0, "next_attempt_at": now,
        "created_at": now})


def _render(message: OutboxMessage) -> tuple[str, str | None]:
    if message.body_text is not None:
        return message.body_text, message.body_html
    with force_locale(message.locale or "en"):
        context = message.context or {}
        return (render_template(f"email/{message.kind}.txt", **context),
                render_template(f"email/{message.kind}.html", **context))


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at 2 h, with +-20% jitter so retries don't stampede."""
    base = min(timedelta(seconds=30 * 2 ** min(max(attempts - 1, 0), 20)), MAX_BACKOFF)
    return base * random.uniform(0.8, 1.2)  # retry jitter, not a secret (tokens use secrets).  # nosec B311


def _claim_due(limit: int) -> list[OutboxMessage]:
    now = utcnow()
    with transaction():
        query = (
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if is_postgres():
            query = query.with_for_update(skip_locked=True)
        messages = list(db.session.scalars(query))
        for message in messages:
            message.next_attempt_at = now + LEASE
    return messages


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    text, html = _render(message)
    email.set_content(text)
    if html:
        email.add_alternative(html, subtype="html")
    return email


class ConsoleTransport:
    """No SMTP configured: print the mail so a developer can click its links."""

    def send(self, email: EmailMessage):
        body = email.get_body(("plain",)).get_content()
        sys.stdout.write(
            f"\n----- mail to {email['To']} -----\nSubject: {email['Subject']}\n\n{body}\n"
            "----- end of mail -----\n"
        )
        sys.stdout.flush()

    def close(self):
        pass


class SmtpTransport:
    def __init__(self, config):
        self.config = config
        self.connection = None

    def send(self, email: EmailMessage):
        if self.connection is None:
            cfg = self.config
            self.connection = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"])
            if cfg["SMTP_STARTTLS"]:
                self.connection.starttls()
            if cfg["SMTP_USERNAME"]:
                self.connection.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
        try:
            self.connection.send_message(email)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self):
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


def transport_for(config):
    return SmtpTransport(config) if config["SMTP_HOST"] else ConsoleTransport()


def _give_up(message: OutboxMessage, exc: Exception, why: str) -> None:
    """A message that can never go out fails alone: dead at once, with the reason."""
    with transaction():
        message.attempts += 1
        message.status = "dead"
        message.last_error = f"{why}: {type(exc).__name__}: {exc}"[:1000]
    log.error("mail %s to %s %s, given up: %s", message.id, message.to_address, why, exc)


def send_due(limit: int = 50) -> tuple[int, int]:
    """Send due messages; returns (sent, failed). Failures are retried later with backoff;
    a message that cannot be built (or encoded) is marked dead at once and holds back no other.

    Delivery is at-least-once: a crash between sending and recording it sends that mail again.
    """
    messages = _claim_due(limit)
    if not messages:
        return 0, 0
    transport = transport_for(current_app.config)
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    sent = failed = 0
    try:
        for message in messages:
            try:
                email = _build(message)
            except sa.exc.SQLAlchemyError:
                raise
            except Exception as exc:  # it would fail the same way every time
                failed += 1
                _give_up(message, exc, "cannot be built")
                continue
            try:
                transport.send(email)
            except (smtplib.SMTPException, OSError) as exc:
                failed += 1
                with transaction():
                    message.attempts += 1
                    message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                    if message.attempts >= max_attempts:
                        message.status = "dead"
                        log.error("mail %s to %s gave up after %s attempts: %s",
                                  message.id, message.to_address, message.attempts, exc)
                    else:
                        message.next_attempt_at = utcnow() + backoff(message.attempts)
                        log.warning("mail %s failed (attempt %s), will retry: %s",
                                    message.id, message.attempts, exc)
            except Exception as exc:  # e.g. cannot be encoded: retrying cannot help
                failed += 1
                transport.close()  # start the next message on a fresh connection
                _give_up(message, exc, "cannot be sent")
            else:
                sent += 1
                with transaction():
                    message.attempts += 1
                    message.status = "sent"
                    message.sent_at = utcnow()
    finally:
        transport.close()
    return sent, failed
