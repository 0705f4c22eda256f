"""Admins invite organisers by email; organisers reset forgotten passwords with single-use links."""
import re
from datetime import timedelta

import sqlalchemy as sa

from advocacy.accounts.models import AccountToken, CampaignMember, User
from advocacy.audit.models import AuditEvent
from advocacy.config import ProductionConfig, TestConfig
from advocacy.extensions import db
from tests.conftest import csrf_token, deliver_mail, login

NEW_PASSWORD = "a brand new long passphrase"
LINK = re.compile(r"http://localhost(/organise/(?:invite|reset)/[A-Za-z0-9_\-]+)")


def link_in(inbox, address):
    deliver_mail()
    body = inbox.to(address)[-1].get_body(("plain",)).get_content()
    return LINK.search(body).group(1)


def set_password(client, path, password=NEW_PASSWORD, confirm=None):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                   "password": password, "confirm": confirm or password})


def invite(client, email, campaign_ids=(), role="organiser"):
    page = client.get("/organise/users")
    return client.post("/organise/users", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": email, "role": role,
        "campaigns": [str(i) for i in campaign_ids]})


def test_admin_invites_an_organiser_who_sets_a_password_and_sees_only_their_campaign(
        admin_client, make_campaign, inbox):
    mine, other = make_campaign(title="Mine"), make_campaign(title="Other")
    response = invite(admin_client, "New@Example.org", [mine.id])
    assert response.status_code == 302
    user = db.session.scalars(sa.select(User).where(User.email == "new@example.org")).one()
    assert user.password_hash is None and not user.is_active
    assert db.session.get(CampaignMember, (mine.id, user.id)) is not None
    path = link_in(inbox, "new@example.org")

    admin_client.post("/organise/logout", data={"csrf_token": csrf_token(admin_client.get("/organise/").get_data(as_text=True))})
    assert set_password(admin_client, path).status_code == 302
    assert login(admin_client, "new@example.org", NEW_PASSWORD).status_code == 302
    listing = admin_client.get("/organise/").get_data(as_text=True)
    assert "Mine" in listing and "Other" not in listing
    assert admin_client.get(f"/organise/campaigns/{other.slug}").status_code == 404
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "invite_user" in actions and "invite_accepted" in actions


def test_invite_link_works_once(admin_client, inbox):
    invite(admin_client, "new@example.org")
    path = link_in(inbox, "new@example.org")
    assert set_password(admin_client, path).status_code == 302
    assert admin_client.get(path).status_code == 410
    # A valid CSRF token (the spent link's page has no form), so only the spent link can refuse it.
    token = csrf_token(admin_client.get("/organise/login").get_data(as_text=True))
    page_again = admin_client.post(path, data={"csrf_token": token, "password": "another long password",
                                               "confirm": "another long password"})
    assert page_again.status_code == 410
    assert login(admin_client, "new@example.org", "another long password").status_code == 422
    assert login(admin_client, "new@example.org", NEW_PASSWORD).status_code == 302


def test_organisers_cannot_open_the_user_admin_or_audit_pages(organiser_client):
    assert organiser_client.get("/organise/users").status_code == 403
    assert organiser_client.get("/organise/audit").status_code == 403


def test_organisers_cannot_invite_users_by_posting_to_the_user_admin(organiser_client, campaign, inbox):
    token = csrf_token(organiser_client.get("/organise/").get_data(as_text=True))
    response = organiser_client.post("/organise/users", data={
        "csrf_token": token, "email": "friend@example.org", "role": "admin", "campaigns": [str(campaign.id)]})
    assert response.status_code == 403
    assert db.session.scalars(sa.select(User).where(User.email == "friend@example.org")).one_or_none() is None
    assert db.session.scalars(sa.select(AccountToken)).all() == []
    assert "invite_user" not in db.session.scalars(sa.select(AuditEvent.action)).all()
    deliver_mail()
    assert inbox.to("friend@example.org") == []


def test_set_password_refuses_short_and_mismatched_passwords(admin_client, inbox):
    invite(admin_client, "new@example.org")
    path = link_in(inbox, "new@example.org")
    short = set_password(admin_client, path, password="short")
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    mismatch = set_password(admin_client, path, confirm="something else entirely")
    assert mismatch.status_code == 422 and "not the same" in mismatch.get_data(as_text=True)
    assert db.session.scalars(sa.select(User).where(User.email == "new@example.org")).one().password_hash is None


def request_reset(client, email):
    page = client.get("/organise/reset")
    return client.post("/organise/reset", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                "email": email})


def test_password_reset_by_mail_changes_the_password(client, make_user, inbox):
    make_user("owner@example.org")
    assert "Forgotten your password?" in client.get("/organise/login").get_data(as_text=True)
    request_reset(client, "Owner@example.org")
    path = link_in(inbox, "owner@example.org")
    assert set_password(client, path).status_code == 302
    assert login(client, "owner@example.org").status_code == 422  # the old password no longer works
    assert login(client, "owner@example.org", NEW_PASSWORD).status_code == 302


def test_reset_page_does_not_reveal_whether_an_account_exists(client, make_user, inbox):
    make_user("owner@example.org")
    known = request_reset(client, "owner@example.org").get_data(as_text=True)
    unknown = request_reset(client, "nobody@example.org").get_data(as_text=True)
    assert known.replace("owner@example.org", "X") == unknown.replace("nobody@example.org", "X")
    deliver_mail()
    assert inbox.to("nobody@example.org") == [] and len(inbox.to("owner@example.org")) == 1


def test_reset_link_expires(client, make_user, inbox):
    make_user("owner@example.org")
    request_reset(client, "owner@example.org")
    path = link_in(inbox, "owner@example.org")
    token = db.session.scalars(sa.select(AccountToken)).one()
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 410


def test_production_session_cookies_are_secure_httponly_and_samesite():
    for config in (ProductionConfig,):
        assert config.SESSION_COOKIE_SECURE is True and config.REMEMBER_COOKIE_SECURE is True
        assert config.SESSION_COOKIE_HTTPONLY is True and config.REMEMBER_COOKIE_HTTPONLY is True
        assert config.SESSION_COOKIE_SAMESITE == "Lax" and config.REMEMBER_COOKIE_SAMESITE == "Lax"
    assert TestConfig.SESSION_COOKIE_HTTPONLY is True
