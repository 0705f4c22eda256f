"""`GET /healthz` for load balancers: is this app server able to reach its database and Redis?

200 with `{"database": "ok", "redis": "ok" | "not configured"}` when both answer; 503 (with "error"
in place of "ok") when either does not. No login, no rate limit, never cached. The answer says
nothing more than that (no versions, hosts or error texts), so it is safe to leave public.

`GET /metrics`: the mail queue's depth and the age of its oldest message, in Prometheus' text
format, for alerting when mail stops going out (no personal data; no login, never cached).
"""
import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from .extensions import db, limiter
from .mail.service import queue_stats
from .signatures.service import confirmations_due

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 2


def _database() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception:  # any failure (refused, timed out, auth) means "not healthy"
        log.warning("healthz: database check failed", exc_info=True)
        db.session.rollback()
        return "error"


def _redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    clients = current_app.extensions.setdefault("healthz_redis", {})
    try:
        if url not in clients:
            import redis

            clients[url] = redis.Redis.from_url(url, socket_timeout=CHECK_TIMEOUT_SECONDS,
                                                socket_connect_timeout=CHECK_TIMEOUT_SECONDS)
        clients[url].ping()
        return "ok"
    except Exception:  # refused, timed out, bad URL: all mean "not healthy"
        log.warning("healthz: redis check failed", exc_info=True)
        return "error"


@bp.get("/healthz")
@limiter.exempt
def healthz():
    checks = {"database": _database(), "redis": _redis()}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    response = jsonify(checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
@limiter.exempt
def metrics():
    queue = queue_stats()
    body = (
        "# HELP advocacy_mail_queue_depth Messages waiting in the outbox to be sent.\n"
        "# TYPE advocacy_mail_queue_depth gauge\n"
        f"advocacy_mail_queue_depth {queue['depth']}\n"
        "# HELP advocacy_mail_queue_oldest_age_seconds Age of the oldest message waiting to be sent.\n"
        "# TYPE advocacy_mail_queue_oldest_age_seconds gauge\n"
        f"advocacy_mail_queue_oldest_age_seconds {queue['oldest_age_seconds']}\n"
        "# HELP advocacy_confirmations_due Signatures whose confirmation mail the worker has yet to write.\n"
        "# TYPE advocacy_confirmations_due gauge\n"
        f"advocacy_confirmations_due {confirmations_due()}\n"
    )
    return body, 200, {"Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store"}
