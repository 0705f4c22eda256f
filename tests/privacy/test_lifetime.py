"""Personal data has a lifetime: PERSONAL_DATA_RETENTION_DAYS after a campaign is delivered or
closed, signers' and donors' personal data is anonymised, and every count stays exactly as it was."""
from datetime import timedelta

import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.database import utcnow
from advocacy.donations.models import Donation
from advocacy.extensions import db
from advocacy.geography.models import SignatureDistrict
from advocacy.mail.models import OutboxMessage
from advocacy.signatures.counting import fold_all
from advocacy.signatures.models import Signature, SignatureToken, Tally, TallyDelta
from tests.conftest import post_button
from tests.donations.helpers import donate, donations, post_event, session_event


def _tallies():
    rows = db.session.execute(sa.select(Tally.campaign_id, Tally.kind, Tally.key, Tally.count)).all()
    deltas = db.session.execute(sa.select(TallyDelta.campaign_id, TallyDelta.kind, TallyDelta.key,
                                          TallyDelta.delta).order_by(TallyDelta.id)).all()
    return sorted(rows), deltas


def _sign_and_confirm(client, signer, slug, email, **fields):
    links = signer(slug, email=email, **fields)
    assert post_button(client, links["confirm"]).status_code in (200, 303)


def _end(campaign, days_ago, state="delivered"):
    campaign.state = state
    if state == "delivered":
        campaign.delivered_at = utcnow() - timedelta(days=days_ago)
    campaign.closed_at = utcnow() - timedelta(days=days_ago + 1)
    db.session.commit()


def test_anonymise_due_erases_names_and_emails_but_keeps_counts_and_tallies(
        app, client, make_campaign, signer, geography, fake_stripe):
    old = make_campaign(slug="old-one", title="Old campaign")
    recent = make_campaign(slug="recent-one", title="Recent campaign")
    _sign_and_confirm(client, signer, old.slug, "ana@example.org", full_name="Ana Ruiz",
                      postal_code="60614", comment="My family needs this")
    _sign_and_confirm(client, signer, old.slug, "bo@example.org", full_name="Bo Chen", postal_code="94105")
    signer(old.slug, email="pending@example.org", full_name="Pat Pending")  # never confirmed
    _sign_and_confirm(client, signer, recent.slug, "ana@example.org", full_name="Ana Ruiz")
    donate(client, old.slug, custom="25")
    post_event(client, session_event("checkout.session.completed", fake_stripe, donations()[-1],
                                     email="ana@example.org"))
    assert donations()[-1].donor_email == "ana@example.org"
    fold_all()

    _end(old, days_ago=184)
    _end(recent, days_ago=30)
    before_json = client.get(f"/campaigns/{old.slug}.json").json
    before_tallies = _tallies()
    before_districts = sorted(db.session.execute(sa.select(SignatureDistrict.signature_id,
                                                           SignatureDistrict.district)).all())
    assert before_json["signature_count"] == 2

    result = app.test_cli_runner().invoke(args=["advocacy", "anonymise-due"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 3 signature(s)" in result.output

    db.session.expire_all()
    assert client.get(f"/campaigns/{old.slug}.json").json == before_json
    assert _tallies() == before_tallies
    assert sorted(db.session.execute(sa.select(SignatureDistrict.signature_id,
                                               SignatureDistrict.district)).all()) == before_districts
    for s in db.session.scalars(sa.select(Signature).where(Signature.campaign_id == old.id)):
        assert s.full_name == "" and s.email == s.email_canonical == f"anonymised-{s.id}@invalid"
        assert s.comment is None and s.town is None and s.ip_hash is None and len(s.postal_code) == 3
        assert s.anonymised_at is not None and s.state  # the state stays (it is counted)
    statuses = sorted(db.session.scalars(sa.select(Signature.status).where(Signature.campaign_id == old.id)))
    assert statuses == ["confirmed", "confirmed", "pending"]
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(SignatureToken).join(Signature)
                                 .where(Signature.campaign_id == old.id))
    assert db.session.scalar(sa.select(Donation.donor_email).where(Donation.campaign_id == old.id)) is None
    # The recent campaign is untouched, and so is the signers' mail queue for it.
    kept = db.session.scalars(sa.select(Signature).where(Signature.campaign_id == recent.id)).one()
    assert kept.full_name == "Ana Ruiz" and kept.anonymised_at is None
    # Nothing on the public pages or in the organisers' export still names them.
    page = client.get(f"/campaigns/{old.slug}").get_data(as_text=True)
    assert "Ana Ruiz" not in page and "My family needs this" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "personal_data_anonymised")) >= 1

    again = app.test_cli_runner().invoke(args=["advocacy", "anonymise-due"])
    assert "Anonymised 0 signature(s)" in again.output
    assert _tallies() == before_tallies


def test_anonymise_runs_in_batches_each_committed(app, client, campaign, signer):
    from advocacy.privacy.service import anonymise_due

    for n in range(5):
        _sign_and_confirm(client, signer, campaign.slug, f"s{n}@example.org")
    _end(campaign, days_ago=200, state="closed")
    report = anonymise_due(batch_size=2)
    assert (report.signatures, report.batches) == (5, 3)
    assert client.get(f"/campaigns/{campaign.slug}.json").json["signature_count"] == 5


def test_the_retention_period_is_a_setting(app, client, campaign, signer):
    from advocacy.privacy.service import anonymise_due

    _sign_and_confirm(client, signer, campaign.slug, "a@example.org")
    _end(campaign, days_ago=20, state="closed")
    assert anonymise_due().signatures == 0
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 14
    assert anonymise_due().signatures == 1


def test_open_campaigns_are_never_anonymised(app, client, campaign, signer):
    from advocacy.privacy.service import anonymise_due

    _sign_and_confirm(client, signer, campaign.slug, "a@example.org")
    assert anonymise_due(now=utcnow() + timedelta(days=3650)).signatures == 0


def test_old_sent_mail_is_deleted_with_the_lifetime(app, client, campaign, signer):
    from advocacy.privacy.service import anonymise_due

    signer(campaign.slug, email="a@example.org")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    assert anonymise_due(now=utcnow() + timedelta(days=184)).mails == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_worker_runs_anonymise_due(app, client, campaign, signer):
    from advocacy.worker import run_worker

    _sign_and_confirm(client, signer, campaign.slug, "w@example.org")
    _end(campaign, days_ago=400)
    run_worker(once=True)
    db.session.expire_all()
    assert db.session.scalars(sa.select(Signature.anonymised_at)).one() is not None
