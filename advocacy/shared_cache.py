"""A small shared cache in front of the app, as a CDN would be: anonymous GETs of answers the app
marks `Cache-Control: public, s-maxage=...` are replayed from memory for PUBLIC_PAGE_CACHE_SECONDS
without running Flask at all (no session, no login, no template, no database).

Why here as well as in a CDN: during a surge the campaign page and its JSON are most of the traffic,
and an app server without a CDN in front (or with a CDN that revalidates) still has to answer them
while it takes signatures. Replaying bytes costs a fraction of a Flask request.

What is cached, and for whom, follows HTTP's rules for shared caches (RFC 9111):
  - only GET without a query string, and only from visitors with no cookie but `lang`
    (a session or sign-in cookie always reaches the app);
  - only 200 answers with `public` and `s-maxage`, no Set-Cookie, and a Vary of at most
    Accept-Language and Cookie, whose values (with the host, scheme and path) are the key;
  - If-None-Match is answered 304 when it matches the stored ETag.
When a stored answer expires, one request asks the app again while the others get the expired copy
(stale-while-revalidate, for at most one more PUBLIC_PAGE_CACHE_SECONDS): a surge of readers
never all reach Flask at the same moment. The app's own page cache (public.service.PageCache)
renders each page at most once per PUBLIC_PAGE_CACHE_SECONDS, so what a visitor sees is at most
three times that old.
"""
import json
import logging
import threading
import time

from werkzeug.http import parse_etags, parse_list_header

# Answer headers a 304 leaves out (it has no body); everything else is replayed as stored.
_BODY_HEADERS = {"content-length", "content-type", "content-encoding", "content-range", "transfer-encoding"}
_VARY_ALLOWED = {"accept-language", "cookie"}


def _only_language_cookie(cookie: str) -> bool:
    return all(part.strip().startswith("lang=") for part in cookie.split(";") if part.strip())


class SharedCache:
    """WSGI middleware; `ttl()` gives the seconds to keep an answer (0: cache nothing)."""

    def __init__(self, app, ttl, log_requests, max_entries: int = 2000):
        self.app, self.ttl, self.log_requests, self.max_entries = app, ttl, log_requests, max_entries
        self._entries: dict[tuple, tuple] = {}
        self._refreshing: set[tuple] = set()  # keys whose expired answer one request is asking the app for
        self._lock = threading.Lock()

    def _key(self, environ) -> tuple | None:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return None
        cookie = environ.get("HTTP_COOKIE", "")
        if cookie and not _only_language_cookie(cookie):
            return None
        return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("PATH_INFO"),
                environ.get("HTTP_ACCEPT_LANGUAGE", ""), cookie)

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        started = time.perf_counter()
        entry = self._entries.get(key)
        if entry is not None:
            now = time.monotonic()
            if entry[0] > now:
                return self._replay(entry, environ, start_response, started)
            if entry[0] + self.ttl() > now:  # expired, but young enough to stand in while it is refreshed
                with self._lock:
                    someone_refreshing = key in self._refreshing
                    self._refreshing.add(key)
                if someone_refreshing:
                    return self._replay(entry, environ, start_response, started)
                try:
                    return self._fill(key, environ, start_response)
                finally:
                    with self._lock:
                        self._refreshing.discard(key)
        return self._fill(key, environ, start_response)

    def _replay(self, entry, environ, start_response, started):
        _expires, status, headers, body, etag, endpoint = entry
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if etag and wanted and parse_etags(wanted).contains(etag):
            status, body = "304 NOT MODIFIED", b""
            headers = [(k, v) for k, v in headers if k.lower() not in _BODY_HEADERS]
        start_response(status, list(headers))
        if self.log_requests():
            logging.getLogger("advocacy.request").info(json.dumps({
                "endpoint": endpoint, "route": None, "method": "GET", "status": int(status[:3]),
                "duration_ms": round((time.perf_counter() - started) * 1000, 2), "cache": "shared"}))
        return [body]

    def _fill(self, key, environ, start_response):
        seen = {}

        def remember(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, remember)
        ttl = self.ttl()
        # Flask has called start_response by now. Anything not to be stored (a download, an
        # office's CSV) streams through untouched; only a storable answer (a page) is read whole.
        if ttl <= 0 or "status" not in seen or not self._storable(seen["status"], seen["headers"]):
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        headers = seen["headers"]
        etag = next((v.strip('"') for k, v in headers if k.lower() == "etag"), None)
        entry = (time.monotonic() + ttl, seen["status"], tuple(headers), body, etag, environ.get("advocacy.endpoint"))
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = entry
        return [body]

    @staticmethod
    def _storable(status: str, headers) -> bool:
        if not status.startswith("200"):
            return False
        names = {k.lower(): v for k, v in headers}
        if "set-cookie" in names:
            return False
        directives = {d.split("=", 1)[0].strip().lower() for d in parse_list_header(names.get("cache-control", ""))}
        if "public" not in directives or "s-maxage" not in directives or directives & {"private", "no-store"}:
            return False
        vary = {v.strip().lower() for v in names.get("vary", "").split(",") if v.strip()}
        return vary <= _VARY_ALLOWED

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
