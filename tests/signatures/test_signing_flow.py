"""Signing, confirming and removing, end to end through the test client and a real SMTP server."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from advocacy.database import utcnow
from advocacy.extensions import db
from advocacy.signatures.counting import signature_count
from advocacy.signatures.models import Signature, SignatureToken
from tests.conftest import deliver_mail, links_in, post_button, sign_form


def signatures():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Signature)))


def test_sign_read_mail_confirm_counts_one(client, campaign, inbox):
    response = sign_form(client, campaign.slug, full_name="Ana Ruiz", email="ana@example.org",
                         comment="My daughter is two.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.slug}/check-your-email")
    assert "Check your email" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert signature_count(campaign.id) == 0  # pending does not count

    deliver_mail()
    [mail] = inbox.to("ana@example.org")
    assert mail["Subject"] == "Please confirm your signature"
    links = links_in(mail)
    assert set(links) == {"confirm", "remove"}

    confirmed = post_button(client, links["confirm"])
    assert confirmed.status_code == 200
    assert "your signature is confirmed" in confirmed.get_data(as_text=True)
    assert signature_count(campaign.id) == 1
    assert client.get(f"/campaigns/{campaign.slug}.json").json["signature_count"] == 1


def test_opening_the_confirmation_link_does_not_confirm(client, campaign, signer):
    links = signer(campaign.slug)
    page = client.get(links["confirm"])
    assert page.status_code == 200
    assert "Confirm my signature" in page.get_data(as_text=True)
    assert signatures()[0].status == "pending"
    assert signature_count(campaign.id) == 0


def test_confirming_twice_counts_once(client, campaign, signer):
    from tests.conftest import csrf_token

    links = signer(campaign.slug)
    token = csrf_token(client.get(links["confirm"]).get_data(as_text=True))
    first = client.post(links["confirm"], data={"csrf_token": token})
    again = client.post(links["confirm"], data={"csrf_token": token})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == links["confirm"].replace("/confirm/", "/confirmed/")
    assert signature_count(campaign.id) == 1
    assert client.get(first.headers["Location"]).status_code == 200


def test_the_confirmed_page_reloads_without_posting_again_and_never_shows_for_a_pending_signature(
        client, campaign, signer):
    from tests.conftest import post_button

    links = signer(campaign.slug)
    confirmed = links["confirm"].replace("/confirm/", "/confirmed/")
    early = client.get(confirmed)  # not confirmed yet: the page with the button
    assert early.status_code == 303 and early.headers["Location"].endswith(links["confirm"])
    page = post_button(client, links["confirm"])
    assert page.status_code == 200 and "Remove my signature" in page.get_data(as_text=True)
    for _ in range(2):
        assert client.get(confirmed).status_code == 200
    assert signature_count(campaign.id) == 1


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://evil.example"}, {"Origin": "null"}])
def test_confirm_posted_from_another_site_is_refused_with_403(client, campaign, signer, headers):
    links = signer(campaign.slug)
    response = client.post(links["confirm"], data={}, headers=headers)
    assert response.status_code == 403
    assert signatures()[0].status == "pending"


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"},
                                     {"Origin": "http://localhost.evil.example"}])
def test_sign_posted_from_another_site_is_refused_with_403_and_nothing_stored(client, campaign, headers):
    response = client.post(f"/campaigns/{campaign.slug}/sign", headers=headers, data={
        "given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org", "postal_code": "60614"})
    assert response.status_code == 403
    assert signatures() == []


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
                                     {"Origin": "http://localhost"}, {}])
def test_sign_posted_from_our_own_page_is_accepted(client, campaign, headers):
    response = client.post(f"/campaigns/{campaign.slug}/sign", headers=headers, data={
        "given_name": "Ana", "family_name": "Ruiz", "email": "ana@example.org", "postal_code": "60614"})
    assert response.status_code == 303
    assert len(signatures()) == 1


def test_public_campaign_page_has_no_per_visitor_content_and_may_be_cached(client, campaign):
    response = client.get(f"/campaigns/{campaign.slug}")
    assert "Set-Cookie" not in response.headers
    assert "csrf_token" not in response.get_data(as_text=True)
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "s-maxage=" in cache and "stale-while-revalidate=" in cache
    assert client.get(f"/campaigns/{campaign.slug}.json").headers["Cache-Control"] == cache


def test_organisers_see_public_pages_uncached(organiser_client, campaign):
    response = organiser_client.get(f"/campaigns/{campaign.slug}")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_tokens_are_stored_hashed_never_raw(client, campaign, signer):
    links = signer(campaign.slug)
    raw = links["confirm"].rsplit("/", 1)[1]
    stored = list(db.session.scalars(sa.select(SignatureToken.token_hash)))
    assert raw not in stored
    assert all(len(h) == 64 for h in stored)


def test_confirmation_link_expires_after_seven_days(client, campaign, signer):
    links = signer(campaign.slug)
    db.session.execute(sa.update(SignatureToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    page = client.get(links["confirm"])
    assert page.status_code == 410
    assert "expired" in page.get_data(as_text=True)
    assert signature_count(campaign.id) == 0


def test_confirm_tokens_are_issued_for_seven_days(client, campaign, signer):
    signer(campaign.slug)
    token = db.session.scalars(sa.select(SignatureToken).where(SignatureToken.purpose == "confirm")).one()
    assert abs((token.expires_at - token.created_at) - timedelta(days=7)) < timedelta(seconds=5)


def test_unknown_token_shows_a_clear_404_page(client, campaign):
    page = client.get("/signatures/confirm/not-a-real-token")
    assert page.status_code == 404
    assert "This link does not work" in page.get_data(as_text=True)


def test_a_confirm_token_cannot_remove_and_a_remove_token_cannot_confirm(client, campaign, signer):
    links = signer(campaign.slug)
    assert client.get(links["confirm"].replace("/confirm/", "/remove/")).status_code == 404
    assert client.get(links["remove"].replace("/remove/", "/confirm/")).status_code == 404


def test_removing_a_confirmed_signature_stops_it_counting(client, campaign, signer):
    links = signer(campaign.slug)
    confirmed = post_button(client, links["confirm"]).get_data(as_text=True)
    assert "Remove my signature" in confirmed
    assert signature_count(campaign.id) == 1

    page = client.get(links["remove"])
    assert page.status_code == 200
    assert signatures()[0].status == "confirmed"  # GET removes nothing

    removed = post_button(client, links["remove"])
    assert "has been removed" in removed.get_data(as_text=True)
    assert signatures()[0].status == "removed"
    assert signature_count(campaign.id) == 0


def test_removal_link_on_the_confirmed_page_works(client, campaign, signer):
    import re

    links = signer(campaign.slug)
    confirmed = post_button(client, links["confirm"]).get_data(as_text=True)
    remove_path = re.search(r'href="http://localhost(/signatures/remove/[^"]+)"', confirmed).group(1)
    post_button(client, remove_path)
    assert signature_count(campaign.id) == 0


def test_a_removed_signer_can_sign_again(client, campaign, signer):
    links = signer(campaign.slug)
    post_button(client, links["confirm"])
    post_button(client, links["remove"])
    db.session.execute(sa.update(Signature).values(last_mailed_at=None))
    db.session.commit()
    again = signer(campaign.slug)
    post_button(client, again["confirm"])
    assert signature_count(campaign.id) == 1
    assert len(signatures()) == 1


def test_signature_records_time_and_keyed_ip_hash_not_raw_ip(client, campaign):
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    sign_form(client, campaign.slug)
    [signature] = signatures()
    assert signature.created_at is not None
    assert signature.ip_hash and len(signature.ip_hash) == 64
    assert "203.0.113.7" not in signature.ip_hash
    row = db.session.execute(sa.select(Signature.__table__)).one()
    assert all("203.0.113.7" not in str(value) for value in row)


def test_consent_choices_are_stored_and_sharing_email_is_off_by_default(client, campaign):
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert 'name="share_email"' in page and "checked" not in page.split('name="share_email"')[0][-200:]
    sign_form(client, campaign.slug, show_name=True, keep_updated=True)
    [signature] = signatures()
    assert (signature.show_name, signature.keep_updated, signature.share_email) == (True, True, False)


def test_comment_is_stored_awaiting_moderation(client, campaign):
    sign_form(client, campaign.slug, comment="I am a nurse on night shifts.")
    [signature] = signatures()
    assert signature.comment == "I am a nurse on night shifts."
    assert signature.comment_status == "pending"
