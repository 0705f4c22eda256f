"""Canonical emails and keyed IP hashes."""
import hashlib
import hmac

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(address: str) -> str:
    """Lower-case; for Gmail also drop dots and +tags and fold googlemail.com into gmail.com."""
    local, _, domain = address.strip().lower().rpartition("@")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def hash_ip(ip: str | None, secret_key: str) -> str | None:
    if not ip:
        return None
    key = hmac.new(secret_key.encode(), b"advocacy ip-hash v1", hashlib.sha256).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()
