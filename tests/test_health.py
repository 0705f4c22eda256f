"""/healthz for load balancers, and the REQUEST_LOG_JSON line per request."""
import json
import logging
import os

import pytest

from advocacy.extensions import db


def test_healthz_up_without_redis(client, app):
    app.config["REDIS_URL"] = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "redis": "not configured"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.skipif(not os.environ.get("REDIS_TEST_URL"), reason="needs REDIS_TEST_URL")
def test_healthz_up_with_redis(client, app):
    app.config["REDIS_URL"] = os.environ["REDIS_TEST_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "redis": "ok"}


def test_healthz_503_when_redis_is_unreachable(client, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "ok", "redis": "error"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_503_when_the_database_fails(client, app, monkeypatch):
    app.config["REDIS_URL"] = None

    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "error", "redis": "not configured"}


def test_healthz_is_not_rate_limited(client, app):
    app.config["REDIS_URL"] = None
    app.config["RATELIMIT_ENABLED"] = True
    assert all(client.get("/healthz").status_code == 200 for _ in range(30))


def _request_lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "advocacy.request"]


def test_one_json_log_line_per_request(client, app, campaign, caplog):
    app.config["REQUEST_LOG_JSON"] = True
    with caplog.at_level(logging.INFO, logger="advocacy.request"):
        client.get(f"/campaigns/{campaign.slug}.json")
        client.get("/signatures/confirm/not-a-real-token")
    first, second = _request_lines(caplog)
    assert first["endpoint"] == "public.show_json" and first["route"] == "/campaigns/<slug:slug>.json"
    assert first["method"] == "GET" and first["status"] == 200
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    # The route template is logged, never the path with its token.
    assert second["route"] == "/signatures/confirm/<token>" and second["status"] == 404
    assert "not-a-real-token" not in caplog.text


def test_no_request_log_by_default(client, app, caplog):
    assert app.config["REQUEST_LOG_JSON"] is False
    with caplog.at_level(logging.INFO, logger="advocacy.request"):
        client.get("/healthz")
    assert _request_lines(caplog) == []
