"""A local, recording stand-in for the Stripe HTTP API, for tests.

The real ``stripe`` library is pointed at a ``FakeStripe`` server running on
127.0.0.1 (random port, daemon thread). Every request is recorded as a
``RecordedRequest`` whose ``form`` is the url-encoded body decoded into the
nested structure Stripe uses (``line_items[0][price_data][unit_amount]=500``
-> ``{"line_items": [{"price_data": {"unit_amount": "500"}}]}``). Values stay
strings, exactly as sent on the wire.

Implemented endpoints:

* ``POST /v1/checkout/sessions`` - creates and stores a checkout session.
  Honours ``Idempotency-Key``: same key + same params replays the stored
  response (header ``Idempotent-Replayed: true``); same key + different params
  -> 400 ``idempotency_error`` (``stripe.IdempotencyError``).
* ``GET /v1/checkout/sessions/<id>`` - the stored session, or a 404
  ``resource_missing`` error (``stripe.InvalidRequestError``).
* anything else -> 404 Stripe-shaped ``invalid_request_error``.

``fail_next(status, error_type)`` makes the next request(s) fail with a
Stripe-shaped error; those responses carry ``Stripe-Should-Retry: false`` so
the library's automatic retries never mask the injected failure, and they do
not consume the idempotency key. ``set_session(id, **fields)`` edits a stored
session (e.g. ``payment_status="paid"``).

Usage::

    with FakeStripe() as fake:
        client = stripe.StripeClient("sk_test_x",
                                     base_addresses={"api": fake.base_url})
        ...
        fake.last("/v1/checkout/sessions").form["metadata"]["campaign_id"]

Notes on stripe 16.x (checked against stripe 16.1.0 source) for the next
engineer: ``stripe.StripeClient(api_key, *, base_addresses={"api": url},
max_network_retries=None, http_client=None, ...)`` - keys of base_addresses
are "api", "connect", "files", "meter_events"; unset ones default to the real
Stripe hosts, and the client ignores the module-level ``stripe.api_base``,
which only affects the global resource API (``stripe.checkout.Session.create(
**params, idempotency_key=..., api_key=...)``). Service calls take a params
dict and a request-options dict: ``client.v1.checkout.sessions.create(
params={...}, options={"idempotency_key": "..."})`` and
``client.v1.checkout.sessions.retrieve(session_id, params=None,
options=None)`` (session id is positional-only). The library sends an
auto-generated ``Idempotency-Key`` on EVERY POST when none is given. The
default HTTP client is ``requests`` when installed (a stripe dependency).
Status -> exception: 400/404 -> InvalidRequestError (IdempotencyError if
type is "idempotency_error"), 401 AuthenticationError, 402 CardError, 403
PermissionError, 429 RateLimitError, other (5xx) APIError; all subclass
``stripe.StripeError``. Webhooks: ``stripe.Webhook.construct_event(payload,
sig_header, secret, tolerance=300, api_key=None, api_requestor=None)``
(static; payload str/bytes/bytearray; returns a ``stripe.Event``; raises
``stripe.SignatureVerificationError`` on a bad/missing header, wrong
signature or a timestamp older than ``tolerance`` seconds - tolerance=0/None
disables the age check; raises ``ValueError`` (json) on a non-JSON body). A
client-bound variant is ``StripeClient.construct_event(payload, sig_header,
secret, tolerance=300)``. ``stripe.WebhookSignature.generate_signature_header(
payload: str, secret: str, timestamp=None) -> "t=<ts>,v1=<hex hmac-sha256 of
'<ts>.<payload>'>"`` (classmethod; timestamp defaults to now). It takes a
``str`` ONLY: passing bytes silently signs "b'...'" - ``sign_webhook`` below
decodes bytes as UTF-8 first.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

__all__ = [
    "FakeStripe",
    "RecordedRequest",
    "decode_form",
    "make_event",
    "sign_webhook",
]


# --------------------------------------------------------------------------
# Form decoding
# --------------------------------------------------------------------------


def _key_parts(key: str) -> list[str]:
    """'a[b][0][c]' -> ['a', 'b', '0', 'c']."""
    head, sep, rest = key.partition("[")
    parts = [head]
    if sep:
        parts += rest.rstrip("]").split("][")
    return parts


def _listify(node: Any) -> Any:
    """Turn dicts whose keys are all digits into lists ordered by index."""
    if isinstance(node, dict):
        node = {k: _listify(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


def decode_form(encoded: str) -> dict:
    """Decode a Stripe-style url-encoded body/query into a nested dict."""
    root: dict = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        parts = _key_parts(key)
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return _listify(root)


# --------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict
    headers: dict  # keys lower-cased
    form: dict
    body: bytes = field(default=b"", repr=False)

    def header(self, name: str, default: str | None = None) -> str | None:
        """Case-insensitive header lookup."""
        return self.headers.get(name.lower(), default)


_DEFAULT_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    402: "card_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    429: "invalid_request_error",
}


def _error_body(error_type: str, message: str, code: str | None = None,
                param: str | None = None) -> dict:
    err: dict[str, Any] = {"type": error_type, "message": message}
    if code is not None:
        err["code"] = code
    if param is not None:
        err["param"] = param
    return {"error": err}


# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------


class FakeStripe:
    """Local recording fake of the Stripe API (see module docstring)."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.sessions: dict[str, dict] = {}
        self._idempotency: dict[str, tuple[tuple, int, dict]] = {}
        self._failures: list[tuple[int, dict]] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ------------------------------------------------------

    def start(self) -> FakeStripe:
        if self._server is not None:
            return self
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
            name="fake-stripe", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeStripe is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ---- test helpers ---------------------------------------------------

    def last(self, path_prefix: str = "") -> RecordedRequest:
        """Most recent recorded request whose path starts with path_prefix."""
        with self._lock:
            for req in reversed(self.requests):
                if req.path.startswith(path_prefix):
                    return req
        raise LookupError(f"no request recorded for {path_prefix!r}")

    def set_session(self, session_id: str, **fields: Any) -> dict:
        """Update a stored checkout session; returns the updated session."""
        with self._lock:
            if session_id not in self.sessions:
                raise KeyError(session_id)
            self.sessions[session_id].update(fields)
            return dict(self.sessions[session_id])

    def fail_next(self, status: int = 500, error_type: str | None = None,
                  message: str | None = None, code: str | None = None,
                  times: int = 1) -> None:
        """Make the next ``times`` requests fail with a Stripe-shaped error.

        Default error_type: "card_error" for 402, "api_error" for 5xx,
        "invalid_request_error" otherwise. 402 defaults code to
        "card_declined".
        """
        etype = error_type or _DEFAULT_ERROR_TYPES.get(status, "api_error")
        if code is None and status == 402:
            code = "card_declined"
        body = _error_body(etype, message or f"Injected {status} error", code)
        with self._lock:
            self._failures.extend([(status, body)] * times)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.sessions.clear()
            self._idempotency.clear()
            self._failures.clear()

    # ---- request handling (called from server threads) -----------------

    def _handle(self, req: RecordedRequest) -> tuple[int, dict, dict]:
        """Return (status, json_body, extra_headers)."""
        with self._lock:
            self.requests.append(req)
            if self._failures:
                status, body = self._failures.pop(0)
                return status, body, {"Stripe-Should-Retry": "false"}

            key = req.header("idempotency-key")
            if req.method == "POST" and key:
                fingerprint = (req.method, req.path, json.dumps(req.form, sort_keys=True))
                stored = self._idempotency.get(key)
                if stored is not None:
                    if stored[0] != fingerprint:
                        return 400, _error_body(
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with "
                            "the same parameters they were first used with. Try "
                            f"using a key other than '{key}' if you meant to "
                            "execute a different request.",
                        ), {}
                    return stored[1], stored[2], {"Idempotent-Replayed": "true"}
                status, body = self._route(req)
                self._idempotency[key] = (fingerprint, status, body)
                return status, body, {}

            status, body = self._route(req)
            return status, body, {}

    def _route(self, req: RecordedRequest) -> tuple[int, dict]:
        prefix = "/v1/checkout/sessions"
        if req.path == prefix and req.method == "POST":
            return 200, self._create_session(req.form)
        if req.path.startswith(prefix + "/") and req.method == "GET":
            session_id = req.path[len(prefix) + 1:]
            if "/" not in session_id and session_id in self.sessions:
                return 200, dict(self.sessions[session_id])
            return 404, _error_body(
                "invalid_request_error",
                f"No such checkout.session: '{session_id}'",
                code="resource_missing", param="session",
            )
        return 404, _error_body(
            "invalid_request_error",
            f"Unrecognized request URL ({req.method}: {req.path}).",
        )

    def _create_session(self, form: dict) -> dict:
        line_items = form.get("line_items") or []
        amount_total = 0
        currency = form.get("currency")
        for item in line_items:
            price_data = item.get("price_data") or {}
            amount_total += int(price_data.get("unit_amount") or 0) * int(
                item.get("quantity") or 1
            )
            currency = currency or price_data.get("currency")
        session_id = "cs_test_" + secrets.token_hex(12)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "mode": form.get("mode"),
            "submit_type": form.get("submit_type"),
            "amount_total": amount_total,
            "currency": currency,
            "client_reference_id": form.get("client_reference_id"),
            "customer_email": form.get("customer_email"),
            "metadata": form.get("metadata") or {},
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "customer_details": None,
            "success_url": form.get("success_url"),
            "cancel_url": form.get("cancel_url"),
            "created": int(time.time()),
            "livemode": False,
        }
        self.sessions[session_id] = session
        return dict(session)


class _Handler(BaseHTTPRequestHandler):
    owner: FakeStripe

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=decode_form(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            form=decode_form(body.decode("utf-8")) if body else {},
            body=body,
        )
        status, payload, extra = self.owner._handle(req)
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(8))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


# --------------------------------------------------------------------------
# Webhooks
# --------------------------------------------------------------------------


def sign_webhook(payload: bytes | str, secret: str,
                 timestamp: int | None = None) -> str:
    """Return a ``Stripe-Signature`` header value for ``payload``.

    Send exactly the same bytes as the request body.
    """
    if isinstance(payload, (bytes, bytearray)):
        payload = bytes(payload).decode("utf-8")
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp
    )


def make_event(event_type: str, obj: dict, event_id: str | None = None,
               created: int | None = None) -> dict:
    """Build a Stripe event envelope (serialize with ``json.dumps``)."""
    return {
        "id": event_id or "evt_test_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "api_version": stripe.api_version,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
    }
