"""Signing on the hot path: on PostgreSQL a new signature, its districts and its `ConfirmationDue`
row go in one statement (README, "Signing in few round trips"); the worker then writes its two link
tokens and its confirmation mail. On every database the rows are the same."""
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from advocacy.database import AutocommitStatement
from advocacy.extensions import db
from advocacy.geography.models import SignatureDistrict
from advocacy.geography.service import resolve
from advocacy.mail.models import OutboxMessage, SuppressedAddress
from advocacy.signatures.models import ConfirmationDue, Signature, SignatureToken
from tests.conftest import sign_form, write_due_mail


@pytest.fixture
def statements(app, monkeypatch):
    """The first word of every statement sent: through SQLAlchemy's connections, and (marked
    "alone:") straight to the driver in autocommit (`AutocommitStatement`)."""
    seen = []

    def remember(_conn, _cursor, statement, *_args):
        seen.append(statement.split(None, 1)[0].upper())

    sent_alone = AutocommitStatement.first_row

    def first_row(self, values):
        seen.append("alone:" + self.sql.split(None, 1)[0].upper())
        return sent_alone(self, values)

    monkeypatch.setattr(AutocommitStatement, "first_row", first_row)
    event.listen(db.engine, "before_cursor_execute", remember)
    yield seen
    event.remove(db.engine, "before_cursor_execute", remember)


def rows_for(email):
    db.session.expire_all()
    signature = db.session.scalars(sa.select(Signature).where(Signature.email == email)).one()
    districts = db.session.scalars(sa.select(SignatureDistrict.district)
                                   .where(SignatureDistrict.signature_id == signature.id)).all()
    purposes = db.session.scalars(sa.select(SignatureToken.purpose)
                                  .where(SignatureToken.signature_id == signature.id)).all()
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.signature_id == signature.id)).all()
    return signature, districts, purposes, mails


def due(signature) -> bool:
    return db.session.get(ConfirmationDue, signature.id) is not None


def test_a_new_signature_is_stored_with_districts_and_due_its_mail_in_one_statement_on_postgresql(
        app, client, campaign, statements):
    client.get(f"/campaigns/{campaign.slug}")
    statements.clear()
    assert sign_form(client, campaign.slug, email="rosa@example.org", postal_code="60614").status_code == 303

    writes = [s for s in statements if s.removeprefix("alone:") in ("INSERT", "WITH", "UPDATE")]
    if db.engine.dialect.name == "postgresql":
        assert writes == ["alone:WITH"]  # one round trip, no BEGIN or COMMIT
    else:
        assert writes == ["INSERT"] * 3
    signature, districts, purposes, mails = rows_for("rosa@example.org")
    assert signature.status == "pending" and signature.campaign_id == campaign.id
    assert sorted(districts) == sorted(resolve("60614").districts)
    assert due(signature) and purposes == [] and mails == []  # the request wrote no links and no mail

    write_due_mail()
    signature, _districts, purposes, mails = rows_for("rosa@example.org")
    assert not due(signature)
    assert sorted(purposes) == ["confirm", "remove"]
    assert [(m.kind, m.status, m.to_address, m.campaign_id) for m in mails] == [
        ("confirm_signature", "queued", "rosa@example.org", campaign.id)]
    assert "/signatures/confirm/" in mails[0].context["confirm_url"]


def test_a_suppressed_address_gets_its_signature_but_its_mail_is_held_back(app, client, campaign):
    db.session.add(SuppressedAddress(email_canonical="bounced@example.org", reason="bounce"))
    db.session.commit()
    assert sign_form(client, campaign.slug, email="bounced@example.org").status_code == 303
    write_due_mail()
    _signature, _districts, purposes, mails = rows_for("bounced@example.org")
    assert sorted(purposes) == ["confirm", "remove"]
    assert [m.status for m in mails] == ["suppressed"]


def test_a_form_a_script_filled_in_stores_the_signature_for_review_without_tokens_or_mail(app, client, campaign):
    assert sign_form(client, campaign.slug, email="bot@example.org", website="http://spam.example").status_code == 303
    write_due_mail()
    signature, districts, purposes, mails = rows_for("bot@example.org")
    assert signature.hold_reason == "honeypot"
    assert districts and not due(signature) and purposes == [] and mails == []


def test_signing_again_adds_no_second_row_token_or_mail(app, client, campaign):
    assert sign_form(client, campaign.slug, email="twice@example.org").status_code == 303
    assert sign_form(app.test_client(), campaign.slug, email="twice@example.org").status_code == 303
    write_due_mail()
    assert sign_form(app.test_client(), campaign.slug, email="twice@example.org").status_code == 303
    write_due_mail()
    _signature, _districts, purposes, mails = rows_for("twice@example.org")
    assert sorted(purposes) == ["confirm", "remove"] and len(mails) == 1


def test_confirming_spends_the_token_and_counts_in_one_statement_on_postgresql(app, client, campaign, signer,
                                                                                 statements):
    from advocacy.signatures.counting import signature_count, tallies_for
    from tests.conftest import csrf_token

    links = signer(campaign.slug, email="ines@example.org", postal_code="60614")
    token = csrf_token(client.get(links["confirm"]).get_data(as_text=True))
    statements.clear()
    assert client.post(links["confirm"], data={"csrf_token": token}).status_code == 303

    writes = [s for s in statements if s.removeprefix("alone:") in ("INSERT", "WITH", "UPDATE")]
    assert writes == (["alone:WITH"] if db.engine.dialect.name == "postgresql" else ["UPDATE", "UPDATE", "INSERT"])
    signature, districts, _purposes, _mails = rows_for("ines@example.org")
    assert signature.status == "confirmed"
    spent = db.session.scalars(sa.select(SignatureToken.used_at).where(
        SignatureToken.signature_id == signature.id, SignatureToken.purpose == "confirm")).one()
    assert spent is not None
    assert signature_count(campaign.id) == 1
    assert tallies_for(campaign.id, "state") == {"IL": 1}
    assert tallies_for(campaign.id, "district") == dict.fromkeys(districts, 1)


def test_a_signature_invalidated_before_the_worker_reaches_it_gets_no_mail(app, client, campaign):
    assert sign_form(client, campaign.slug, email="gone@example.org").status_code == 303
    db.session.execute(sa.update(Signature).values(status="invalidated"))
    db.session.commit()
    write_due_mail()
    signature, _districts, purposes, mails = rows_for("gone@example.org")
    assert not due(signature) and purposes == [] and mails == []
