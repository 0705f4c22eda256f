"""Addresses: the canonical form (one person, one entry), the per-message return path (VERP) and the
ASCII form of an address for relays without SMTPUTF8."""
import hashlib
import hmac
import re

from email_validator import EmailNotValidError, validate_email

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
# bounces+<outbox id>-<hmac>@domain and unsubscribe+<outbox id>-<hmac>@domain
_VERP = re.compile(r"(bounces|unsubscribe)\+([0-9]{1,19})-([0-9a-f]{16})@", re.IGNORECASE)


# Providers whose documentation says mail to name+anything@domain reaches name@domain, so
# "name+again@outlook.com" is the same person as "name@outlook.com" (dots stay significant there).
PLUS_ADDRESSING_DOMAINS = frozenset({
    # Outlook.com and its older domains: "+" aliases since 2013 (Microsoft, "Plus addressing";
    # https://www.instantfundas.com/2013/09/outlookcom-now-supports-email-aliases.html and
    # https://www.ii.com/outlook-com-aliases/ list outlook, hotmail, live, msn, windowslive).
    "outlook.com", "hotmail.com", "live.com", "msn.com", "windowslive.com",
    # iCloud Mail accepts name+tag@icloud.com (also me.com and mac.com, the same mailboxes).
    "icloud.com", "me.com", "mac.com",
    # Fastmail: "The part of the email address between the + and the @ is ignored"
    # (https://www.fastmail.help/hc/en-us/articles/360060591053).
    "fastmail.com", "fastmail.fm",
    # Proton Mail: "+aliases" on every free personal address (https://proton.me/support/creating-aliases,
    # https://proton.me/support/addresses-and-aliases): proton.me, protonmail.com, protonmail.ch, pm.me.
    "proton.me", "protonmail.com", "protonmail.ch", "pm.me",
})
# Yahoo has no "+" addressing; its disposable addresses are basename-keyword@yahoo.com, where the base
# name is one chosen per account and a dash never appears in an ordinary Yahoo address (Yahoo's
# AddressGuard help and patent US 2006/0041621: "distinguishable ... by a preserved character, such as
# a dash"). Every keyword of one base name folds to "basename-@yahoo.com": one person, and never the
# address of another account. Not folded, for want of documentation: GMX, Zoho, Yandex.
YAHOO_DOMAINS = frozenset({"yahoo.com", "ymail.com"})


def canonical_email(address: str) -> str:
    """Lower-case; drop +tags where the provider ignores them (and, for Gmail, dots, folding
    googlemail.com into gmail.com); fold Yahoo's disposable addresses onto their base name."""
    local, _, domain = address.strip().lower().rpartition("@")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    elif domain in PLUS_ADDRESSING_DOMAINS and not local.startswith("+"):
        local = local.split("+", 1)[0]
    elif domain in YAHOO_DOMAINS and "-" in local.strip("-"):
        local = local.split("-", 1)[0] + "-"
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
