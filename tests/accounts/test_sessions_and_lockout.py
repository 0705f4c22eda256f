"""Sessions end for good: logout and password resets end every session of the account."""
import re

import pytest
import sqlalchemy as sa

from advocacy.accounts.models import User
from advocacy.extensions import db
from tests.conftest import csrf_token, deliver_mail, login

NEW_PASSWORD = "a brand new long passphrase"
RESET_LINK = re.compile(r"http://localhost(/organise/reset/[A-Za-z0-9_\-]+)")


def request_reset(client, email):
    page = client.get("/organise/reset")
    return client.post("/organise/reset", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                "email": email})


def reset_link(inbox, address):
    deliver_mail()
    return RESET_LINK.search(inbox.to(address)[-1].get_body(("plain",)).get_content()).group(1)


def set_password(client, path, password=NEW_PASSWORD, ip="127.0.0.1"):
    page = client.get(path, environ_base={"REMOTE_ADDR": ip})
    assert page.status_code == 200, page.status_code
    return client.post(path, environ_base={"REMOTE_ADDR": ip}, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "password": password, "confirm": password})


def csv_url(campaign):
    return f"/organise/campaigns/{campaign.slug}/exports/signatures.csv"


def session_cookie(client):
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app, cookie):
    """A second browser (or an attacker) that holds a copy of the session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def log_out(client):
    page = client.get("/organise/").get_data(as_text=True)
    return client.post("/organise/logout", data={"csrf_token": csrf_token(page)})


def assert_sent_to_sign_in(response):
    assert response.status_code == 302, response.status_code
    assert "/organise/login" in response.headers["Location"]
    assert b"full_name" not in response.data and b"email" not in response.data


@pytest.fixture
def owner(client, campaign, make_user):
    make_user("owner@example.org", campaigns=[campaign])
    assert login(client, "owner@example.org").status_code == 302
    assert client.get(csv_url(campaign)).status_code == 200
    return client


# --- Revoking sessions ---

def test_a_copied_session_cookie_stops_working_after_logout(app, owner, campaign):
    copied = session_cookie(owner)
    assert replay(app, copied).get(csv_url(campaign)).status_code == 200  # the copy works while signed in
    assert log_out(owner).status_code == 302
    assert_sent_to_sign_in(replay(app, copied).get(csv_url(campaign)))
    assert_sent_to_sign_in(owner.get(csv_url(campaign)))


def test_logging_out_ends_the_session_in_every_other_browser(app, owner, campaign):
    laptop = app.test_client()
    assert login(laptop, "owner@example.org").status_code == 302
    assert laptop.get(csv_url(campaign)).status_code == 200
    log_out(owner)
    assert_sent_to_sign_in(laptop.get(csv_url(campaign)))


def test_a_copied_session_cookie_stops_working_after_a_password_reset(app, owner, campaign, inbox):
    copied = session_cookie(owner)
    browser = app.test_client()
    request_reset(browser, "owner@example.org")
    assert set_password(browser, reset_link(inbox, "owner@example.org")).status_code == 302
    assert_sent_to_sign_in(replay(app, copied).get(csv_url(campaign)))
    assert_sent_to_sign_in(owner.get(csv_url(campaign)))
    # The owner signs in again with the new password, and the new session works.
    assert login(browser, "owner@example.org", NEW_PASSWORD).status_code == 302
    assert browser.get(csv_url(campaign)).status_code == 200


def test_signing_in_again_after_logout_gives_a_working_session(app, owner, campaign):
    log_out(owner)
    assert login(owner, "owner@example.org").status_code == 302
    assert owner.get(csv_url(campaign)).status_code == 200
    user = db.session.scalars(sa.select(User).where(User.email == "owner@example.org")).one()
    db.session.refresh(user)
    assert user.session_version == 1


def test_a_session_cookie_without_a_session_version_is_refused(app, owner, campaign):
    """Cookies signed before session versions existed carry only the user id: they sign in nobody."""
    user = db.session.scalars(sa.select(User).where(User.email == "owner@example.org")).one()
    old_style = app.session_interface.get_signing_serializer(app).dumps({"_user_id": str(user.id), "_fresh": True})
    assert_sent_to_sign_in(replay(app, old_style).get(csv_url(campaign)))
