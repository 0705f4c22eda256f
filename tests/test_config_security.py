"""Settings read from the environment: the proxy hop count, the secret key, and no-store on organiser pages."""
import importlib

import pytest

from tests.conftest import csrf_token, login

SETTINGS = ("ADVOCACY_ENV", "SECRET_KEY", "PROXY_FIX_X_FOR", "DATABASE_URL", "REDIS_URL",
            "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED")


@pytest.fixture
def environment(monkeypatch):
    """Build the app as wsgi.py does, from environment variables, with advocacy.config re-read."""
    import advocacy.config

    def build(**env):
        for name in SETTINGS:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DATABASE_URL", "sqlite://")  # nothing written under instance/
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        importlib.reload(advocacy.config)
        from advocacy import create_app

        return create_app()

    yield build
    monkeypatch.undo()
    importlib.reload(advocacy.config)


def echo_remote_addr(app):
    """A test-only route: what the app believes the visitor's address is."""
    from flask import request

    app.add_url_rule("/_test/remote-addr", "test_remote_addr", lambda: request.remote_addr or "")
    return app.test_client()


# --- PROXY_FIX_X_FOR ---

def test_behind_one_proxy_each_visitor_has_their_own_address(environment):
    client = echo_remote_addr(environment(SECRET_KEY="x" * 40, PROXY_FIX_X_FOR="1"))
    first = client.get("/_test/remote-addr", headers={"X-Forwarded-For": "203.0.113.7"},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"})
    second = client.get("/_test/remote-addr", headers={"X-Forwarded-For": "198.51.100.9"},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert (first.get_data(as_text=True), second.get_data(as_text=True)) == ("203.0.113.7", "198.51.100.9")


def test_behind_one_proxy_only_the_last_hop_is_trusted(environment):
    client = echo_remote_addr(environment(SECRET_KEY="x" * 40, PROXY_FIX_X_FOR="1"))
    spoofed = client.get("/_test/remote-addr", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.7"},
                         environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert spoofed.get_data(as_text=True) == "203.0.113.7"


def test_without_a_proxy_forwarded_headers_are_ignored(environment):
    client = echo_remote_addr(environment(SECRET_KEY="x" * 40))
    response = client.get("/_test/remote-addr", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.get_data(as_text=True) == "10.0.0.1"


# --- SECRET_KEY: only an explicit ADVOCACY_ENV=development (make run) has a development key ---

def test_with_advocacy_env_unset_the_app_refuses_to_start_without_secret_key(environment):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        environment()


def test_production_refuses_to_start_without_secret_key(environment):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        environment(ADVOCACY_ENV="production")


def test_an_unknown_environment_name_is_refused(environment):
    with pytest.raises(RuntimeError, match="ADVOCACY_ENV"):
        environment(ADVOCACY_ENV="prod")


def test_test_settings_cannot_be_chosen_from_the_environment(environment):
    """TestConfig's key is in the repository: it is for the suite, never for a server."""
    with pytest.raises(RuntimeError, match="ADVOCACY_ENV"):
        environment(ADVOCACY_ENV="test")


def test_a_cookie_forged_with_the_public_development_key_opens_nothing(environment):
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import URLSafeTimedSerializer

    app = environment(SECRET_KEY="a long random production secret, not in any repository")
    interface = SecureCookieSessionInterface()
    forged = URLSafeTimedSerializer(
        "dev-only-insecure-key-change-me", salt=interface.salt, serializer=interface.serializer,
        signer_kwargs={"key_derivation": interface.key_derivation, "digest_method": interface.digest_method},
    ).dumps({"_user_id": "1", "_fresh": True})
    client = app.test_client()
    client.set_cookie("session", forged)
    response = client.get("/organise/")
    assert response.status_code == 302 and "/organise/login" in response.headers["Location"]


def test_development_environment_has_a_key_for_make_run(environment):
    app = environment(ADVOCACY_ENV="development")
    assert app.config["SECRET_KEY"] and app.config["SESSION_COOKIE_SECURE"] is False
    assert app.test_client().get("/organise/login").status_code == 200


def test_the_environment_secret_key_wins_in_development_too(environment):
    app = environment(ADVOCACY_ENV="development", SECRET_KEY="y" * 40)
    assert app.config["SECRET_KEY"] == "y" * 40


def test_make_run_and_make_worker_ask_for_the_development_environment():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "run worker: export ADVOCACY_ENV = development" in makefile


# --- Cache-Control: no-store on every organiser and account page ---

def test_sign_in_and_reset_pages_are_not_stored(client):
    for path in ("/organise/login", "/organise/reset", "/organise/reset/not-a-token",
                 "/organise/invite/not-a-token"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", path


def test_organiser_pages_are_not_stored(organiser_client, campaign):
    for path in ("/organise/", f"/organise/campaigns/{campaign.slug}", f"/organise/campaigns/{campaign.slug}/edit",
                 "/organise/campaigns/no-such-campaign"):
        response = organiser_client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)
    page = organiser_client.get("/organise/").get_data(as_text=True)
    logout = organiser_client.post("/organise/logout", data={"csrf_token": csrf_token(page)})
    assert logout.headers.get("Cache-Control") == "no-store"
    assert organiser_client.get("/organise/").headers.get("Cache-Control") == "no-store"  # the redirect too


def test_a_failed_sign_in_is_not_stored(client, make_user):
    make_user("owner@example.org")
    response = login(client, "owner@example.org", "not the password at all")
    assert response.status_code == 422 and response.headers.get("Cache-Control") == "no-store"


def test_public_pages_keep_their_own_caching(client, campaign):
    for path in (f"/campaigns/{campaign.slug}.json", f"/campaigns/{campaign.slug}"):
        assert client.get(path).headers["Cache-Control"].startswith("public, max-age=0, s-maxage=")


def test_an_explicit_cache_control_of_an_organiser_view_is_kept(app, client):
    from flask import make_response

    def cached():
        response = make_response("ok")
        response.headers["Cache-Control"] = "private, max-age=30"
        return response

    app.add_url_rule("/organise/_test-cached", "test_cached", cached)
    assert client.get("/organise/_test-cached").headers.get("Cache-Control") == "private, max-age=30"
