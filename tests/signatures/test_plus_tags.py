"""+tag addresses of providers that deliver them to the same mailbox count once, and stored rows are
brought in line by `flask advocacy recanonicalise-emails` without breaking the unique index."""
import pytest
import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.signatures.counting import signature_count
from advocacy.signatures.identity import canonical_email
from advocacy.signatures.models import Signature
from tests.conftest import post_button, sign_form


@pytest.mark.parametrize("entered, canonical", [
    ("name+again@outlook.com", "name@outlook.com"),
    ("First.Last+x@Hotmail.com", "first.last@hotmail.com"),  # Outlook keeps dots
    ("a+b@live.com", "a@live.com"), ("a+b@msn.com", "a@msn.com"),
    ("a+b@icloud.com", "a@icloud.com"), ("a+b@me.com", "a@me.com"), ("a+b@mac.com", "a@mac.com"),
    ("a+b@fastmail.com", "a@fastmail.com"), ("a+b@proton.me", "a@proton.me"),
    ("a+b@protonmail.ch", "a@protonmail.ch"), ("a+b@pm.me", "a@pm.me"),
    ("base-shopping@yahoo.com", "base-@yahoo.com"), ("base-news@yahoo.com", "base-@yahoo.com"),
    ("plain@yahoo.com", "plain@yahoo.com"), ("a+b@yahoo.com", "a+b@yahoo.com"),  # Yahoo has no + addressing
    ("a+b@gmx.com", "a+b@gmx.com"), ("a+b@example.org", "a+b@example.org"),  # unknown rules: kept
    ("+b@outlook.com", "+b@outlook.com"),  # never folded to an empty name
])
def test_canonical_email_folds_documented_subaddresses(entered, canonical):
    assert canonical_email(entered) == canonical


def test_outlook_plus_tag_signs_once(client, campaign, signer, inbox):
    post_button(client, signer(campaign.slug, email="name@outlook.com")["confirm"])
    inbox.clear()
    response = sign_form(client, campaign.slug, email="name+again@outlook.com")
    assert response.status_code == 303  # same answer as for anyone: nothing revealed on the page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1
    assert signature_count(campaign.id) == 1


def insert(campaign, email, canonical, status="confirmed", minutes_ago=0):
    """A row stored before the new rule (its canonical email as the old rule made it)."""
    from datetime import timedelta

    row = Signature(campaign_id=campaign.id, full_name="X", email=email, email_canonical=canonical,
                    postal_code="60614", status=status, state="IL",
                    created_at=utcnow() - timedelta(minutes=minutes_ago),
                    confirmed_at=utcnow() if status == "confirmed" else None)
    db.session.add(row)
    db.session.commit()
    return row


def test_recanonicalise_folds_old_duplicates_keeping_the_earliest_confirmed(app, client, campaign):
    # Three rows stored under the old rule, all one Outlook mailbox: two confirmed, one pending.
    first = insert(campaign, "name+one@outlook.com", "name+one@outlook.com", minutes_ago=30)
    second = insert(campaign, "name@outlook.com", "name@outlook.com", minutes_ago=20)
    third = insert(campaign, "name+x@outlook.com", "name+x@outlook.com", status="pending", minutes_ago=10)
    other = insert(campaign, "Ann+1@example.org", "ann+1@example.org")
    from advocacy.signatures.counting import recount
    recount()  # tallies as they were: 3 confirmed
    assert signature_count(campaign.id) == 3

    result = app.test_cli_runner().invoke(args=["advocacy", "recanonicalise-emails"])
    assert result.exit_code == 0, result.output
    assert "updated: 1" in result.output and "folded (removed): 2" in result.output
    db.session.expire_all()
    kept, dropped, pending = (db.session.get(Signature, s.id) for s in (first, second, third))
    assert (kept.status, kept.email_canonical) == ("confirmed", "name@outlook.com")
    assert dropped.status == pending.status == "removed"
    assert dropped.email_canonical.startswith("name@outlook.com#folded-")
    assert db.session.get(Signature, other.id).email_canonical == "ann+1@example.org"
    assert signature_count(campaign.id) == 2  # the folded confirmed duplicate stopped counting
    assert db.session.scalars(sa.select(AuditEvent.action)).all() == ["signatures_folded"]
    # Idempotent, and the public page agrees with the tallies.
    again = app.test_cli_runner().invoke(args=["advocacy", "recanonicalise-emails"])
    assert "updated: 0" in again.output and "folded (removed): 0" in again.output
    assert recount() == []
    # The kept signer signing again with another tag is recognised.
    sign_form(client, campaign.slug, email="name+three@outlook.com")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 4
