"""One signature per campaign per canonical email, without revealing who has signed."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.signatures.counting import signature_count
from advocacy.signatures.identity import canonical_email
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, deliver_mail, links_in, post_button, sign_form


@pytest.mark.parametrize("entered, canonical", [
    ("Ana.Ruiz@Example.ORG", "ana.ruiz@example.org"),
    ("ana.ruiz+petitions@gmail.com", "anaruiz@gmail.com"),
    ("A.N.A.Ruiz@GoogleMail.com", "anaruiz@gmail.com"),
    ("ana+tag@example.org", "ana+tag@example.org"),  # +tags fold only where the provider documents them
])
def test_canonical_email(entered, canonical):
    assert canonical_email(entered) == canonical


def forget_last_mail():
    """Move the anti-mail-bombing window into the past, as if a few minutes went by."""
    db.session.execute(sa.update(Signature).values(last_mailed_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()


def test_signing_again_before_the_worker_wrote_the_mail_sends_one_mail_with_the_correction(client, campaign, inbox):
    sign_form(client, campaign.slug, email="ana@example.org", given_name="Anna")
    forget_last_mail()
    sign_form(client, campaign.slug, email="ana@example.org", given_name="Ana")
    deliver_mail()
    mails = inbox.to("ana@example.org")
    assert [m["Subject"] for m in mails] == ["Please confirm your signature"]
    assert "Ana" in mails[0].get_body(("plain",)).get_content()
    assert "Anna" not in mails[0].get_body(("plain",)).get_content()


def test_gmail_variants_of_one_address_make_one_signature(client, campaign):
    sign_form(client, campaign.slug, email="ana.ruiz@gmail.com")
    sign_form(client, campaign.slug, email="AnaRuiz+x@googlemail.com")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1


def test_signing_again_while_pending_resends_the_confirmation(client, campaign, inbox):
    sign_form(client, campaign.slug, email="ana@example.org")
    deliver_mail()
    forget_last_mail()
    sign_form(client, campaign.slug, email="ANA@example.org", postal_code="10001")
    deliver_mail()
    mails = inbox.to("ana@example.org") + inbox.to("ANA@example.org")
    assert [m["Subject"] for m in mails] == ["Please confirm your signature"] * 2
    assert db.session.scalar(sa.select(Signature.postal_code)) == "10001"  # the correction is kept
    token = csrf_token(client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True))
    client.post(links_in(mails[-1])["confirm"], data={"csrf_token": token})
    older = client.post(links_in(mails[0])["confirm"], data={"csrf_token": token})
    assert older.status_code == 303  # the older link still works (on to the confirmed page), and counts once
    assert signature_count(campaign.id) == 1


def test_rapid_repeat_signing_does_not_flood_the_inbox(client, campaign, inbox):
    for _ in range(5):
        sign_form(client, campaign.slug, email="ana@example.org")
    deliver_mail()
    assert len(inbox.to("ana@example.org")) == 1


def test_signing_again_when_confirmed_changes_nothing_and_mails_the_owner(client, campaign, signer, inbox):
    links = signer(campaign.slug, email="ana@example.org")
    post_button(client, links["confirm"])
    forget_last_mail()
    before = db.session.execute(sa.select(Signature.__table__)).one()

    response = sign_form(client, campaign.slug, email="ana@example.org", full_name="Someone Else")
    assert response.status_code == 303
    db.session.expire_all()
    after = db.session.execute(sa.select(Signature.__table__)).one()
    # Only the mail bookkeeping moves (and with it modified_at, which every UPDATE sets).
    bookkeeping = {"last_mailed_at": None, "modified_at": None}
    assert after._asdict() | bookkeeping == before._asdict() | bookkeeping
    assert signature_count(campaign.id) == 1
    deliver_mail()
    assert inbox.to("ana@example.org")[-1]["Subject"] == "You have already signed"


def test_the_page_does_not_reveal_whether_an_address_had_signed(client, campaign, signer):
    links = signer(campaign.slug, email="ana@example.org")
    post_button(client, links["confirm"])
    forget_last_mail()
    known = sign_form(client, campaign.slug, email="ana@example.org")
    unknown = sign_form(client, campaign.slug, email="new.person@example.org")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert client.get(known.headers["Location"]).data == client.get(unknown.headers["Location"]).data


def test_database_refuses_a_second_row_for_the_same_canonical_email(app, campaign):
    from sqlalchemy.exc import IntegrityError

    for name in ("First", "Second"):
        db.session.add(Signature(campaign_id=campaign.id, full_name=name, email="a@example.org",
                                 email_canonical="a@example.org", postal_code="60614"))
        if name == "First":
            db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
