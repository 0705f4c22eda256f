"""Sessions end for good (logout, password reset), and nobody can lock an organiser out from afar."""
import re

import pytest
import sqlalchemy as sa

from advocacy.accounts.models import User
from advocacy.extensions import db
from tests.conftest import PASSWORD, csrf_token, deliver_mail, login

IP_A, IP_B = "203.0.113.7", "198.51.100.9"
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
    assert b"given_name" not in response.data and b"email" not in response.data


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


# --- Login limits an attacker cannot aim at someone else ---

@pytest.fixture
def limited_app(app, client):
    """Rate limits on, in memory (the Redis-backed behaviour is tested with the sign form)."""
    from advocacy.extensions import limiter

    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter.init_app(app)
    yield app
    limiter.reset()


def attempt(client, email, password, ip):
    page = client.get("/organise/login", environ_base={"REMOTE_ADDR": ip})
    return client.post("/organise/login", environ_base={"REMOTE_ADDR": ip}, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": email, "password": password})


def test_failed_attempts_from_one_address_do_not_lock_the_owner_out_elsewhere(limited_app, make_user):
    make_user("owner@example.org")
    attacker, owner = limited_app.test_client(), limited_app.test_client()
    codes = [attempt(attacker, "owner@example.org", f"guess number {i}!", IP_A).status_code for i in range(8)]
    assert codes == [422] * 5 + [429] * 3  # the attacker is stopped...
    assert attempt(owner, "owner@example.org", PASSWORD, IP_B).status_code == 302  # ...the owner is not


def test_the_attackers_address_stays_limited_for_that_account(limited_app, make_user):
    make_user("owner@example.org")
    attacker = limited_app.test_client()
    for i in range(5):
        attempt(attacker, "owner@example.org", f"guess number {i}!", IP_A)
    assert attempt(attacker, "owner@example.org", PASSWORD, IP_A).status_code == 429


def test_many_accounts_from_one_address_hit_the_per_ip_limit(limited_app, make_user):
    attacker = limited_app.test_client()
    codes = [attempt(attacker, f"user{i}@example.org", "not a password!", IP_A).status_code for i in range(11)]
    assert codes == [422] * 10 + [429]


def test_successful_sign_ins_do_not_count_as_failures(limited_app, make_user):
    make_user("owner@example.org")
    browser = limited_app.test_client()
    for _ in range(6):
        assert attempt(browser, "owner@example.org", PASSWORD, IP_A).status_code == 302
        log_out(browser)


def test_the_owner_signs_in_after_a_reset_even_from_a_limited_address(limited_app, make_user, inbox):
    make_user("owner@example.org")
    browser = limited_app.test_client()
    for i in range(6):
        attempt(browser, "owner@example.org", f"forgotten password {i}", IP_A)
    assert attempt(browser, "owner@example.org", PASSWORD, IP_A).status_code == 429
    request_reset(browser, "owner@example.org")
    assert set_password(browser, reset_link(inbox, "owner@example.org"), ip=IP_A).status_code == 302
    assert attempt(browser, "owner@example.org", NEW_PASSWORD, IP_A).status_code == 302


def test_the_owner_signs_in_after_a_reset_even_when_their_address_is_limited(limited_app, make_user, inbox):
    make_user("owner@example.org")
    browser, neighbour = limited_app.test_client(), limited_app.test_client()
    for i in range(11):  # someone behind the same address (a shared office, a phone network) uses it up
        attempt(neighbour, f"user{i}@example.org", "not a password!", IP_A)
    assert attempt(browser, "owner@example.org", PASSWORD, IP_A).status_code == 429
    request_reset(browser, "owner@example.org")
    assert set_password(browser, reset_link(inbox, "owner@example.org"), ip=IP_A).status_code == 302
    assert attempt(browser, "owner@example.org", NEW_PASSWORD, IP_A).status_code == 302
    # The exemption is for that account in that browser only, and once.
    assert attempt(neighbour, "owner@example.org", NEW_PASSWORD, IP_A).status_code == 429
    log_out(browser)
    assert attempt(browser, "owner@example.org", NEW_PASSWORD, IP_A).status_code == 429
