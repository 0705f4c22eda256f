"""Absolute links for mail and exports, built on PUBLIC_BASE_URL (never on the request's Host header)."""
from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        path = url_for(endpoint, **values)
    else:  # the worker and CLI commands have no request
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["PUBLIC_BASE_URL"] + path
