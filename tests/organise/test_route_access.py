"""Walk the URL map: every organiser route needs login, and no organiser reaches another group's data.

POSTs carry a valid CSRF token (taken from a page of the same session), so CSRF protection lets
them through to the login and campaign checks: a route that forgot its check answers with its own
status (200, 302 to itself, 400 for a form it cannot read...) and the walk fails. Only the exact
outcome is accepted: a redirect to the sign-in page (anonymous) or 404 (another group's campaign).
"""
import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.campaigns.models import Campaign
from advocacy.extensions import db
from tests.conftest import csrf_token, login

PUBLIC_ORGANISE_ENDPOINTS = {"accounts.login"}  # plus pages reached from mailed links (invites, resets)
TOKEN_ENDPOINT_PATTERN = re.compile(r"(reset|invite|unsubscribe)")


def organiser_rules(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organise"):
            continue
        if rule.endpoint in PUBLIC_ORGANISE_ENDPOINTS or TOKEN_ENDPOINT_PATTERN.search(rule.endpoint):
            continue
        yield rule


def build_url(rule, slug):
    values = {}
    for arg in rule.arguments:
        values[arg] = slug if arg == "slug" else "1"
    return rule.build(values)[1]


def methods_of(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def request_with_csrf(client, url, method, token):
    """GET as a browser does; anything else as a form post carrying this session's CSRF token."""
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


def audit_snapshot():
    db.session.expire_all()
    return db.session.execute(sa.select(AuditEvent.id, AuditEvent.action).order_by(AuditEvent.id)).all()


def campaign_snapshot(campaign_id):
    db.session.expire_all()
    row = db.session.get(Campaign, campaign_id)
    return {column.key: getattr(row, column.key) for column in sa.inspect(Campaign).column_attrs}


def test_the_url_map_has_organiser_routes_including_posts(app):
    rules = list(organiser_rules(app))
    assert len(rules) >= 2
    assert any("POST" in rule.methods and "slug" in rule.arguments for rule in rules)


def test_every_organiser_route_and_method_sends_anonymous_visitors_to_sign_in(app, client, campaign):
    token = csrf_token(client.get("/organise/login").get_data(as_text=True))
    before = audit_snapshot(), campaign_snapshot(campaign.id)
    checked = 0
    for rule in organiser_rules(app):
        url = build_url(rule, campaign.slug)
        for method in methods_of(rule):
            response = request_with_csrf(client, url, method, token)
            assert response.status_code == 302, (method, url, response.status_code)
            assert urlsplit(response.headers["Location"]).path == "/organise/login", \
                (method, url, response.headers["Location"])
            checked += method == "POST"
    assert checked >= 5  # the POSTs really were walked
    assert (audit_snapshot(), campaign_snapshot(campaign.id)) == before


def test_a_valid_csrf_token_gets_an_anonymous_post_past_csrf_protection(client):
    """The walk above relies on it: the login form answers 422 (wrong password), not 400."""
    token = csrf_token(client.get("/organise/login").get_data(as_text=True))
    response = client.post("/organise/login", data={"csrf_token": token, "email": "nobody@example.org",
                                                    "password": "not the password at all"})
    assert response.status_code == 422


def test_no_campaign_route_or_method_serves_or_changes_another_groups_campaign(
        app, client, make_campaign, make_user):
    mine, theirs = make_campaign(), make_campaign()
    make_user("owner@example.org", campaigns=[mine])
    assert login(client, "owner@example.org").status_code == 302
    token = csrf_token(client.get("/organise/").get_data(as_text=True))
    before = audit_snapshot(), campaign_snapshot(theirs.id)
    checked = set()
    for rule in organiser_rules(app):
        if "slug" not in rule.arguments:
            continue
        url = build_url(rule, theirs.slug)
        for method in methods_of(rule):
            response = request_with_csrf(client, url, method, token)
            assert response.status_code == 404, (method, url, response.status_code)
            assert theirs.title.encode() not in response.data, (method, url)
            checked.add(method)
    assert checked == {"GET", "POST"}
    assert (audit_snapshot(), campaign_snapshot(theirs.id)) == before


def test_a_valid_csrf_token_gets_an_organisers_post_past_csrf_protection(client, make_campaign, make_user):
    """The walk above relies on it: with a session and token made the same way, a POST to the
    organiser's own campaign reaches the view (a refused state change, redirected to the dashboard)."""
    mine = make_campaign()
    make_user("owner@example.org", campaigns=[mine])
    login(client, "owner@example.org")
    token = csrf_token(client.get("/organise/").get_data(as_text=True))
    response = client.post(f"/organise/campaigns/{mine.slug}/state", data={"csrf_token": token, "to": "nowhere"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/organise/campaigns/{mine.slug}"
