"""Absolute links for mail and exports, built on PUBLIC_BASE_URL (never on the request's Host header)."""
from functools import lru_cache

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        path = url_for(endpoint, **values)
    else:  # the worker and CLI commands have no request
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["PUBLIC_BASE_URL"] + path


_SLOT = "SLOTFORTHELINK"


def token_url(endpoint: str, token: str, **values) -> str:
    """`external_url(endpoint, token=token, **values)` for a URL-safe token (secrets.token_urlsafe),
    from a URL built once per endpoint and values: a mail's links are built for every signature
    under a surge, and building a URL costs more CPU than the rest of the mail's row."""
    if not token.replace("-", "").replace("_", "").isalnum():
        return external_url(endpoint, token=token, **values)
    return _token_url_template(current_app._get_current_object(), endpoint,
                               tuple(sorted(values.items()))).replace(_SLOT, token)


@lru_cache(maxsize=64)
def _token_url_template(app, endpoint: str, values: tuple) -> str:
    return external_url(endpoint, token=_SLOT, **dict(values))
