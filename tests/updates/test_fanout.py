"""Issue #10: posting an update returns at once; the worker mails it in batches, each batch its own
transaction, so a crash sends nobody twice and two workers never take the same batch."""
import threading
from collections import Counter
from functools import partial

import pytest
import sqlalchemy as sa

from advocacy import worker
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from advocacy.signatures.models import Signature
from advocacy.updates import service
from advocacy.updates.models import CampaignUpdate
from tests.conftest import ON_POSTGRES, post_button
from tests.updates.test_updates import UNSUBSCRIBE, post_update, run_the_worker

KEEN = [f"s{i}@example.org" for i in range(5)]


@pytest.fixture
def keen_signers(organiser_client, campaign, signer, inbox):
    """Five confirmed signers who asked for updates, one who did not, one who has not confirmed
    (its confirm link is returned)."""
    for email in KEEN:
        post_button(organiser_client, signer(campaign.slug, email=email, keep_updated=True)["confirm"])
    post_button(organiser_client, signer(campaign.slug, email="quiet@example.org")["confirm"])
    pending = signer(campaign.slug, email="pending@example.org", keep_updated=True)["confirm"]
    inbox.clear()
    return pending


def update_mails() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "campaign_update")
                                   .order_by(OutboxMessage.id)))


def the_update() -> CampaignUpdate:
    db.session.expire_all()
    return db.session.scalars(sa.select(CampaignUpdate)).one()


def fan_out_one_batch(app, batch_size=2) -> bool:
    with app.app_context():  # its own session, as a worker process has
        return service.fan_out_due(batch_size=batch_size)


def updates_page(client, slug) -> str:
    return client.get(f"/organise/campaigns/{slug}/updates").get_data(as_text=True)


def test_posting_queues_no_mail_and_the_worker_mails_each_opted_in_signer_once_in_batches(
        app, organiser_client, campaign, keen_signers, inbox, monkeypatch):
    response = post_update(organiser_client, campaign.slug)
    assert response.status_code == 302
    assert "Update posted; mailing 5 signers." in organiser_client.get(response.location).get_data(as_text=True)
    assert update_mails() == []  # nothing rendered or queued in the organiser's request
    update = the_update()
    assert (update.recipients, update.fanout_total, update.fanout_done_at) == (0, 5, None)
    assert "0 of 5 so far" in updates_page(organiser_client, campaign.slug)

    batches = []

    def counted(**kwargs):
        batches.append(service.fan_out_due(**kwargs))
        return batches[-1]

    monkeypatch.setattr(worker, "fan_out_due", partial(counted, batch_size=2))
    run_the_worker(app)
    assert batches == [True, True, True, True, False]  # 2 + 2 + 1 signers, then "none left", then idle
    assert sorted(m["To"] for m in inbox.messages) == KEEN
    assert {m.status for m in update_mails()} == {"sent"}
    update = the_update()
    assert update.recipients == 5 and update.fanout_done_at is not None
    assert "5, done" in updates_page(organiser_client, campaign.slug)
    run_the_worker(app)  # nothing left to do
    assert len(inbox.messages) == 5


def test_each_batch_commits_its_mails_with_its_cursor_and_the_page_shows_progress(
        app, organiser_client, campaign, keen_signers):
    post_update(organiser_client, campaign.slug)
    ids = list(db.session.scalars(sa.select(Signature.id).where(Signature.email.in_(KEEN)).order_by(Signature.id)))
    assert fan_out_one_batch(app) is True
    update = the_update()
    assert [m.to_address for m in update_mails()] == KEEN[:2]
    assert (update.recipients, update.fanout_last_signature_id, update.fanout_done_at) == (2, ids[1], None)
    assert "2 of 5 so far" in updates_page(organiser_client, campaign.slug)


def test_a_crash_in_the_middle_sends_nobody_twice_and_skips_nobody(
        app, organiser_client, campaign, keen_signers, inbox, monkeypatch):
    post_update(organiser_client, campaign.slug)
    assert fan_out_one_batch(app) is True  # first batch committed: s0, s1

    real_queue_mail, calls = service.queue_mail, []

    def crash_on_the_second_mail(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError("worker killed mid-batch")
        return real_queue_mail(*args, **kwargs)

    monkeypatch.setattr(service, "queue_mail", crash_on_the_second_mail)
    with pytest.raises(RuntimeError):
        fan_out_one_batch(app)
    assert calls == KEEN[2:4]
    assert [m.to_address for m in update_mails()] == KEEN[:2]  # the broken batch left nothing behind
    assert the_update().recipients == 2
    monkeypatch.setattr(service, "queue_mail", real_queue_mail)

    monkeypatch.setattr(worker, "fan_out_due", partial(service.fan_out_due, batch_size=2))
    run_the_worker(app)  # the restarted worker carries on from the cursor
    assert sorted(m["To"] for m in inbox.messages) == KEEN
    assert the_update().recipients == 5


def test_signers_are_taken_as_they_are_when_their_batch_is_mailed(
        app, organiser_client, campaign, keen_signers, signer, inbox, monkeypatch):
    """Unsubscribing after the update is posted, before its batch, means no mail; a pending
    signer who confirms meanwhile gets it; someone who signs after the update was posted does not."""
    monkeypatch.setattr(worker, "fan_out_due", partial(service.fan_out_due, batch_size=2))
    post_update(organiser_client, campaign.slug, title="First")
    run_the_worker(app)
    unsubscribe = UNSUBSCRIBE.search(inbox.to(KEEN[4])[0].get_body(("plain",)).get_content()).group(1)
    inbox.clear()

    response = post_update(organiser_client, campaign.slug, title="Second")
    assert "Update posted; mailing 5 signers." in organiser_client.get(response.location).get_data(as_text=True)
    post_button(organiser_client, unsubscribe)
    post_button(organiser_client, keen_signers)  # the pending signer confirms
    post_button(organiser_client, signer(campaign.slug, email="late@example.org", keep_updated=True)["confirm"])
    inbox.clear()
    run_the_worker(app)
    assert sorted(m["To"] for m in inbox.messages if m["Subject"] == "Second") == \
        sorted(KEEN[:4] + ["pending@example.org"])


def test_a_worker_that_lost_the_race_for_a_batch_rolls_back_without_mailing(
        app, organiser_client, campaign, keen_signers, monkeypatch):
    """Without row locks (SQLite) the cursor only moves from the value the batch read: a second
    worker that mailed the same batch first makes this one roll back."""
    post_update(organiser_client, campaign.slug)
    monkeypatch.setattr(service, "is_postgres", lambda: False)
    real_mailed, raced = service._mailed, []

    def other_worker_first(campaign_id):
        if not raced:  # this worker has read the cursor; another one takes the batch meanwhile
            raced.append("racing")
            raced[0] = fan_out_one_batch(app)
        return real_mailed(campaign_id)

    monkeypatch.setattr(service, "_mailed", other_worker_first)
    with app.app_context():
        assert service.fan_out_due(batch_size=2) is True  # lost: nothing queued, call again
    assert raced == [True]
    assert [m.to_address for m in update_mails()] == KEEN[:2]  # once each, by the other worker
    assert the_update().recipients == 2


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks (FOR UPDATE SKIP LOCKED) need PostgreSQL")
def test_two_workers_fanning_out_at_once_send_each_signer_exactly_one_mail(
        app, organiser_client, campaign, keen_signers, inbox, monkeypatch):
    post_update(organiser_client, campaign.slug, title="First")
    post_update(organiser_client, campaign.slug, title="Second")
    real_queue_mail = service.queue_mail

    def slow_queue_mail(*args, **kwargs):  # widen the window in which the two workers overlap
        threading.Event().wait(0.01)
        return real_queue_mail(*args, **kwargs)

    monkeypatch.setattr(service, "queue_mail", slow_queue_mail)
    start, errors, batches = threading.Barrier(2), [], Counter()

    def fan_out(name):
        try:
            with app.app_context():
                start.wait()
                while db.session.scalar(sa.select(sa.func.count()).select_from(CampaignUpdate)
                                        .where(CampaignUpdate.fanout_done_at.is_(None))):
                    db.session.commit()  # end the read so the next batch sees the latest cursor
                    if service.fan_out_due(batch_size=2):
                        batches[name] += 1
                db.session.remove()
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=fan_out, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # 2 updates x (3 batches + "none left"); a locked update is skipped, so no batch is taken twice
    assert sum(batches.values()) == 8
    pairs = Counter((m.to_address, m.subject) for m in update_mails())
    assert pairs == Counter({(email, title): 1 for email in KEEN for title in ("First", "Second")})
    run_the_worker(app)
    assert Counter((m["To"], m["Subject"]) for m in inbox.messages) == pairs


def test_migration_marks_updates_mailed_before_it_as_done(tmp_path):
    """Updates posted before 0010 were mailed in the request: the worker must not mail them again."""
    from datetime import datetime

    from flask_migrate import upgrade

    from advocacy import create_app
    from tests.conftest import SessionConfig

    app = create_app(type("Cfg", (SessionConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"}))
    posted = datetime(2026, 1, 2, 3, 4, 5)
    with app.app_context():
        upgrade(revision="0009")
        # The 0009 tables, in SQL: the model has columns later migrations add.
        db.session.execute(sa.text(
            "INSERT INTO campaigns (id, slug, title, ask, summary, background, target_chamber, target_states, goal, "
            "state, created_at, updated_at) VALUES (1, 'old', 'Old', 'Ask.', 'Summary.', 'Why.', 'both', '', 10, "
            "'draft', :posted, :posted)"), {"posted": posted})
        db.session.execute(sa.text(  # no fan-out columns yet
            "INSERT INTO campaign_updates (id, campaign_id, title, body, recipients, created_at) "
            "VALUES (1, 1, 'Old news', 'Body', 42, :posted)"), {"posted": posted})
        db.session.commit()
        upgrade()
        update = db.session.get(CampaignUpdate, 1)
        assert (update.recipients, update.fanout_total, update.fanout_done_at) == (42, 42, posted)
        assert service.fan_out_due() is False
        db.session.remove()
        db.engine.dispose()
