"""Settings read from the environment: the proxy hop count, the secret key, and no-store on organiser pages."""
import importlib

import pytest

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
