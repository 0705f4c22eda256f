"""Issue #12, part 2: the answer comes back. An organiser records a member's response; it reaches,
through the worker's fan-out, exactly the confirmed signers that member represents who asked for
updates, each in their language with a way to stop; the campaign page and its JSON show it in the
accountability table and the timeline. Updates in general can go to one state or one district."""
import re

import pytest
import sqlalchemy as sa

from advocacy.database import utcnow
from advocacy.delivery.progress import watch_due
from advocacy.extensions import db
from advocacy.updates.models import MemberResponse
from tests.conftest import csrf_token, post_button
from tests.updates.test_updates import UNSUBSCRIBE, run_the_worker

PELOSI, PADILLA = "P000197", "P000145"
CA11 = ["ca-keen@example.org", "ca-es@example.org"]  # ZIP 94105: wholly in CA-11


@pytest.fixture
def signers(organiser_client, campaign, geography, signer, inbox):
    """Confirmed signers: two in CA-11 who asked for updates (one in Spanish), one in CA-11 who did
    not, one in CA-14, one in a ZIP shared by IL-3, IL-5 and IL-7, one in Vermont; and one in CA-11 who
    never confirmed."""
    def sign(email, postal_code, keep_updated=True, confirm=True):
        links = signer(campaign.slug, email=email, postal_code=postal_code, keep_updated=keep_updated)
        if confirm:
            post_button(organiser_client, links["confirm"])

    sign("ca-keen@example.org", "94105")
    organiser_client.get("/?lang=es")
    sign("ca-es@example.org", "94105")
    organiser_client.get("/?lang=en")
    sign("ca-quiet@example.org", "94105", keep_updated=False)
    sign("ca14@example.org", "94541")
    sign("il@example.org", "60614")
    sign("vt@example.org", "05401")
    sign("ca-pending@example.org", "94105", confirm=False)
    inbox.clear()
    return campaign


def responses_url(slug):
    return f"/organise/campaigns/{slug}/responses"


def record(client, slug, **fields):
    page = client.get(responses_url(slug))
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "member": PELOSI, "responded_on": "2026-11-20",
            "stance": "supports", "quote": "I will co-sponsor paid family leave.", "link": "https://pelosi.house.gov/news"}
    data.update(fields)
    return client.post(responses_url(slug), data=data)


def mailed_to(inbox) -> list[str]:
    return sorted(str(message["To"]) for message in inbox.messages)


def test_a_recorded_response_reaches_exactly_the_opted_in_signers_of_that_member_in_their_language(
        app, organiser_client, signers, inbox):
    slug = signers.slug
    response = record(organiser_client, slug, stance="", link="javascript:alert(1)")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "Choose their stance" in html
    assert "Enter a link starting with https:// or http://" in html
    assert "I will co-sponsor paid family leave." in html  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberResponse)) == 0

    response = record(organiser_client, slug)
    assert response.status_code == 303
    assert "mailing 2 signers they represent" in organiser_client.get(response.location).get_data(as_text=True)
    run_the_worker(app)
    run_the_worker(app)
    assert mailed_to(inbox) == sorted(CA11)

    english = inbox.to("ca-keen@example.org")[0]
    assert english["Subject"] == "Rep. Nancy Pelosi answered: Supports"
    text = english.get_body(("plain",)).get_content()
    assert "I will co-sponsor paid family leave." in text and "https://pelosi.house.gov/news" in text
    assert "You get these emails because you asked to be kept updated." in text
    spanish = inbox.to("ca-es@example.org")[0].get_body(("plain",)).get_content()
    assert "Recibes estos correos porque pediste que te enviáramos novedades." in spanish
    unsubscribe = UNSUBSCRIBE.search(spanish).group(1)
    assert organiser_client.get(unsubscribe).status_code == 200

    # The public record: the campaign page and its JSON.
    page = organiser_client.get(f"/campaigns/{slug}").get_data(as_text=True)
    table = page[page.index('id="accountability-heading"'):page.index('id="timeline-heading"')]
    pelosi_row = re.search(r"<tr>\s*<th scope=\"row\">Nancy Pelosi.*?</tr>", table, re.S).group(0)
    assert "<td class=\"num\">3</td>" in pelosi_row  # the three confirmed CA-11 signers
    assert "Supports" in pelosi_row and "I will co-sponsor paid family leave." in pelosi_row
    assert "Not yet" in pelosi_row  # not delivered to the office yet
    timeline = page[page.index('id="timeline-heading"'):]
    assert "Rep. Nancy Pelosi answered: Supports." in timeline
    data = organiser_client.get(f"/campaigns/{slug}.json").json
    rows = {row["bioguide_id"]: row for row in data["accountability"]}
    assert rows[PELOSI]["constituents"] == 3 and rows[PELOSI]["delivered_at"] is None
    assert rows[PELOSI]["response"] == {"stance": "supports", "date": "2026-11-20",
                                        "quote": "I will co-sponsor paid family leave.",
                                        "link": "https://pelosi.house.gov/news"}
    assert rows[PADILLA]["response"] is None
    assert {"kind": "response", "at": "2026-11-20", "member": "Rep. Nancy Pelosi", "stance": "supports"} \
        in data["timeline"]
    # The response is not repeated among the campaign's updates.
    assert 'id="updates-heading"' not in page


def test_a_senators_response_reaches_the_states_opted_in_signers(app, organiser_client, signers, inbox):
    assert record(organiser_client, signers.slug, member=PADILLA, stance="undecided", quote="", link="") \
        .status_code == 303
    run_the_worker(app)
    assert mailed_to(inbox) == sorted([*CA11, "ca14@example.org"])
    assert inbox.to("ca14@example.org")[0]["Subject"] == "Sen. Alex Padilla answered: Undecided"


def test_only_members_with_signers_can_have_a_response_recorded(app, organiser_client, signers):
    page = organiser_client.get(responses_url(signers.slug)).get_data(as_text=True)
    assert "Nancy Pelosi" in page and "Schumer" not in page  # no New York signer
    response = record(organiser_client, signers.slug, member="S000148")  # Schumer: no such choice
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberResponse)) == 0


@pytest.mark.parametrize(("audience", "expected"), [
    ("state:VT", ["vt@example.org"]),
    ("district:CA-11", CA11),
    ("district:IL-5", []),  # the IL signer's ZIP is shared by three districts: not sure to live in IL-5
    ("", sorted([*CA11, "ca14@example.org", "il@example.org", "vt@example.org"])),
])
def test_an_update_goes_to_all_signers_or_one_state_or_one_district(
        app, organiser_client, signers, inbox, audience, expected):
    url = f"/organise/campaigns/{signers.slug}/updates"
    page = organiser_client.get(url).get_data(as_text=True)
    assert '<option value="state:VT">' in page and '<option value="district:CA-11">' in page
    response = organiser_client.post(url, data={"csrf_token": csrf_token(page), "title": "Hearing on Tuesday",
                                                "body": "Come along.", "audience": audience})
    assert response.status_code == 302
    run_the_worker(app)
    assert mailed_to(inbox) == sorted(expected)


def test_an_unknown_audience_gets_the_form_again(app, organiser_client, signers, inbox):
    url = f"/organise/campaigns/{signers.slug}/updates"
    page = organiser_client.get(url).get_data(as_text=True)
    response = organiser_client.post(url, data={"csrf_token": csrf_token(page), "title": "Hi", "body": "Body",
                                                "audience": "state:ZZ"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)


def test_the_timeline_tells_the_campaign_from_opening_to_closing(app, client, make_campaign, make_user, geography,
                                                                  signer):
    from tests.conftest import login

    campaign = make_campaign(slug="short", title="Child care now", goal=2, state="draft")
    make_user("owner@example.org", campaigns=[campaign])
    assert login(client, "owner@example.org").status_code == 302
    dashboard = client.get("/organise/campaigns/short").get_data(as_text=True)
    assert client.post("/organise/campaigns/short/state",
                       data={"csrf_token": csrf_token(dashboard), "to": "open"}).status_code == 302
    for email in ("a@example.org", "b@example.org"):
        post_button(client, signer("short", email=email, postal_code="94105")["confirm"])
    watch_due()
    today = utcnow().date().isoformat()
    assert record(client, "short", stance="opposes", quote="", link="", responded_on=today).status_code == 303
    dashboard = client.get("/organise/campaigns/short").get_data(as_text=True)
    assert client.post("/organise/campaigns/short/state",
                       data={"csrf_token": csrf_token(dashboard), "to": "closed"}).status_code == 302
    events = [event["kind"] for event in client.get("/campaigns/short.json").json["timeline"]]
    assert events == ["opened", "milestone", "response", "closed"]
    page = client.get("/campaigns/short").get_data(as_text=True)
    timeline = page[page.index('id="timeline-heading"'):]
    assert "The petition opened." in timeline and "The goal of 2 signatures was reached." in timeline
    assert "Rep. Nancy Pelosi answered: Opposes." in timeline and "The petition closed." in timeline
