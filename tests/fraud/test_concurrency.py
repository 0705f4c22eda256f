"""On PostgreSQL: invalidating and undoing while signers confirm never counts anyone twice."""
import pytest
import sqlalchemy as sa

from advocacy.accounts.models import User
from advocacy.campaigns.models import Campaign
from advocacy.extensions import db
from advocacy.fraud import service
from advocacy.signatures import counting
from advocacy.signatures.models import Signature
from tests.conftest import ON_POSTGRES, csrf_token, deliver_mail, links_in, sign_form
from tests.signatures.test_concurrency import run_together

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not ON_POSTGRES, reason="concurrency tests run on PostgreSQL")]


def test_invalidation_racing_confirmations_leaves_no_drift(app, client, campaign, inbox, make_user):
    user_id = make_user("owner@example.org", campaigns=[campaign]).id
    for i in range(20):
        sign_form(client, campaign.slug, email=f"bot{i}@spam.example")
    deliver_mail()
    paths = [links_in(m)["confirm"] for m in inbox.messages]
    campaign_id = campaign.id

    def act(i, barrier):
        if i == len(paths):  # one thread invalidates, twice over (then undoes and invalidates again)
            with app.app_context():
                campaign, user = db.session.get(Campaign, campaign_id), db.session.get(User, user_id)
                barrier.wait()
                batch = service.invalidate(campaign, {"email_domain": "spam.example"}, user)
                service.undo(campaign, batch.id, user)
                service.invalidate(campaign, {"email_domain": "spam.example"}, user)
                db.session.remove()
                return "invalidated"
        confirm_client = app.test_client()
        token = csrf_token(confirm_client.get(paths[i]).get_data(as_text=True))
        barrier.wait()
        return confirm_client.post(paths[i], data={"csrf_token": token}).status_code

    results = run_together(len(paths) + 1, act)
    assert results[-1] == "invalidated" and set(results[:-1]) <= {303, 404}
    confirmed = db.session.scalar(sa.select(sa.func.count()).select_from(Signature)
                                  .where(Signature.status == "confirmed"))
    assert counting.signature_count(campaign_id) == confirmed
    assert counting.measure_drift(campaign_id) == []
