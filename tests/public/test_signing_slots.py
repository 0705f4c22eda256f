"""Signing slots (advocacy/public/admission.py): a process signs and confirms only a few at a time, so
its other threads stay free for the campaign page; a signer who finds no slot within the wait is told
so (503, press again) and nothing is recorded."""
import socket
import threading
import time
from functools import partial
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.public.admission import NoSigningSlot, SigningSlots, signing_slots
from advocacy.signatures.models import Signature
from bench.formclient import FormClient, signer_fields
from tests.conftest import csrf_token, sign_form


def stored():
    db.session.expire_all()
    return {(s.email, s.status) for s in db.session.scalars(sa.select(Signature))}


def one_slot(app, wait_seconds=0.05):
    app.config.update(SIGNING_SLOTS=1, SIGNING_SLOT_WAIT_SECONDS=wait_seconds)
    return signing_slots()


def test_a_signer_who_finds_every_slot_taken_gets_503_and_nothing_is_stored_then_signs_when_one_frees(app, client,
                                                                                                     campaign):
    slots = one_slot(app)
    with slots.held():  # another signature is being taken
        busy = sign_form(client, campaign.slug, email="ana@example.org")
        page = client.get(f"/campaigns/{campaign.slug}")  # readers are not held up by signing
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "5"
    assert busy.headers["Cache-Control"] == "no-store"
    assert "press the button again" in busy.get_data(as_text=True)
    assert page.status_code == 200
    assert stored() == set()

    assert sign_form(client, campaign.slug, email="ana@example.org").status_code == 303
    assert stored() == {("ana@example.org", "pending")}


def test_the_busy_page_is_in_the_signers_language(app, client, campaign):
    slots = one_slot(app)
    with slots.held():
        client.set_cookie("lang", "es")
        busy = sign_form(client, campaign.slug, email="ana@example.org")
    assert busy.status_code == 503
    assert "Hay demasiadas personas firmando" in busy.get_data(as_text=True)


def test_confirming_waits_for_a_slot_too_and_a_refused_confirmation_leaves_the_signature_pending(app, client,
                                                                                                 campaign, signer):
    slots = one_slot(app)
    links = signer(campaign.slug, email="ana@example.org")
    page = client.get(links["confirm"]).get_data(as_text=True)
    with slots.held():
        busy = client.post(links["confirm"], data={"csrf_token": csrf_token(page)})
    assert busy.status_code == 503
    assert stored() == {("ana@example.org", "pending")}

    assert client.post(links["confirm"], data={"csrf_token": csrf_token(page)}).status_code == 303
    assert stored() == {("ana@example.org", "confirmed")}


def test_a_signature_waits_its_turn_holding_no_database_connection_then_signs_when_the_slot_frees(app, campaign,
                                                                                                    live_server):
    slots = one_slot(app, wait_seconds=10)
    visitor = FormClient()
    page_url = f"{live_server}/campaigns/{campaign.slug}"
    sign = partial(visitor.submit, page_url, f"{page_url}/sign")
    assert sign(signer_fields("first@example.org")).status == 303  # warm: the ZIP data loaded
    db.session.remove()  # the test's own session gives its connection back
    answers = []
    with slots.held():  # someone else's signature is being taken
        signing = threading.Thread(target=lambda: answers.append(sign(signer_fields("ana@example.org"))))
        signing.start()
        time.sleep(1)  # the signer has read the page and waits for this slot
        answered_while_the_slot_was_taken = bool(answers)
        connections_in_use_while_waiting = db.engine.pool.checkedout()
    signing.join()
    assert not answered_while_the_slot_was_taken
    assert connections_in_use_while_waiting == 0
    assert answers[0].status == 303
    assert stored() == {("first@example.org", "pending"), ("ana@example.org", "pending")}


def test_a_client_sending_its_form_slowly_holds_no_slot_while_it_does(app, campaign, live_server):
    one_slot(app, wait_seconds=1)
    host, port = live_server.removeprefix("http://").split(":")
    body = urlencode(signer_fields("slow@example.org")).encode()
    slow = socket.create_connection((host, int(port)))
    slow.sendall(f"POST /campaigns/{campaign.slug}/sign HTTP/1.1\r\nHost: {host}\r\n"
                 f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                 + body[:10])  # the headers and a little of the form, the rest still to come
    try:
        time.sleep(0.3)  # the app has the request and is reading its body
        page_url = f"{live_server}/campaigns/{campaign.slug}"
        other = FormClient().submit(page_url, f"{page_url}/sign", signer_fields("ana@example.org"))
        assert other.status == 303  # not 503: the slow client did not take the only slot
    finally:
        slow.close()
    assert stored() == {("ana@example.org", "pending")}


def test_no_more_than_the_slots_run_at_once_and_every_one_runs():
    slots = SigningSlots(2, wait_seconds=10)
    inside = peak = done = 0
    lock = threading.Lock()

    def work():
        nonlocal inside, peak, done
        with slots.held():
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1
                done += 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (peak, done) == (2, 8)


def test_no_slot_within_the_wait_raises_and_zero_slots_means_no_limit():
    slots = SigningSlots(1, wait_seconds=0.01)
    with slots.held(), pytest.raises(NoSigningSlot), slots.held():
        raise AssertionError("a second holder got in")
    unlimited = SigningSlots(0, wait_seconds=0.01)
    with unlimited.held(), unlimited.held(), unlimited.held():
        pass
