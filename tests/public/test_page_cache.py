"""The per-process cache of public pages: one render serves a crowd, expiry never sends the crowd
to the database."""
import threading

from advocacy.public.service import PageCache


def test_a_fresh_entry_is_rendered_once(app):
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 60
    cache, renders = PageCache(), []
    for _ in range(3):
        assert cache.get_or_render(("k",), lambda: renders.append(1) or "body") == "body"
    assert renders == [1]


def test_while_one_thread_re_renders_an_expired_entry_the_others_get_the_previous_render(app):
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 60
    cache = PageCache()
    cache.get_or_render(("k",), lambda: "old")
    cache._entries[("k",)] = (0, "old")  # expired
    started, release = threading.Event(), threading.Event()

    def slow_render():
        started.set()
        release.wait(5)
        return "new"

    def render_in_a_request():
        with app.app_context():
            cache.get_or_render(("k",), slow_render)

    renderer = threading.Thread(target=render_in_a_request)
    renderer.start()
    assert started.wait(5)
    assert cache.get_or_render(("k",), lambda: "should not render") == "old"
    release.set()
    renderer.join(5)
    assert cache.get_or_render(("k",), lambda: "should not render") == "new"


def test_with_no_cache_time_every_request_renders(app):
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0
    cache, renders = PageCache(), []
    for _ in range(2):
        cache.get_or_render(("k",), lambda: renders.append(1) or "body")
    assert renders == [1, 1]
