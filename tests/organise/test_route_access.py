"""Walk the URL map: every organiser route needs login, and no organiser reaches another group's data."""
import re

from tests.conftest import login

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


def test_the_url_map_has_organiser_routes(app):
    assert len(list(organiser_rules(app))) >= 2


def test_every_organiser_route_sends_anonymous_visitors_to_login(app, client, campaign):
    for rule in organiser_rules(app):
        url = build_url(rule, campaign.slug)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (302, 400), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/organise/login" in response.headers["Location"], (method, url)


def test_no_campaign_route_serves_another_groups_campaign(app, client, make_campaign, make_user):
    mine, theirs = make_campaign(), make_campaign()
    make_user("owner@example.org", campaigns=[mine])
    login(client, "owner@example.org")
    checked = 0
    for rule in organiser_rules(app):
        if "slug" not in rule.arguments:
            continue
        url = build_url(rule, theirs.slug)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            # 404 (or 400 for a POST without a CSRF token, which changes nothing) — never their data.
            assert response.status_code in (403, 404, 400), (method, url, response.status_code)
            assert theirs.title.encode() not in response.data
            checked += 1
    assert checked >= 1
