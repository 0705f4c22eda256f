"""Concurrent signers on PostgreSQL: no lost or doubled signatures, exact counts."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures import counting
from advocacy.signatures.models import Signature
from tests.conftest import ON_POSTGRES, csrf_token, deliver_mail, links_in

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not ON_POSTGRES, reason="concurrency tests run on PostgreSQL")]


def run_together(n, action):
    """Start n threads that each prepare, wait for all the others, then act at once."""
    barrier = threading.Barrier(n, timeout=60)

    def worker(i):
        return action(i, barrier)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(worker, range(n)))


def test_fifty_concurrent_signers_give_fifty_confirmed_and_a_count_of_fifty(app, campaign, inbox):
    slug = campaign.slug

    def sign(i, barrier):
        client = app.test_client()
        token = csrf_token(client.get(f"/campaigns/{slug}").get_data(as_text=True))
        barrier.wait()
        return client.post(f"/campaigns/{slug}/sign", data={
            "csrf_token": token, "given_name": f"Signer {i}", "email": f"signer{i}@example.org",
            "postal_code": "60614"}).status_code

    assert run_together(50, sign) == [303] * 50
    deliver_mail()
    links = {m["To"]: links_in(m)["confirm"] for m in inbox.messages}
    assert len(links) == 50

    stop_folding = threading.Event()

    def fold_continuously():  # the worker folds while confirmations pour in
        with app.app_context():
            while not stop_folding.is_set():
                counting.fold_deltas(batch_size=7)

    folder = threading.Thread(target=fold_continuously)
    folder.start()

    def confirm(i, barrier):
        client = app.test_client()
        path = links[f"signer{i}@example.org"]
        token = csrf_token(client.get(path).get_data(as_text=True))
        barrier.wait()
        return client.post(path, data={"csrf_token": token}).status_code

    try:
        assert run_together(50, confirm) == [303] * 50  # each on to its confirmed page
    finally:
        stop_folding.set()
        folder.join()

    confirmed = db.session.scalar(
        sa.select(sa.func.count()).select_from(Signature).where(Signature.status == "confirmed"))
    assert confirmed == 50
    assert counting.signature_count(campaign.id) == 50
    counting.fold_all()
    assert counting.signature_count(campaign.id) == 50
    assert counting.recount() == []


def test_twenty_concurrent_requests_with_one_email_give_one_signature(app, campaign, inbox):
    slug = campaign.slug

    def sign(i, barrier):
        client = app.test_client()
        token = csrf_token(client.get(f"/campaigns/{slug}").get_data(as_text=True))
        barrier.wait()
        return client.post(f"/campaigns/{slug}/sign", data={
            "csrf_token": token, "given_name": "Same", "family_name": "Person",
            "email": "Same.Person@gmail.com" if i % 2 else "sameperson+x@gmail.com",
            "postal_code": "60614"}).status_code

    assert run_together(20, sign) == [303] * 20
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1
    deliver_mail()
    assert len(inbox.messages) == 1  # one confirmation, not twenty


def test_concurrent_confirmations_of_one_signature_count_once(app, campaign, inbox, signer):
    path = signer(campaign.slug)["confirm"]

    def confirm(i, barrier):
        client = app.test_client()
        token = csrf_token(client.get(path).get_data(as_text=True))
        barrier.wait()
        return client.post(path, data={"csrf_token": token}).status_code

    assert run_together(10, confirm) == [303] * 10  # all on to the confirmed page; counted once
    assert counting.signature_count(campaign.id) == 1
    assert counting.recount() == []


def test_workers_writing_confirmation_mails_at_once_write_each_exactly_once(app, campaign):
    """Several workers take the signatures due their mail at the same time (SKIP LOCKED): each
    signature gets one confirm and one remove link and one mail, and none is left due."""
    from advocacy.mail.models import OutboxMessage
    from advocacy.signatures.models import ConfirmationDue, SignatureToken
    from advocacy.signatures.service import queue_due_confirmations
    from tests.conftest import sign_form

    client = app.test_client()
    for i in range(60):
        assert sign_form(client, campaign.slug, email=f"due{i}@example.org").status_code == 303

    def write(_i, barrier):
        with app.app_context():
            barrier.wait()
            taken = 0
            while written := queue_due_confirmations(limit=7):
                taken += written
            return taken

    assert sum(run_together(4, write)) == 60
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    assert count(ConfirmationDue) == 0
    assert count(OutboxMessage) == 60
    assert count(SignatureToken) == 120
    per_address = db.session.execute(sa.select(OutboxMessage.to_address, sa.func.count())
                                      .group_by(OutboxMessage.to_address)).all()
    assert {n for _, n in per_address} == {1} and len(per_address) == 60
