"""Organiser accounts: first admin from the CLI, login, logout, access to campaigns."""
import sqlalchemy as sa

from advocacy.accounts.models import User
from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from tests.conftest import PASSWORD, csrf_token, login


def test_create_admin_reads_the_password_from_stdin_and_hashes_it(app):
    result = app.test_cli_runner().invoke(
        args=["advocacy", "create-admin", "Boss@Example.org", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User)).one()
    assert (user.email, user.role) == ("boss@example.org", "admin")
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash


def test_create_admin_refuses_a_short_password_and_a_second_account(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["advocacy", "create-admin", "a@example.org", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    runner.invoke(args=["advocacy", "create-admin", "a@example.org", "--password-stdin"], input=PASSWORD + "\n")
    again = runner.invoke(args=["advocacy", "create-admin", "A@example.org", "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_login_with_the_right_password_opens_the_dashboard(client, make_user):
    make_user("owner@example.org")
    response = login(client, "OWNER@example.org")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organise/")
    assert client.get("/organise/").status_code == 200
    assert db.session.scalars(sa.select(AuditEvent.action)).all() == ["login"]


def test_wrong_password_or_unknown_email_gets_one_message(client, make_user):
    make_user("owner@example.org")
    for email, password in (("owner@example.org", "wrong password!!"), ("nobody@example.org", PASSWORD)):
        response = login(client, email, password)
        assert response.status_code == 422
        assert "Email address or password is not right" in response.get_data(as_text=True)
    assert client.get("/organise/").status_code == 302


def test_logout_ends_the_session(client, make_user):
    make_user("owner@example.org")
    login(client, "owner@example.org")
    page = client.get("/organise/").get_data(as_text=True)
    client.post("/organise/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/organise/").status_code == 302


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/organise/")
    assert response.status_code == 302
    assert "/organise/login" in response.headers["Location"]


def test_organiser_sees_only_their_campaigns_and_gets_404_for_others(client, make_campaign, make_user):
    mine, theirs = make_campaign(title="Mine"), make_campaign(title="Theirs")
    make_user("owner@example.org", campaigns=[mine])
    login(client, "owner@example.org")
    listing = client.get("/organise/").get_data(as_text=True)
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/organise/campaigns/{mine.slug}").status_code == 200
    assert client.get(f"/organise/campaigns/{theirs.slug}").status_code == 404


def test_admin_sees_every_campaign(admin_client, make_campaign):
    campaign = make_campaign(title="Anyone's")
    assert admin_client.get(f"/organise/campaigns/{campaign.slug}").status_code == 200


def test_login_redirect_only_follows_local_paths(client, make_user):
    make_user("owner@example.org")
    page = client.get("/organise/login")
    response = client.post("/organise/login?next=https://evil.example/", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "owner@example.org", "password": PASSWORD})
    assert response.headers["Location"].endswith("/organise/")


def test_production_hashes_with_argon2s_default_and_a_weaker_hash_is_made_again_at_sign_in(client, make_user):
    """The suite hashes with the cheapest parameters (TestConfig); production keeps argon2-cffi's
    default, and a hash made with other parameters is replaced at its owner's next sign-in."""
    from argon2 import PasswordHasher, extract_parameters

    from advocacy.config import Config, ProductionConfig

    assert Config.PASSWORD_HASH_PARAMETERS is None and ProductionConfig.PASSWORD_HASH_PARAMETERS is None
    user = make_user("owner@example.org")
    assert extract_parameters(user.password_hash).memory_cost == 8  # the suite's own, cheap hash
    client.application.config["PASSWORD_HASH_PARAMETERS"] = None
    assert login(client, "owner@example.org").status_code == 302
    db.session.refresh(user)
    default = PasswordHasher()
    assert extract_parameters(user.password_hash).memory_cost == default.memory_cost == 65536
    assert not default.check_needs_rehash(user.password_hash) and default.verify(user.password_hash, PASSWORD)
