"""Letters through Communicating with Congress (CWC): one CWC 2.0 XML message per letter and member,
posted by the worker to CWC_API_URL with CWC_API_KEY, and its outcome recorded (`CwcMessage`).

Off unless CWC_API_URL is set. The letter itself (written after signing, with the signer's consent
and street address) is passed in as `LetterFields`, so this module does not depend on how letters
are stored. Only House offices are addressed: their office codes follow from the seat ("HCA11");
Senate offices have codes of their own that CWC assigns.
"""
import logging
import secrets
import string
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET  # noqa: N817  # builds XML only; nothing untrusted is parsed.  # nosec B405

import sqlalchemy as sa
from flask import current_app

from ..database import is_postgres, transaction, utcnow
from ..extensions import db
from ..geography.models import Legislator, SignatureDistrict
from ..geography.service import parse_label
from ..mail.service import backoff
from ..signatures.letters import Letter
from ..signatures.models import Signature
from .models import CwcMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
_ID_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class LetterFields:
    """What CWC needs of one letter; `prefix` is the salutation the signer chose ("Ms.", "Mr.", "Mx.", "Dr.")."""

    campaign_id: int
    campaign_slug: str
    subject: str
    body: str
    prefix: str
    first_name: str
    last_name: str
    email: str
    address1: str
    city: str
    state: str
    zip: str
    address2: str = ""
    phone: str = ""  # 10 digits, any punctuation
    letter_id: int | None = None
    pro_or_con: str = "Pro"


class NotForCwc(ValueError):
    """The letter cannot go through CWC (a Senate office, or fields CWC refuses)."""


def cwc_enabled() -> bool:
    return bool(current_app.config.get("CWC_API_URL"))


def office_code(member: Legislator) -> str:
    if member.chamber != "house" or member.district is None:
        raise NotForCwc(f"{member.bioguide_id} is not a House office")
    return f"H{member.state}{member.district:02d}"


def _phone(raw: str) -> str | None:
    digits = "".join(ch for ch in raw or "" if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}" if len(digits) == 10 else None


def _add(parent, tag: str, text=None):
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def build_xml(letter: LetterFields, member: Legislator, delivery_id: str, now=None) -> bytes:
    """The CWC 2.0 message for `letter` to `member` (elements in the order the schema requires)."""
    cfg = current_app.config
    now = now or utcnow()
    root = ET.Element("CWC")
    _add(root, "CWCVersion", "2.0")
    delivery = _add(root, "Delivery")
    _add(delivery, "DeliveryId", delivery_id)
    _add(delivery, "DeliveryDate", now.strftime("%Y%m%d"))
    _add(delivery, "DeliveryAgent", cfg["CWC_DELIVERY_AGENT"] or cfg["ORGANISATION_NAME"])
    _add(delivery, "DeliveryAgentAckEmailAddress", cfg["CWC_ACK_EMAIL"])
    contact = _add(delivery, "DeliveryAgentContact")
    _add(contact, "DeliveryAgentContactName", cfg["CWC_CONTACT_NAME"])
    _add(contact, "DeliveryAgentContactEmail", cfg["CWC_CONTACT_EMAIL"])
    _add(contact, "DeliveryAgentContactPhone", _phone(cfg["CWC_CONTACT_PHONE"]) or cfg["CWC_CONTACT_PHONE"])
    _add(delivery, "CampaignId", letter.campaign_slug[:32])
    _add(delivery, "Organization", cfg["ORGANISATION_NAME"])
    recipient = _add(root, "Recipient")
    _add(recipient, "MemberOffice", office_code(member))
    _add(recipient, "IsResponseRequested", "Y")
    _add(recipient, "NewsletterOptIn", "N")
    constituent = _add(root, "Constituent")
    _add(constituent, "Prefix", letter.prefix)
    _add(constituent, "FirstName", letter.first_name)
    _add(constituent, "LastName", letter.last_name)
    _add(constituent, "ConstituentEmail", letter.email)
    _add(constituent, "Address1", letter.address1)
    if letter.address2:
        _add(constituent, "Address2", letter.address2)
    _add(constituent, "City", letter.city)
    _add(constituent, "StateAbbreviation", letter.state.upper())
    _add(constituent, "Zip", letter.zip)
    if phone := _phone(letter.phone):
        _add(constituent, "Phone", phone)
    message = _add(root, "Message")
    _add(message, "Subject", letter.subject[:200])
    topics = _add(message, "LibraryOfCongressTopics")
    _add(topics, "LibraryOfCongressTopic", cfg["CWC_TOPIC"])
    _add(message, "ProOrCon", letter.pro_or_con)
    _add(message, "ConstituentMessage", letter.body)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _required(letter: LetterFields) -> None:
    for name in ("prefix", "first_name", "last_name", "email", "address1", "city", "state", "zip", "body",
                 "subject"):
        if not str(getattr(letter, name) or "").strip():
            raise NotForCwc(f"the letter has no {name}")


def queue_letter(letter: LetterFields, member: Legislator) -> CwcMessage | None:
    """Add the letter's CWC message for `member` to the session (the caller's transaction commits it
    with the letter); the worker posts it (`post_due`). None when CWC is not configured."""
    if not cwc_enabled():
        return None
    _required(letter)
    delivery_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))
    xml = build_xml(letter, member, delivery_id).decode("utf-8")
    message = CwcMessage(campaign_id=letter.campaign_id, letter_id=letter.letter_id, bioguide_id=member.bioguide_id,
                         delivery_id=delivery_id, xml=xml, status="queued", attempts=0, next_attempt_at=utcnow())
    db.session.add(message)
    return message


def _letter_fields(letter: Letter) -> LetterFields:
    signature = letter.signature
    # A signer with one name only (family_name None) has it in given_name: CWC requires a last
    # name, so the one name is sent as the last name and the first name repeats it.
    given = signature.given_name.strip() or signature.full_name.strip()
    family = (signature.family_name or "").strip() or given
    return LetterFields(
        campaign_id=letter.campaign_id, campaign_slug=signature.campaign.slug,
        subject=signature.campaign.title, body=letter.body, prefix=letter.prefix or "", first_name=given,
        last_name=family, email=signature.email, address1=letter.street_address or "", city=letter.city or "",
        state=signature.state or "", zip=signature.postal_code, letter_id=letter.id)


def _certain_house_members(signature_id: int) -> list[Legislator]:
    """The representatives whose district is certain for this signer: their ZIP lies wholly in it,
    or they answered which of its districts is theirs (as delivery.packets does for letters)."""
    labels = db.session.scalars(sa.select(SignatureDistrict.district).where(
        SignatureDistrict.signature_id == signature_id, SignatureDistrict.shared.is_(False)))
    members = []
    for label in labels:
        state, district = parse_label(label)
        if district is None:
            continue
        members.extend(db.session.scalars(sa.select(Legislator).where(
            Legislator.chamber == "house", Legislator.state == state, Legislator.district == district)))
    return members


def queue_approved_letters(limit: int = 200) -> int:
    """Queue one CWC message per approved letter and targeted representative not yet queued (the
    worker calls this); each letter in its own transaction, so running it again queues nothing twice.

    Only letters whose writers asked to deliver them, gave their street address, city and salutation
    (CWC requires them) and whose district is certain. Senators are skipped: CWC assigns Senate
    offices codes of their own that cannot be derived from the seat, so their letters go in the
    packet only. Returns how many messages were queued."""
    if not cwc_enabled():
        return 0
    already = sa.select(CwcMessage.id).where(CwcMessage.letter_id == Letter.id).exists()
    with transaction():
        candidates = list(db.session.scalars(
            sa.select(Letter.id).join(Signature, Signature.id == Letter.signature_id)
            .where(Letter.status == "approved", Letter.deliver.is_(True), Letter.street_address.is_not(None),
                   Letter.city.is_not(None), Letter.prefix.is_not(None), Signature.status == "confirmed", ~already)
            .order_by(Letter.id).limit(limit)))
    queued = 0
    for letter_id in candidates:
        with transaction():
            query = sa.select(Letter).where(Letter.id == letter_id, Letter.status == "approved")
            if is_postgres():  # two workers never queue the same letter
                query = query.with_for_update(of=Letter, skip_locked=True)
            letter = db.session.scalars(query).one_or_none()
            if letter is None:
                continue
            campaign = letter.signature.campaign
            sent_to = set(db.session.scalars(sa.select(CwcMessage.bioguide_id)
                                             .where(CwcMessage.letter_id == letter.id)))
            for member in _certain_house_members(letter.signature_id):
                if member.bioguide_id in sent_to or not campaign.targets_member(member):
                    continue
                try:
                    queue_letter(_letter_fields(letter), member)
                except NotForCwc as exc:
                    log.warning("letter %s not sent through CWC: %s", letter.id, exc)
                    continue
                queued += 1
    return queued


def _claim_due(limit: int) -> list[CwcMessage]:
    now = utcnow()
    with transaction():
        query = (sa.select(CwcMessage).where(CwcMessage.status == "queued", CwcMessage.next_attempt_at <= now)
                 .order_by(CwcMessage.next_attempt_at, CwcMessage.id).limit(limit))
        if is_postgres():
            query = query.with_for_update(skip_locked=True)
        messages = list(db.session.scalars(query))
        for message in messages:
            message.next_attempt_at = now + LEASE
    return messages


def _post(xml: str) -> tuple[int, str]:
    """POST the message to CWC: (HTTP status, body). Raises OSError when no answer came."""
    cfg = current_app.config
    url = f"{cfg['CWC_API_URL'].rstrip('/')}/message?apikey={quote(cfg['CWC_API_KEY'] or '')}"
    if urlsplit(url).scheme not in ("http", "https"):
        raise OSError(f"CWC_API_URL must be http(s): {cfg['CWC_API_URL']}")
    request = urllib.request.Request(url, data=xml.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/xml; charset=utf-8"})
    try:
        # The scheme is checked above (http/https only).
        with urllib.request.urlopen(request, timeout=cfg["CWC_TIMEOUT"]) as response:  # nosec B310
            return response.status, response.read(4000).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(4000).decode("utf-8", "replace")


def post_due(limit: int = 20) -> tuple[int, int]:
    """Post due CWC messages; returns (accepted, failed or retrying). CWC's 200 is "accepted"; a 4xx
    answer is final ("failed" with CWC's reason); no answer or a 5xx is retried with backoff until
    CWC_MAX_ATTEMPTS. Once the outcome is final, the message's XML (with the signer's address) is cleared."""
    if not cwc_enabled():
        return 0, 0
    accepted = failed = 0
    for message in _claim_due(limit):
        try:
            status, body = _post(message.xml or "")
        except OSError as exc:
            status, body = None, f"{type(exc).__name__}: {exc}"
        now = utcnow()
        with transaction():
            message.attempts += 1
            message.sent_at = now
            if status is not None and 200 <= status < 300:
                accepted += 1
                message.status, message.answered_at, message.xml, message.last_error = "accepted", now, None, None
                continue
            failed += 1
            reason = (f"HTTP {status}: {body.strip()}" if status is not None else body)[:1000]
            message.last_error = reason
            if (status is not None and 400 <= status < 500) or message.attempts >= current_app.config["CWC_MAX_ATTEMPTS"]:
                message.status, message.answered_at, message.xml = "failed", now, None
                log.warning("CWC message %s failed: %s", message.delivery_id, reason)
            else:
                message.next_attempt_at = now + backoff(message.attempts)
    return accepted, failed


def cwc_messages(campaign_id: int, limit: int = 50) -> list[CwcMessage]:
    return list(db.session.scalars(sa.select(CwcMessage).where(CwcMessage.campaign_id == campaign_id)
                                   .order_by(CwcMessage.id.desc()).limit(limit)))


def cwc_first_accepted(campaign_id: int) -> dict[str, datetime]:
    """{bioguide id: when CWC first accepted a letter to that member}."""
    return dict(db.session.execute(
        sa.select(CwcMessage.bioguide_id, sa.func.min(CwcMessage.answered_at))
        .where(CwcMessage.campaign_id == campaign_id, CwcMessage.status == "accepted")
        .group_by(CwcMessage.bioguide_id)).all())
