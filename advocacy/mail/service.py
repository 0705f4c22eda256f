"""Outbox: queue mail inside the caller's transaction; the worker sends it with retries.

Every message leaves with Message-ID and Date, its own return path (VERP, when MAIL_RETURN_PATH or
BOUNCE_DOMAIN is set) so a bounce names the message it is about, optional DKIM signing, and
SMTPUTF8 when the address needs it and the relay offers it. Addresses on the suppression list
(hard bounces, complaints: mail/feedback.py) get no mail: queued messages to them are marked
suppressed, and the sender checks again before sending."""
import hashlib
import hmac
import logging
import random
import re
import secrets
import smtplib
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.charset import QP, Charset
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from ..database import core_connection, first_row_alone, is_postgres, transaction, utcnow
from ..extensions import db
from .addresses import ascii_address, canonical_email, needs_smtputf8, verp_address
from .models import OutboxMessage, SuppressedAddress
from .suppression import record_feedback

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a message being sent is invisible to other workers this long
MAX_BACKOFF = timedelta(hours=2)
SUBJECT_MAX = 200  # OutboxMessage.subject
_SUBJECT_SPACE = re.compile(r"\s+")
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058's List-Unsubscribe-Post value
# DKIM covers these (when present); signing them twice over keeps anyone from adding a second one.
DKIM_HEADERS = [b"From", b"To", b"Subject", b"Date", b"Message-ID", b"MIME-Version", b"Content-Type",
                b"List-Unsubscribe", b"List-Unsubscribe-Post"]
SMTPUTF8_PROBE_SECONDS = 600  # how long a probe of the relay's SMTPUTF8 is trusted
SUPPRESSED_NOTE = "not sent: the address is on the suppression list (hard bounce or complaint)"
NO_SMTPUTF8 = ("the relay does not offer SMTPUTF8, which an address with non-ASCII characters before "
               "the @ needs")


def clean_subject(subject) -> str:
    """One line of text: any run of whitespace, line/paragraph separators or control characters
    becomes a single space. A header cannot hold a line break, so a subject with one could never
    be sent."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(subject))
    return _SUBJECT_SPACE.sub(" ", text).strip()[:SUBJECT_MAX]


# Where attachments may be read from: stored files referenced by row, so a large file is not
# copied into every mail that carries it. "<table>.<column>": (table, column).
ATTACHMENT_SOURCES = {"delivery_packets.pdf": ("delivery_packets", "pdf")}


@dataclass(frozen=True)
class Attachment:
    """A file a mail carries, by reference: column `source` (see ATTACHMENT_SOURCES) of row `id`."""

    source: str
    id: int
    filename: str
    mimetype: str = "application/pdf"


def _attachment_bytes(attachment: dict) -> bytes:
    table, column = ATTACHMENT_SOURCES[attachment["source"]]
    data = db.session.execute(sa.select(sa.column(column)).select_from(sa.table(table))
                              .where(sa.column("id") == int(attachment["id"]))).scalar_one_or_none()
    if data is None:
        raise LookupError(f"attachment {attachment['source']} #{attachment['id']} is gone")
    return bytes(data)



def _suppressed_sql(to: str):
    return sa.exists().where(SuppressedAddress.email_canonical == canonical_email(to))


def _queued_status(to: str):
    """SQL for a new message's status: "suppressed" when the address is on the list, else "queued".
    Computed inside the INSERT, so queueing costs no extra round trip."""
    return sa.case((_suppressed_sql(to), "suppressed"), else_="queued")


def _queued_note(to: str):
    return sa.case((_suppressed_sql(to), SUPPRESSED_NOTE), else_=sa.null())


def one_click_headers(unsubscribe_url: str) -> dict:
    """List-Unsubscribe (RFC 2369) with one-click (RFC 8058) for mail to many signers; the sender
    adds a mailto: address when inbound mail is set up (MAIL_RETURN_PATH)."""
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}


def queue_mail(to: str, template: str, subject: str, locale: str = "en", *, headers: dict | None = None,
               campaign_id: int | None = None, signature_id: int | None = None,
               attachment: Attachment | None = None, **context) -> OutboxMessage:
    """Render templates/email/<template>.txt/.html and add the message to the session.

    The caller's transaction commits it together with the change it reports, so a crash
    cannot leave a signature without its confirmation mail. `campaign_id` and `signature_id` say
    what it is about (the dashboard's mail health; a bounced confirmation shown to organisers).
    """
    if attachment is not None and attachment.source not in ATTACHMENT_SOURCES:
        raise ValueError(f"cannot attach from {attachment.source}")
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        subject = clean_subject(subject)
    message = OutboxMessage(
        to_address=to, subject=subject, body_text=text, body_html=html, kind=template,
        next_attempt_at=utcnow(), headers=headers, campaign_id=campaign_id, signature_id=signature_id,
        status=_queued_status(to), last_error=_queued_note(to), attachment=asdict(attachment) if attachment else None,
    )
    db.session.add(message)
    return message


@dataclass(frozen=True)
class UnrenderedMail:
    """One message for `queue_mails_unrendered`, rendered by the worker when it sends it (from
    `context`, plain JSON values)."""
    to: str
    template: str
    subject: object  # a string or a lazy translation, read in `locale`
    locale: str
    context: dict
    campaign_id: int | None = None
    signature_id: int | None = None


def queue_mails_unrendered(mails: list[UnrenderedMail]) -> None:
    """Like queue_mail, but for a batch (the worker's) and rendered by the worker when it sends them:
    the suppression list read once for all of them and one INSERT of every row, no ORM object (the
    sender checks the list again just before sending)."""
    if not mails:
        return
    canonical = {mail.to: canonical_email(mail.to) for mail in mails}
    suppressed = set(db.session.scalars(sa.select(SuppressedAddress.email_canonical)
                                        .where(SuppressedAddress.email_canonical.in_(set(canonical.values())))))
    subjects: dict[tuple, str] = {}
    now = utcnow()
    rows = []
    for mail in mails:
        key = (id(mail.subject), mail.locale)  # the batch holds every subject: ids stay distinct
        if key not in subjects:
            with force_locale(mail.locale):
                subjects[key] = clean_subject(mail.subject)
        held = canonical[mail.to] in suppressed
        rows.append({"to_address": mail.to, "subject": subjects[key], "body_text": None, "body_html": None,
                     "context": mail.context, "locale": mail.locale, "kind": mail.template,
                     "status": "suppressed" if held else "queued", "last_error": SUPPRESSED_NOTE if held else None,
                     "attempts": 0, "next_attempt_at": now, "created_at": now, "campaign_id": mail.campaign_id,
                     "signature_id": mail.signature_id})
    core_connection().execute(OutboxMessage.__table__.insert(), rows)


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


def _claim_due(limit: int) -> tuple[list[OutboxMessage], set[str]]:
    """Due messages, leased to this worker, and which of their addresses are suppressed, read in the
    claim's transaction: the session then holds none open while the mail goes out."""
    now = utcnow()
    # keep_loaded: the claimed rows are not read again one by one right after the claim commits.
    with transaction(keep_loaded=True):
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
        suppressed = _suppressed_among(messages) if messages else set()
    return messages, suppressed


# --- building -------------------------------------------------------------------------------

def mail_domain() -> str:
    """The domain of Message-IDs: MAIL_DOMAIN, else MAIL_FROM's domain."""
    configured = current_app.config.get("MAIL_DOMAIN")
    return configured or parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"


def return_path_base() -> str | None:
    """The address bounces go to (VERP adds +<id>-<hmac> to it), or None when not set up."""
    cfg = current_app.config
    if cfg.get("MAIL_RETURN_PATH"):
        return cfg["MAIL_RETURN_PATH"]
    if cfg.get("BOUNCE_DOMAIN"):
        return f"bounces@{cfg['BOUNCE_DOMAIN']}"
    return None


def _message_id_mark(outbox_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"advocacy message-id {outbox_id}".encode(), hashlib.sha256).hexdigest()[:16]


def message_id(outbox_id: int) -> str:
    """<outbox-42.<hmac>@domain>: a complaint quoting it names its message, and cannot be forged."""
    return f"<outbox-{outbox_id}.{_message_id_mark(outbox_id)}@{mail_domain()}>"


_MESSAGE_ID = re.compile(r"<outbox-([0-9]{1,19})\.([0-9a-f]{16})@")


def outbox_id_from_message_id(value: str) -> int | None:
    match = _MESSAGE_ID.search(value or "")
    if match and hmac.compare_digest(match[2], _message_id_mark(int(match[1]))):
        return int(match[1])
    return None


def envelope_sender(message: OutboxMessage) -> str:
    base = return_path_base()
    if base:
        return verp_address(base, "bounces", message.id, current_app.config["SECRET_KEY"])
    return parseaddr(current_app.config["MAIL_FROM"])[1]


@lru_cache(maxsize=1)
def _date_header(second: int) -> str:
    """The Date header, formatted once per second (a surge's mail goes out hundreds a second)."""
    return format_datetime(datetime.fromtimestamp(second, UTC))


def _headers(message: OutboxMessage) -> dict:
    """Every header of the message but the MIME ones, in order."""
    headers = {"From": current_app.config["MAIL_FROM"], "To": ascii_address(message.to_address),
               "Subject": message.subject, "Date": _date_header(int(time.time())),
               "Message-ID": message_id(message.id)}
    extra = dict(message.headers or {})
    if "List-Unsubscribe" in extra and (base := return_path_base()):
        mailto = verp_address(base, "unsubscribe", message.id, current_app.config["SECRET_KEY"])
        extra["List-Unsubscribe"] += f", <mailto:{mailto}?subject=unsubscribe>"
    return headers | extra


def _build(message: OutboxMessage, utf8: bool) -> Message:
    """The message as an `email` object. Most mail (an ASCII address, no attachment) is built with
    the package's older API, which does the same job at about a quarter of the CPU: under a surge
    the worker builds one confirmation per signature. That API cannot write the raw UTF-8 headers
    an SMTPUTF8 address needs, so such mail, and mail with an attachment, uses EmailMessage."""
    headers = _headers(message)
    text, html = _render(message)
    if utf8 or message.attachment:
        return _build_email_message(message, headers, text, html)
    email = MIMEMultipart("alternative", boundary=_boundary()) if html else _text_part(text, "plain")
    for name, value in headers.items():
        if len(value.splitlines()) > 1:  # the older API would fold a line break in, not refuse it
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        email[name] = value if value.isascii() else _encoded_words(name, value)
    if html:
        for body, subtype in ((text, "plain"), (html, "html")):
            part = _text_part(body, subtype)
            del part["MIME-Version"]  # said once, on the whole message
            email.attach(part)
    return email


def _boundary() -> str:
    """A multipart boundary that cannot occur in the parts, chosen here so the email package skips
    its own search (a regular expression compiled anew for every message: 5% of the worker's time).
    The parts are quoted-printable, where "=" only ever starts an escape ("=3D") or a soft line
    break, so no part can hold the "==" this boundary is made of."""
    return "=" * 15 + secrets.token_hex(16) + "=="


@lru_cache(maxsize=256)
def _encoded_words(name: str, value: str) -> str:
    """A non-ASCII header value exactly as EmailMessage writes it (RFC 2047 encoded words, folded
    within their 75 characters), for the older API to write as it is: it folds nothing else. Cached:
    a campaign's Spanish confirmations all share one subject."""
    folded = policy.SMTP.header_factory(name, value).fold(policy=policy.SMTP)
    return folded[len(name) + 2:].removesuffix("\r\n")


_UTF8_QUOTED_PRINTABLE = Charset("utf-8")
_UTF8_QUOTED_PRINTABLE.body_encoding = QP
# The older API's policy as sent: CRLF lines, a body line starting "From " left as it is, and no
# ASCII header folded short of the 998 characters RFC 5322 allows (its folding would start a long
# List-Unsubscribe on a line of its own, which some readers then take with a leading space).
_SMTP_COMPAT32 = policy.compat32.clone(linesep="\r\n", mangle_from_=False, max_line_length=998)


def _text_part(text: str, subtype: str) -> MIMEText:
    return MIMEText(text, subtype, _UTF8_QUOTED_PRINTABLE)


def _build_email_message(message: OutboxMessage, headers: dict, text: str, html: str | None) -> EmailMessage:
    email = EmailMessage()
    for name, value in headers.items():
        email[name] = value
    email.set_content(text)
    if html:
        email.add_alternative(html, subtype="html")
    if message.attachment:
        maintype, subtype = message.attachment["mimetype"].split("/", 1)
        email.add_attachment(_attachment_bytes(message.attachment), maintype=maintype, subtype=subtype,
                             filename=message.attachment["filename"])
    return email


def _dkim_key(path: str) -> bytes:
    cache = current_app.extensions.setdefault("dkim_keys", {})
    if path not in cache:
        cache[path] = Path(path).read_bytes()
    return cache[path]


def serialise(email: Message, utf8: bool) -> bytes:
    """The bytes sent: CRLF lines, UTF-8 headers only for an SMTPUTF8 transaction, and a
    DKIM-Signature first when DKIM_PRIVATE_KEY, DKIM_SELECTOR and DKIM_DOMAIN are set."""
    if isinstance(email, EmailMessage):
        data = email.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
    else:
        data = email.as_bytes(policy=_SMTP_COMPAT32)
    cfg = current_app.config
    if cfg.get("DKIM_PRIVATE_KEY") and cfg.get("DKIM_SELECTOR") and cfg.get("DKIM_DOMAIN"):
        import dkim

        present = [name for name in DKIM_HEADERS if email[name.decode()] is not None]
        signature = dkim.sign(data, cfg["DKIM_SELECTOR"].encode(), cfg["DKIM_DOMAIN"].encode(),
                              _dkim_key(cfg["DKIM_PRIVATE_KEY"]), include_headers=present)
        data = signature + data
    return data


# --- transports -----------------------------------------------------------------------------

class NoSmtpUtf8(Exception):
    """The address needs SMTPUTF8 and the relay does not offer it: retrying cannot help."""


class ConsoleTransport:
    """No SMTP configured: print the mail so a developer can click its links."""

    def send(self, email: Message, data: bytes, sender: str, utf8: bool):
        plain = next(part for part in email.walk() if part.get_content_type() == "text/plain")
        body = plain.get_payload(decode=True).decode(plain.get_content_charset() or "utf-8")
        subject = make_header(decode_header(str(email["Subject"])))
        sys.stdout.write(
            f"\n----- mail to {email['To']} -----\nSubject: {subject}\n\n{body}\n"
            "----- end of mail -----\n"
        )
        sys.stdout.flush()

    def close(self):
        pass


def _connect(cfg, timeout=None) -> smtplib.SMTP:
    connection = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=timeout or cfg["SMTP_TIMEOUT"])
    if cfg["SMTP_STARTTLS"]:
        connection.starttls()
    connection.ehlo_or_helo_if_needed()
    return connection


class SmtpTransport:
    def __init__(self, config):
        self.config = config
        self.connection = None

    def send(self, email: Message, data: bytes, sender: str, utf8: bool):
        if self.connection is None:
            cfg = self.config
            self.connection = _connect(cfg)
            if cfg["SMTP_USERNAME"]:
                self.connection.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
        options = []
        if utf8:
            if not self.connection.has_extn("smtputf8"):
                raise NoSmtpUtf8(NO_SMTPUTF8)
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        try:
            self.connection.sendmail(sender, [email["To"]], data, mail_options=options)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise
        except smtplib.SMTPRecipientsRefused:
            self.connection.rset()
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


def relay_offers_smtputf8() -> bool:
    """Can our mail reach an address with non-ASCII characters before the @?

    SMTP_UTF8=on/off says so; "auto" (the default) asks the relay (EHLO) and trusts the answer for
    SMTPUTF8_PROBE_SECONDS. Without a relay (mail printed) or when the relay cannot be reached, the
    answer is yes: an outage must not turn signers away (the sender still fails fast later)."""
    cfg = current_app.config
    setting = str(cfg.get("SMTP_UTF8") or "auto").lower()
    if setting in ("on", "true", "1", "yes"):
        return True
    if setting in ("off", "false", "0", "no"):
        return False
    if not cfg["SMTP_HOST"]:
        return True
    cache = current_app.extensions.setdefault("smtputf8_probe", {})
    key = (cfg["SMTP_HOST"], cfg["SMTP_PORT"])
    checked = cache.get(key)
    if checked and time.monotonic() - checked[0] < SMTPUTF8_PROBE_SECONDS:
        return checked[1]
    try:
        connection = _connect(cfg, timeout=min(cfg["SMTP_TIMEOUT"], 5))
        try:
            offered = bool(connection.has_extn("smtputf8"))
        finally:
            connection.quit()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("could not ask the relay whether it offers SMTPUTF8: %s", exc)
        return True
    cache[key] = (time.monotonic(), offered)
    return offered


# --- sending --------------------------------------------------------------------------------

def _give_up(message: OutboxMessage, exc: Exception, why: str) -> None:
    """A message that can never go out fails alone: dead at once, with the reason."""
    with transaction():
        message.attempts += 1
        message.status = "dead"
        message.last_error = f"{why}: {type(exc).__name__}: {exc}"[:1000]
    log.error("mail %s to %s %s, given up: %s", message.id, message.to_address, why, exc)


_BAD_MAILBOX = re.compile(rb"\b5\.1\.[0-9]{1,3}\b")


def _refused_for_good(exc: smtplib.SMTPRecipientsRefused) -> tuple[int, bytes] | None:
    """The relay's answer when it refused the mailbox itself for good (5xx with a 5.1.x status: no
    such user, no such domain), else None. Other refusals (5.7.1 relaying denied, say) are the
    relay's setup, not the address: those messages are retried as before, and nobody is suppressed."""
    for code, text in exc.recipients.values():
        if 500 <= code < 600 and _BAD_MAILBOX.search(text):
            return code, text
    return None


def _suppressed_among(messages: list[OutboxMessage]) -> set[str]:
    canonical = {canonical_email(m.to_address) for m in messages}
    return set(db.session.scalars(
        sa.select(SuppressedAddress.email_canonical).where(SuppressedAddress.email_canonical.in_(canonical))))


def send_due(limit: int = 50) -> tuple[int, int]:
    """Send due messages; returns (sent, failed). Failures are retried later with backoff;
    a message that cannot be built (or encoded) is marked dead at once and holds back no other.
    A message to a suppressed address is marked suppressed and not sent (counted in neither).

    Delivery is at-least-once: a crash between sending and recording it sends that mail again.
    """
    messages, suppressed = _claim_due(limit)
    if not messages:
        return 0, 0
    transport = transport_for(current_app.config)
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    sent = failed = 0
    try:
        for message in messages:
            if not _still_queued(message.id):
                continue
            if canonical_email(message.to_address) in suppressed:
                with transaction():
                    message.status = "suppressed"
                    message.last_error = SUPPRESSED_NOTE
                continue
            try:
                utf8 = needs_smtputf8(message.to_address)
                email = _build(message, utf8)
                data = serialise(email, utf8)
                sender = envelope_sender(message)
            except sa.exc.SQLAlchemyError:
                raise
            except Exception as exc:  # it would fail the same way every time
                failed += 1
                _give_up(message, exc, "cannot be built")
                continue
            try:
                transport.send(email, data, sender, utf8)
            except NoSmtpUtf8 as exc:
                failed += 1
                _give_up(message, exc, "cannot be sent")
            except smtplib.SMTPRecipientsRefused as exc:
                failed += 1
                if (refusal := _refused_for_good(exc)) is None:
                    _retry_later(message, exc, max_attempts)
                    continue
                _give_up(message, exc, "refused by the relay")
                code, text = refusal
                record_feedback(message.id, "bounced", f"{code} {text.decode(errors='replace')}")
            except (smtplib.SMTPException, OSError) as exc:
                failed += 1
                _retry_later(message, exc, max_attempts)
            except Exception as exc:  # e.g. cannot be encoded: retrying cannot help
                failed += 1
                transport.close()  # start the next message on a fresh connection
                _give_up(message, exc, "cannot be sent")
            else:
                sent += 1
                _mark_sent(message.id)
    finally:
        transport.close()
        for message in messages:  # the database has their new status; nobody reads the old one
            if message in db.session:
                db.session.expire(message)
    return sent, failed


_STATUS = sa.select(OutboxMessage.status).where(OutboxMessage.id == sa.bindparam("outbox_id"))
_SENT = (sa.update(OutboxMessage).where(OutboxMessage.id == sa.bindparam("outbox_id"))
         .values(attempts=OutboxMessage.attempts + 1, status="sent", sent_at=sa.bindparam("now", type_=sa.DateTime))
         .returning(OutboxMessage.id))


def _still_queued(outbox_id: int) -> bool:
    """Read just before sending: a report the bounce server recorded meanwhile (a complaint about an
    earlier message to the same address) has marked the message suppressed."""
    return first_row_alone(_STATUS, {"outbox_id": outbox_id}) == ("queued",)


def _mark_sent(outbox_id: int) -> None:
    """One statement, and the batch's other messages stay loaded (`_still_queued` reads what can
    change): the ORM would expire the whole batch at every commit and read each message again."""
    first_row_alone(_SENT, {"outbox_id": outbox_id, "now": utcnow()})


def _retry_later(message: OutboxMessage, exc: Exception, max_attempts: int) -> None:
    with transaction():
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if message.attempts >= max_attempts:
            message.status = "dead"
            log.error("mail %s to %s gave up after %s attempts: %s",
                      message.id, message.to_address, message.attempts, exc)
        else:
            message.next_attempt_at = utcnow() + backoff(message.attempts)
            log.warning("mail %s failed (attempt %s), will retry: %s", message.id, message.attempts, exc)


# --- health ---------------------------------------------------------------------------------

def queue_stats() -> dict:
    """Messages waiting to be sent (all campaigns) and the age in seconds of the oldest one."""
    depth, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status == "queued")).one()
    age = max((utcnow() - oldest).total_seconds(), 0.0) if oldest else 0.0
    return {"depth": depth, "oldest_age_seconds": round(age)}


def mail_health(campaign_id: int, bounced_limit: int = 20) -> dict:
    """A campaign's mail by outcome (queued, sent, bounced, complained, suppressed, dead), the
    queue's oldest message, and the latest confirmation mails that bounced (their signatures
    cannot be confirmed: the organiser sees who)."""
    counts = dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count())
        .where(OutboxMessage.campaign_id == campaign_id).group_by(OutboxMessage.status)).all())
    feedback = dict(db.session.execute(
        sa.select(OutboxMessage.feedback, sa.func.count())
        .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.feedback.is_not(None))
        .group_by(OutboxMessage.feedback)).all())
    bounced = list(db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == "confirm_signature",
               sa.or_(OutboxMessage.feedback.is_not(None), OutboxMessage.status == "dead"))
        .order_by(OutboxMessage.id.desc()).limit(bounced_limit)))
    return {
        "queued": counts.get("queued", 0), "sent": counts.get("sent", 0), "dead": counts.get("dead", 0),
        "suppressed": counts.get("suppressed", 0), "bounced": feedback.get("bounced", 0),
        "complained": feedback.get("complained", 0), "queue": queue_stats(), "bounced_confirmations": bounced,
    }
