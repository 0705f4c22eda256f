"""Canonical emails and keyed IP hashes."""
import hashlib
import hmac

# The suppression list (mail) keys addresses the same way, so the rule lives there.
from ..mail.addresses import canonical_email

__all__ = ["canonical_email", "hash_ip"]


def hash_ip(ip: str | None, secret_key: str) -> str | None:
    if not ip:
        return None
    key = hmac.new(secret_key.encode(), b"advocacy ip-hash v1", hashlib.sha256).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()
