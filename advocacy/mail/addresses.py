"""Addresses: the canonical form (one person, one entry), the per-message return path (VERP) and the
ASCII form of an address for relays without SMTPUTF8."""
import hashlib
import hmac
import re

from email_validator import EmailNotValidError, validate_email

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
# bounces+<outbox id>-<hmac>@domain and unsubscribe+<outbox id>-<hmac>@domain
_VERP = re.compile(r"(bounces|unsubscribe)\+([0-9]{1,19})-([0-9a-f]{16})@", re.IGNORECASE)


def canonical_email(address: str) -> str:
    """Lower-case; for Gmail also drop dots and +tags and fold googlemail.com into gmail.com."""
    local, _, domain = address.strip().lower().rpartition("@")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def _signature(purpose: str, outbox_id: int, secret_key: str) -> str:
    key = hmac.new(secret_key.encode(), b"advocacy verp v1", hashlib.sha256).digest()
    return hmac.new(key, f"{purpose}:{outbox_id}".encode(), hashlib.sha256).hexdigest()[:16]


def verp_address(base: str, purpose: str, outbox_id: int, secret_key: str) -> str:
    """`bounces@mail.example.org` -> `bounces+42-<hmac>@mail.example.org` (purpose "bounces"), or the
    same with "unsubscribe": a report sent there names its message, and nobody can forge one for
    another message. Lower-case hex, because some servers fold the local part's case."""
    domain = base.rpartition("@")[2]
    return f"{purpose}+{outbox_id}-{_signature(purpose, outbox_id, secret_key)}@{domain}"


def parse_verp(address: str, secret_key: str) -> tuple[str, int] | None:
    """(purpose, outbox id) of one of our VERP addresses with a valid HMAC, else None."""
    match = _VERP.search(address or "")
    if not match:
        return None
    purpose, outbox_id, given = match[1].lower(), int(match[2]), match[3].lower()
    if not hmac.compare_digest(given, _signature(purpose, outbox_id, secret_key)):
        return None
    return purpose, outbox_id


def needs_smtputf8(address: str) -> bool:
    """True when the local part is not ASCII: only a relay offering SMTPUTF8 can carry it. A
    non-ASCII domain alone is sent in its ASCII (IDNA) form."""
    return not address.rpartition("@")[0].isascii()


def ascii_address(address: str) -> str:
    """The address with its domain in IDNA form when the local part is ASCII (as any relay takes it);
    unchanged otherwise, or when it does not parse."""
    if address.isascii() or needs_smtputf8(address):
        return address
    try:
        return validate_email(address, check_deliverability=False).ascii_email or address
    except EmailNotValidError:
        return address
