"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
the app and its test client, a real SMTP server (aiosmtpd) and helpers that fill in real forms."""
import contextvars
import os
import re
import socket
import tempfile
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from advocacy import create_app
from advocacy.campaigns.service import forget_cached_campaigns
from advocacy.config import TestConfig
from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.geography.service import forget_places
from bench.formclient import hidden_fields
from tests.support.browser import chromium, live_server, phone  # noqa: F401 (fixtures for every browser test)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pytest_collection_modifyitems(config, items):
    """Marks `no_database` each test that reaches no database: none of its fixtures (directly or
    through others) is `database_url`, and its module does not read TEST_DATABASE_URL itself. Such
    a test (a PDF's pages, a mail's bytes) gives the same answer on either database, so CI's
    PostgreSQL run deselects them (`-m "not no_database"`) and the SQLite run keeps them."""
    for item in items:
        module = getattr(item, "module", None)
        reads_the_url = module is not None and any(hasattr(module, name) for name in ("ON_POSTGRES", "TEST_DATABASE_URL"))
        if "database_url" not in getattr(item, "fixturenames", ()) and not reads_the_url:
            item.add_marker(pytest.mark.no_database)


@pytest.fixture(scope="session")
def database_url():
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = sa.create_engine(url)
        with engine.begin() as conn:  # start from an empty schema: migrations must build everything
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        yield url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'test.sqlite'}"


class SessionConfig(TestConfig):
    WTF_CSRF_ENABLED = True


@pytest.fixture(scope="session")
def migrated(database_url):
    """Build the schema with `flask db upgrade`, as production does (a broken migration fails here)."""
    from flask_migrate import upgrade

    app = create_app(type("Cfg", (SessionConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


class Inbox:
    """Messages received by the real SMTP server, parsed."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app(migrated, smtp_server):
    controller, inbox = smtp_server
    config = type("Cfg", (SessionConfig,), {
        "SQLALCHEMY_DATABASE_URI": migrated,
        "SMTP_HOST": controller.hostname,
        "SMTP_PORT": controller.port,
    })
    app = create_app(config)
    inbox.clear()
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        forget_places()  # each test has its own geography tables
        forget_cached_campaigns()  # and its own campaigns
        db.engine.dispose()


def _empty_tables():
    """Every table emptied, children first. On PostgreSQL also every sequence back to 1 (as
    TRUNCATE ... RESTART IDENTITY would, but one DELETE per small table and one setval query take
    about a tenth of its 75 ms per test), all in one round trip."""
    deletes = [f"DELETE FROM {t.name}" for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("; ".join([*deletes, "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"
                                            " AND relnamespace = 'public'::regnamespace"]))
        else:
            for statement in deletes:
                conn.exec_driver_sql(statement)


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as production does.

    The tests hold an app context open for direct database access; without this, Flask would
    reuse it (and its `g`, where Flask-Babel and Flask-Login cache) for every request.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[1]


@pytest.fixture
def make_campaign(app):
    from advocacy.campaigns.models import Campaign

    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        values = {
            "slug": f"campaign-{n}", "title": f"Campaign {n}", "ask": "Pass the law.",
            "summary": "A test campaign.", "background": "Why it **matters**.", "goal": 100,
            "state": "open", "closes_at": utcnow() + timedelta(days=30),
        }
        values.update(fields)
        campaign = Campaign(**values)
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(slug="paid-leave", title="Paid leave for all")


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The page's CSRF token; "" on public pages, whose forms carry none (they check Origin instead)."""
    match = CSRF_RE.search(html)
    return (match.group(1) or match.group(2)) if match else ""


def sign_form(client, slug, **fields):
    """GET the campaign page, then POST its sign form as a browser would.

    `full_name="Ana Smith"`: the whole name typed into the given-name field with no family name
    (as a signer with one name fills the form); it is stored and shown exactly as typed."""
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    data = {
        **hidden_fields(page),  # the form's render time, the source, the CSRF token if any
        "csrf_token": csrf_token(page), "website": "",  # the honeypot, left empty
        "given_name": "Maria", "family_name": "Lopez", "email": "maria@example.org", "postal_code": "60614",
        "comment": "",
    }
    if "full_name" in fields:
        data.update(given_name=fields.pop("full_name"), family_name="")
    data.update({k: v for k, v in fields.items() if v is not None})
    for box in ("show_name", "keep_updated", "share_email", "family_name_first"):
        if data.get(box) is False:
            data.pop(box)
        elif data.get(box) is True:
            data[box] = "y"
    return client.post(f"/campaigns/{slug}/sign", data=data)


def post_button(client, url):
    """Open a GET page with a button and press it. Confirming answers 303 to the confirmed page, which
    a browser then opens: so does this (other buttons' answers are returned as they are)."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    response = client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    if response.status_code == 303 and "/signatures/confirmed/" in response.headers["Location"]:
        return client.get(response.headers["Location"])
    return response


def write_due_mail():
    """The worker's first mail step: the confirmation mails of new signatures written to the outbox."""
    from advocacy.signatures.service import queue_due_confirmations

    while queue_due_confirmations():
        pass


def sign_and_write_mail(client, slug, **fields):
    """Sign, then the worker writes the confirmation mail to the outbox (it is not sent yet)."""
    response = sign_form(client, slug, **fields)
    write_due_mail()
    return response


def deliver_mail():
    """Run the worker's mail steps: signers' confirmation mails written, and queued mail sent to the
    real SMTP server."""
    from advocacy.mail.service import send_due
    from advocacy.signatures.service import queue_due_confirmations

    while queue_due_confirmations() or sum(send_due()):
        pass


LINK_RE = re.compile(r"http://localhost(/signatures/(confirm|remove)/[A-Za-z0-9_\-]+)")


def links_in(message) -> dict[str, str]:
    """{"confirm": path, "remove": path} from a mail's plain-text part."""
    body = message.get_body(("plain",)).get_content()
    return {kind: path for path, kind in LINK_RE.findall(body)}


@pytest.fixture
def signer(client, inbox):
    """Sign, receive the mail over SMTP, and return its links."""

    def run(slug, email="maria@example.org", **fields):
        response = sign_form(client, slug, email=email, **fields)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        deliver_mail()
        mails = inbox.to(email)
        assert mails, f"no mail reached {email}"
        return links_in(mails[-1])

    return run


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app):
    from advocacy.accounts.service import create_user

    def make(email="organiser@example.org", role="organiser", campaigns=(), password=PASSWORD):
        from advocacy.accounts.service import add_member

        user = create_user(email, password, role=role)
        for campaign in campaigns:
            add_member(campaign, user)
        db.session.commit()
        return user

    return make


def login(client, email, password=PASSWORD):
    page = client.get("/organise/login")
    return client.post("/organise/login", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": email, "password": password})


@pytest.fixture
def organiser_client(client, campaign, make_user):
    """A client logged in as an organiser of `campaign`."""
    make_user("owner@example.org", campaigns=[campaign])
    assert login(client, "owner@example.org").status_code == 302
    return client


@pytest.fixture
def admin_client(client, make_user):
    make_user("admin@example.org", role="admin")
    assert login(client, "admin@example.org").status_code == 302
    return client


@pytest.fixture
def fake_stripe(app):
    """Donations on, with the real stripe library talking to a local recording server."""
    from tests.support.fake_stripe import FakeStripe

    with FakeStripe() as fake:
        app.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_API_BASE=fake.base_url,
                          STRIPE_WEBHOOK_SECRET="whsec_test")
        yield fake


# ZIPs with hand-checked geography (zccd.csv, zipcodes): one district, three districts, an at-large
# state, a PO box (not in zccd.csv) in a many-seat and in a single-seat state, a vacant seat.
GEOGRAPHY_ZIPS = {"94105": "CA-11", "60614": "IL-3 IL-5 IL-7", "35005": "AL-6 AL-7", "05401": "VT-AL",
                  "94120": "CA-??", "05402": "VT-AL", "94541": "CA-14"}


@pytest.fixture
def geography(app, tmp_path):
    """The real lawmaker list and the zccd.csv rows of GEOGRAPHY_ZIPS (the full load is tested once)."""
    import csv as _csv

    from advocacy.geography.service import DATA_DIR, load_geography

    subset = tmp_path / "zccd.csv"
    with (DATA_DIR / "zccd.csv").open(newline="") as src, subset.open("w", newline="") as dst:
        rows = _csv.reader(src)
        writer = _csv.writer(dst)
        writer.writerow(next(rows))
        writer.writerows(r for r in rows if r[2] in GEOGRAPHY_ZIPS)
    return load_geography(zccd=subset)


def render_packets():
    """The worker's packet step (worker.py calls it each round): packets being prepared get their PDF.
    Called directly so the test's session and objects survive (run_worker removes the session)."""
    from advocacy.delivery.packets import render_due

    return render_due()


def create_packet(client, slug, recipient="", dashboard=None):
    """Press the dashboard's packet button as an organiser, let the worker render the PDF, and
    download it from the delivery's page: returns the PDF response."""
    page = dashboard or client.get(f"/organise/campaigns/{slug}").get_data(as_text=True)
    response = client.post(f"/organise/campaigns/{slug}/exports/packet",
                           data={"csrf_token": csrf_token(page), "recipient": recipient})
    assert response.status_code == 303, response.status_code
    packet_page = response.headers["Location"]
    assert "being prepared" in client.get(packet_page).get_data(as_text=True)
    render_packets()
    assert "being prepared" not in client.get(packet_page).get_data(as_text=True)
    pdf = client.get(packet_page + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", pdf.status_code
    return pdf
