"""Canonical emails and keyed IP hashes."""
import hashlib
import hmac

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}

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


def hash_ip(ip: str | None, secret_key: str) -> str | None:
    if not ip:
        return None
    key = hmac.new(secret_key.encode(), b"advocacy ip-hash v1", hashlib.sha256).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()
