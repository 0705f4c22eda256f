"""Webhooks delivered at the same moment on PostgreSQL: nothing counted twice, nothing lost."""
import pytest
import sqlalchemy as sa

from advocacy.donations.models import StripeEvent
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from tests.conftest import ON_POSTGRES
from tests.donations.helpers import donate, donations, post_event, refund_event, session_event
from tests.signatures.test_concurrency import run_together

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not ON_POSTGRES, reason="concurrency tests run on PostgreSQL")]


def deliver_together(app, events):
    def deliver(i, barrier):
        client = app.test_client()
        barrier.wait()
        return post_event(client, events[i]).status_code

    return run_together(len(events), deliver)


def test_the_same_paid_event_delivered_ten_times_at_once_counts_once(app, client, campaign, fake_stripe):
    donate(client, campaign.slug, amount="25")
    event = session_event("checkout.session.completed", fake_stripe, donations()[0])
    assert deliver_together(app, [event] * 10) == [200] * 10
    assert [d.status for d in donations()] == ["paid"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "donation_receipt")) == 1


def test_refund_and_completion_arriving_together_always_end_refunded(app, client, campaign, fake_stripe):
    for _ in range(8):
        donate(client, campaign.slug, amount="25")
    for n, donation in enumerate(donations()):
        pi = f"pi_race_{n}"
        events = [session_event("checkout.session.completed", fake_stripe, donation, payment_intent=pi),
                  refund_event(payment_intent=pi)]
        assert deliver_together(app, events) == [200, 200]
    assert [(d.status, d.refunded_amount_cents) for d in donations()] == [("refunded", 2500)] * 8
