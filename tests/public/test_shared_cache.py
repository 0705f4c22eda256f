"""The shared cache in front of the app (advocacy/shared_cache.py): anonymous GETs of public answers
are replayed without running Flask; anything personal always reaches the app."""
import pytest
from flask import request_started

from tests.conftest import sign_form


@pytest.fixture
def flask_runs(app):
    """How many requests Flask itself handled."""
    seen = []

    def count(_sender, **_extra):
        seen.append(1)

    request_started.connect(count, app)
    yield seen
    request_started.disconnect(count, app)


@pytest.fixture
def cached_app(app):
    from advocacy.public.service import page_cache

    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 60
    yield app
    page_cache.clear()  # the app's own page cache is per process: later tests must not see these pages


def test_the_campaign_page_and_json_are_replayed_without_running_flask(cached_app, client, campaign, flask_runs):
    for path in (f"/campaigns/{campaign.slug}", f"/campaigns/{campaign.slug}.json"):
        flask_runs.clear()
        first, second = client.get(path), client.get(path)
        assert len(flask_runs) == 1
        assert second.status_code == 200 and second.data == first.data
        assert second.headers["ETag"] == first.headers["ETag"]
        assert second.headers["Cache-Control"] == first.headers["Cache-Control"]
        assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_a_matching_etag_gets_304_from_the_cache(cached_app, client, campaign, flask_runs):
    path = f"/campaigns/{campaign.slug}"
    etag = client.get(path).headers["ETag"]
    flask_runs.clear()
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and flask_runs == []
    assert "public" in again.headers["Cache-Control"]
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_each_language_has_its_own_copy(cached_app, client, campaign, flask_runs):
    path = f"/campaigns/{campaign.slug}"
    english = client.get(path, headers={"Accept-Language": "en"})
    spanish = client.get(path, headers={"Accept-Language": "es"})
    assert 'lang="en"' in english.get_data(as_text=True) and 'lang="es"' in spanish.get_data(as_text=True)
    flask_runs.clear()
    assert client.get(path, headers={"Accept-Language": "es"}).data == spanish.data
    assert client.get(path, headers={"Accept-Language": "en"}).data == english.data
    assert flask_runs == []


def test_visitors_with_a_session_a_query_or_a_post_always_reach_the_app(cached_app, client, campaign, flask_runs):
    path = f"/campaigns/{campaign.slug}"
    client.get(path)
    flask_runs.clear()
    with_session = cached_app.test_client()
    with_session.set_cookie("session", "not-a-valid-session")
    with_session.get(path)
    with_session.get(path)
    assert len(flask_runs) == 2
    client.get(path + "?source=clinic-nurses")
    assert len(flask_runs) == 3
    sign_form(client, campaign.slug, email="ana@example.org")  # its GET has no cookie: replayed
    assert len(flask_runs) == 4


def test_answers_that_are_private_or_set_a_cookie_are_never_stored(cached_app, client, campaign, flask_runs):
    flask_runs.clear()
    for _ in range(2):
        client.get("/organise/login")  # no-store
        client.get(f"/campaigns/{campaign.slug}?lang=es")  # sets the lang cookie (and has a query)
        client.get("/healthz")  # no-store
    assert len(flask_runs) == 6


def test_with_no_cache_time_every_request_runs_the_app(app, client, campaign, flask_runs):
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0
    for _ in range(2):
        client.get(f"/campaigns/{campaign.slug}")
    assert len(flask_runs) == 2


def _plain_app(headers):
    calls = []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain"), *headers])
        return [b"hello"]

    return app, calls


@pytest.mark.parametrize("headers", [
    [("Cache-Control", "public, s-maxage=5"), ("Set-Cookie", "a=b")],
    [("Cache-Control", "public, s-maxage=5"), ("Vary", "User-Agent")],
    [("Cache-Control", "public, max-age=5")],
    [("Cache-Control", "private, s-maxage=5")],
])
def test_only_public_answers_for_everyone_are_stored(headers):
    from werkzeug.test import Client

    from advocacy.shared_cache import SharedCache

    inner, calls = _plain_app(headers)
    client = Client(SharedCache(inner, ttl=lambda: 60, log_requests=lambda: False), use_cookies=False)
    assert [client.get("/x").data for _ in range(2)] == [b"hello", b"hello"]
    assert calls == ["/x", "/x"]


def test_a_public_answer_for_everyone_is_stored_once():
    from werkzeug.test import Client

    from advocacy.shared_cache import SharedCache

    inner, calls = _plain_app([("Cache-Control", "public, s-maxage=5"), ("Vary", "Accept-Language")])
    client = Client(SharedCache(inner, ttl=lambda: 60, log_requests=lambda: False), use_cookies=False)
    assert [client.get("/x").data for _ in range(3)] == [b"hello"] * 3
    assert calls == ["/x"]


def test_an_answer_that_is_not_stored_streams_through_unread():
    from werkzeug.test import Client

    from advocacy.shared_cache import SharedCache

    produced = []

    def download(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv"), ("Cache-Control", "no-store")])

        def rows():
            for n in range(3):
                produced.append(n)
                yield f"{n}\n".encode()
        return rows()

    client = Client(SharedCache(download, ttl=lambda: 60, log_requests=lambda: False), use_cookies=False)
    response = client.get("/delivery/list.csv", buffered=False)
    assert len(produced) < 3  # not read whole before the server sends it (the test client peeks at one chunk)
    assert b"".join(response.iter_encoded()) == b"0\n1\n2\n" and produced == [0, 1, 2]


def _refresh_held_app(held_call: int):
    """A plain app answering `version[0]` (public, s-maxage=1) whose `held_call`-th call waits for
    `release` after setting `asked`: a refresh in progress while other requests arrive."""
    import threading

    version, calls, asked, release = [b"v1"], [], threading.Event(), threading.Event()

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        if len(calls) == held_call:
            asked.set()
            release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Cache-Control", "public, s-maxage=1")])
        return [version[0]]

    return app, version, calls, asked, release


def test_an_expired_answer_is_refreshed_by_one_request_while_the_others_get_it():
    """Stale-while-revalidate: when the stored answer expires, one request asks the app again and
    every request meanwhile gets the expired copy; once refreshed, the new one."""
    import threading
    import time

    from werkzeug.test import Client

    from advocacy.shared_cache import SharedCache

    app, version, calls, asked, release = _refresh_held_app(2)  # the refresh waits for the other requests

    cache = SharedCache(app, ttl=lambda: 60, log_requests=lambda: False)
    client = Client(cache, use_cookies=False)
    assert client.get("/x").data == b"v1"
    key = next(iter(cache._entries))
    cache._entries[key] = (time.monotonic() - 1, *cache._entries[key][1:])  # expired a second ago
    version[0] = b"v2"
    refresh = threading.Thread(target=lambda: Client(cache, use_cookies=False).get("/x"))
    refresh.start()
    assert asked.wait(5)
    stale = [client.get("/x").data for _ in range(3)]
    release.set()
    refresh.join(5)
    assert stale == [b"v1"] * 3 and calls == ["/x", "/x"]  # one refresh; the others got the old copy
    assert client.get("/x").data == b"v2" and calls == ["/x", "/x"]


def test_an_answer_expired_longer_than_its_lifetime_is_never_served_even_during_a_refresh():
    import threading
    import time

    from werkzeug.test import Client

    from advocacy.shared_cache import SharedCache

    app, version, calls, asked, release = _refresh_held_app(2)  # the first refresh waits for the other request

    cache = SharedCache(app, ttl=lambda: 1, log_requests=lambda: False)
    client = Client(cache, use_cookies=False)
    assert client.get("/x").data == b"v1"
    key = next(iter(cache._entries))
    cache._entries[key] = (time.monotonic() - 2, *cache._entries[key][1:])  # expired longer ago than its 1 s
    version[0] = b"v2"
    refresh = threading.Thread(target=lambda: Client(cache, use_cookies=False).get("/x"))
    refresh.start()
    assert asked.wait(5)
    answer = client.get("/x").data  # asks the app itself rather than take the too-old copy
    release.set()
    refresh.join(5)
    assert answer == b"v2" and len(calls) == 3
