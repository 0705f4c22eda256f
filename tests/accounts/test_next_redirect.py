"""After sign-in, `next` only ever leads to a page of our own site, however a browser reads it."""
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import PASSWORD, csrf_token

# Query strings as an attacker would put them in a link (sent to the app byte for byte).
HOSTILE_NEXT = [
    "/%09/evil.example/",        # a tab, which browsers drop: //evil.example/
    "/%0A/evil.example/",        # a newline, likewise
    "/%0D%0A/evil.example/",
    "/\\evil.example",           # browsers read a backslash as a slash: //evil.example
    "/%5Cevil.example",
    "\\\\evil.example",
    "//evil",
    "///evil",
    "https://evil",
    "https:evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil",               # arrives as ///evil
    "/%252F%252Fevil",           # arrives as /%2F%2Fevil
    "%09//evil",                 # a leading tab
    "\t//evil",
    "%20//evil",                 # a leading space, which browsers strip
    "evil.example",
    "",
]


def browser_location(location: str) -> tuple[str, str]:
    """Where a browser on http://localhost/organise/login goes for this Location (WHATWG URL rules)."""
    cleaned = location.strip("".join(chr(c) for c in range(0x21))).replace("\t", "").replace("\n", "")
    cleaned = cleaned.replace("\r", "").replace("\\", "/")
    target = urlsplit(urljoin("http://localhost/organise/login", cleaned))
    return target.netloc, target.path


def sign_in(client, query_string):
    page = client.get("/organise/login")
    return client.post("/organise/login", query_string=query_string, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "owner@example.org", "password": PASSWORD})


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_a_hostile_next_lands_on_the_dashboard(client, make_user, hostile):
    make_user("owner@example.org")
    response = sign_in(client, "next=" + hostile)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert browser_location(location) == ("localhost", "/organise/"), location
    assert location == "/organise/"


@pytest.mark.parametrize("local", ["/organise/campaigns/paid-leave", "/organise/campaigns/paid-leave?tab=comments",
                                   "/organise/audit#latest"])
def test_a_local_next_is_followed(client, make_user, local):
    make_user("owner@example.org")
    response = sign_in(client, {"next": local})
    assert response.status_code == 302 and response.headers["Location"] == local


def test_an_anonymous_visitor_comes_back_to_the_page_they_asked_for(client, campaign, make_user):
    make_user("owner@example.org", campaigns=[campaign])
    bounce = client.get(f"/organise/campaigns/{campaign.slug}")
    assert bounce.status_code == 302
    login_url = bounce.headers["Location"]
    page = client.get(login_url)
    response = client.post(login_url, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "owner@example.org", "password": PASSWORD})
    assert response.headers["Location"] == f"/organise/campaigns/{campaign.slug}"
