"""App servers are stateless: two gunicorn servers on one PostgreSQL database take turns with the same
signers through the real forms, and both report exactly what the database holds."""
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from bench.formclient import CONFIRM_RE, AppServer, FormClient, app_env, signer_fields
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, write_due_mail

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not ON_POSTGRES, reason="runs gunicorn against PostgreSQL (TEST_DATABASE_URL)")]

N = 40


def test_two_app_servers_share_nothing_but_the_database(app, campaign, tmp_path):
    env = app_env(TEST_DATABASE_URL)
    servers = [AppServer(env, workers=2, log_path=tmp_path / f"gunicorn-{i}.log") for i in range(2)]
    try:
        for server in servers:
            server.wait_ready()
        a, b = (s.base_url for s in servers)
        slug = campaign.slug

        def sign(i):
            # The page (and its CSRF token and session cookie) from one server, the POST to the other.
            page_from, post_to = (a, b) if i % 2 else (b, a)
            response = FormClient().submit(f"{page_from}/campaigns/{slug}", f"{post_to}/campaigns/{slug}/sign",
                                           signer_fields(f"stateless-{i}@example.org"))
            return response.status

        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(sign, range(N))) == [303] * N
        write_due_mail()  # the worker's step: each signer's links and mail

        rows = db.session.execute(sa.text(
            "SELECT o.to_address, o.context, s.status FROM outbox_messages o"
            " JOIN signatures s ON s.email = o.to_address WHERE s.campaign_id = :c AND o.kind LIKE 'confirm%'"),
            {"c": campaign.id}).all()
        db.session.rollback()
        assert sorted(r.to_address for r in rows) == sorted(f"stateless-{i}@example.org" for i in range(N))
        assert {r.status for r in rows} == {"pending"}

        def confirm(i_row):
            i, row = i_row
            path = CONFIRM_RE.search(row.context["confirm_url"]).group(0)  # the mail is rendered by the worker
            base = b if i % 2 else a  # confirmed through the server that did not take the POST
            return FormClient().submit(base + path, base + path, {}).status

        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(confirm, enumerate(rows))) == [303] * N  # on to the confirmed page

        stored = db.session.scalar(sa.text(
            "SELECT count(*) FROM signatures WHERE campaign_id = :c AND status = 'confirmed'"), {"c": campaign.id})
        db.session.rollback()
        assert stored == N

        counts = {}
        deadline = time.monotonic() + 10  # a cached campaign JSON may lag for a few seconds
        while time.monotonic() < deadline:
            for base in (a, b):
                response = FormClient().request(f"{base}/campaigns/{slug}.json")
                assert response.status == 200
                counts[base] = json.loads(response.body)["signature_count"]
            if set(counts.values()) == {N}:
                break
            time.sleep(0.5)
        assert counts == {a: N, b: N}
    finally:
        for server in servers:
            server.stop()
