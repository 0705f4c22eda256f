"""Real app servers and a browser-like form client, shared by the stateless test, bench/http.py and
bench/faults.py.

`AppServer` runs `gunicorn -c python:advocacy.gunicorn_conf wsgi:app` (the production shape) in a
subprocess on a free port. `FormClient` behaves like a browser without JavaScript: it keeps cookies,
GETs a page, takes the CSRF token if the page has one, and POSTs the form with the `Origin` and
`Sec-Fetch-Site` headers a browser sends (so it keeps working if the forms move to an origin check).
"""
import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html import unescape as html_unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
CONFIRM_RE = re.compile(r"/signatures/confirm/[A-Za-z0-9_\-]+")
HIDDEN_INPUT_RE = re.compile(r'<input[^>]*\btype="hidden"[^>]*>')
ATTRIBUTE_RE = re.compile(r'\b(name|value)="([^"]*)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hidden_fields(html: str) -> dict:
    """The hidden inputs of a page's forms (name: value), as a browser sends them back."""
    fields = {}
    for tag in HIDDEN_INPUT_RE.findall(html):
        attributes = dict(ATTRIBUTE_RE.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = html_unescape(attributes.get("value", ""))
    return fields


def csrf_token(html: str) -> str | None:
    match = CSRF_RE.search(html)
    return (match.group(1) or match.group(2)) if match else None


def app_env(database_url: str, **extra) -> dict:
    """Environment for an app server or worker under load: limits that would hold or refuse a
    benchmark's thousands of signers from one address, or hold them as too fast, are lifted;
    everything else is production."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SMTP_HOST", "FLASK_DEBUG")}
    env.update({
        "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key-not-for-production",
        "RATELIMIT_ENABLED": "false", "SIGN_SOFT_LIMIT_PER_IP": "100000000 per minute",
        "SIGN_MIN_FILL_SECONDS": "0",  # a benchmark's signers post at once; scripts, but wanted ones
        "PUBLIC_BASE_URL": "http://localhost", "ADVOCACY_ENV": "development",
    })
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


class AppServer:
    """gunicorn in a subprocess; `stop()` ends it and every worker it started."""

    def __init__(self, env: dict, workers: int = 2, app: str = "wsgi:app", log_path: Path | None = None,
                 config: str = "python:advocacy.gunicorn_conf"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
        env = dict(env, WEB_CONCURRENCY=str(workers), BIND=f"127.0.0.1:{self.port}")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", config, app], cwd=ROOT, env=env,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, path: str = "/healthz", timeout: float = 60) -> "AppServer":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, http.client.HTTPException, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn on {self.base_url} not ready after {timeout} s")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        if self._log is not subprocess.DEVNULL:
            self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, body: str, headers):
        self.status, self.body, self.headers = status, body, headers


class FormClient:
    """One visitor: its own cookies; redirects are not followed (a sign answer is a 303)."""

    def __init__(self, timeout: float = 30):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)
        self.timeout = timeout

    def request(self, url: str, data: dict | None = None, origin: str | None = None,
                extra_headers: dict | None = None) -> Response:
        headers = {"User-Agent": "advocacy-bench", "Accept-Language": "en", **(extra_headers or {})}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            scheme, host = urllib.parse.urlsplit(url)[:2]
            headers["Origin"] = origin or f"{scheme}://{host}"
            headers["Sec-Fetch-Site"] = "same-origin"
        request = urllib.request.Request(url, data=body, headers=headers, method="GET" if body is None else "POST")
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Response(response.status, response.read().decode("utf-8", "replace"), response.headers)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            return Response(error.code, error.read().decode("utf-8", "replace"), error.headers)

    def submit(self, page_url: str, post_url: str, fields: dict) -> Response:
        """GET the page, then POST its form as a browser would: the hidden fields of the page (the
        CSRF token if it has one, the form's render time) with `fields` typed in."""
        page = self.request(page_url)
        if page.status != 200:
            return page
        data = hidden_fields(page.body) | dict(fields)
        if token := csrf_token(page.body):
            data["csrf_token"] = token
        return self.request(post_url, data=data)


def signer_fields(email: str, postal_code: str = "60614") -> dict:
    return {"given_name": "Bench", "family_name": "Signer", "email": email, "postal_code": postal_code, "comment": "",
            "website": ""}  # the honeypot, left empty
