"""Issue #12, after signing: the confirmed page names the signer's targeted members with numbers to
call (tel: links to the Washington office and the nearest district office, its hours) and the
campaign's call script; a signer from a ZIP shared by several districts can say which is theirs,
which makes the tallies exact (and exactly once); a signer can write a letter to their members with
their consents, which organisers moderate and which reaches that member's packet."""
import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures import counting
from advocacy.signatures.districts import DistrictAnswer
from advocacy.signatures.letters import Letter
from advocacy.signatures.models import TallyDelta
from tests.conftest import ON_POSTGRES, csrf_token, login, post_button
from tests.delivery.test_tallies_and_exports import create_packet

PELOSI_DC = "tel:+12022254965"
PELOSI_SF = "tel:+14155564862"  # her San Francisco office, in ZIP 94103
PADILLA_SF = "tel:+14159819369"
PADILLA_SACRAMENTO = "tel:+19164482787"
REPS_60614 = {"IL-3": "Delia C. Ramirez", "IL-5": "Mike Quigley", "IL-7": "Danny K. Davis"}
SCRIPT = ("Hello, my name is ___ and I live in your district. I am calling to ask {title} {member} to "
          "support paid family leave.\n\n**Thank you** <script>alert(1)</script> {member.__class__}")


def confirmed_page(client, signer, slug, email, postal_code, **fields):
    links = signer(slug, email=email, postal_code=postal_code, **fields)
    page = post_button(client, links["confirm"])
    assert page.status_code == 200
    token = links["confirm"].rsplit("/", 1)[1]
    return page.get_data(as_text=True), token


def members_section(html: str) -> str:
    found = re.search(r'<section class="call-members".*?</section>', html, re.S)
    return found.group(0) if found else ""


def district_tallies(campaign):
    return counting.tallies_for(campaign.id, counting.DISTRICT), counting.tallies_for(campaign.id, counting.PARTIAL)


@pytest.fixture
def both(make_campaign, geography):
    return make_campaign(slug="paid-leave-now", title="Paid leave now", call_script=SCRIPT,
                         letter_prompts="How would paid leave change your family's week?\nWho cares for your kids?")


def test_confirmed_page_lists_the_members_with_tel_links_nearest_office_hours_and_the_filled_call_script(
        client, both, signer):
    html, _token = confirmed_page(client, signer, both.slug, "sf@example.org", "94105")
    section = members_section(html)
    for name in ("Nancy Pelosi", "Alex Padilla", "Adam B. Schiff"):
        assert name in section
    assert f'href="{PELOSI_DC}"' in section and f'href="{PELOSI_SF}"' in section
    assert "90 7th St., Suite 2-800" in section and "Hours: M-F 9-5:30pm" in section
    assert f'href="{PADILLA_SF}"' in section  # the San Francisco office, not Fresno or Los Angeles
    # The script, with each member's title and name; no Markdown, no markup, no attribute lookups.
    assert "ask Representative Nancy Pelosi to support paid family leave" in section
    assert "ask Senator Alex Padilla to support paid family leave" in section
    assert "**Thank you**" in section and "&lt;script&gt;" in section and "<script>" not in section
    assert "{member.__class__}" in section and "&lt;class" not in section  # left as typed, not evaluated


def test_the_nearest_district_office_is_found_by_distance_when_none_is_in_the_signers_town(
        client, both, signer):
    html, _token = confirmed_page(client, signer, both.slug, "hayward@example.org", "94541")  # Hayward, CA
    section = members_section(html)
    padilla = section[section.index("Alex Padilla"):]
    padilla = padilla[:padilla.index("</article>")]
    assert PADILLA_SF in padilla and PADILLA_SACRAMENTO not in padilla  # ~20 miles, not ~70


@pytest.mark.parametrize("chamber,states,shown,hidden", [
    ("house", "", ["Nancy Pelosi"], ["Alex Padilla", "Adam B. Schiff"]),
    ("senate", "", ["Alex Padilla", "Adam B. Schiff"], ["Nancy Pelosi"]),
    ("both", "CA,IL", ["Nancy Pelosi", "Alex Padilla"], []),
    ("both", "IL,VT", [], ["Nancy Pelosi", "Alex Padilla", "Adam B. Schiff"]),
])
def test_members_to_call_follow_the_campaigns_target(client, make_campaign, geography, signer,
                                                     chamber, states, shown, hidden):
    campaign = make_campaign(target_chamber=chamber, target_states=states, call_script=SCRIPT)
    html, _token = confirmed_page(client, signer, campaign.slug, "sf@example.org", "94105")
    section = members_section(html)
    for name in shown:
        assert name in section
    for name in hidden:
        assert name not in section
    if not shown:
        assert section == "" and "None of the members who represent you is among them" in html
        assert 'id="letter"' not in html  # no members to write to


def answer(client, token, district):
    return client.post(f"/signatures/confirm/{token}/district", data={"district": district})


def test_a_split_zip_signer_chooses_their_district_and_the_tallies_become_exact_once(
        client, both, signer, make_user):
    html, token = confirmed_page(client, signer, both.slug, "chi@example.org", "60614")
    question = re.search(r'<section class="district-question".*?</section>', html, re.S).group(0)
    for label, name in REPS_60614.items():
        assert f'value="{label}"' in question and name in question
    districts, partial = district_tallies(both)
    assert districts == {"IL-3": 1, "IL-5": 1, "IL-7": 1} and partial == districts

    response = answer(client, token, "IL-5")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/signatures/confirmed/{token}?saved=district#your-district")
    assert district_tallies(both) == ({"IL-5": 1}, {})
    again = client.get(response.headers["Location"])
    assert again.headers["Cache-Control"] == "private, no-store"
    page = again.get_data(as_text=True)
    assert "your signature now counts in IL-5 only" in page
    assert 'value="IL-5" class="button" aria-pressed="true"' in page  # the answer can still be changed

    deltas = db.session.scalar(sa.select(sa.func.count()).select_from(TallyDelta))
    assert answer(client, token, "IL-5").status_code == 303  # the same answer again: nothing moves
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyDelta)) == deltas
    assert answer(client, token, "IL-7").status_code == 303  # a tap on the wrong button, corrected
    assert district_tallies(both) == ({"IL-7": 1}, {})
    assert counting.signature_count(both.id) == 1
    assert counting.tallies_for(both.id, counting.STATE) == {"IL": 1}
    assert counting.measure_drift(both.id) == []

    for wrong in ("IL-9", "CA-11", "", "IL-5' OR 1=1"):
        refused = answer(client, token, wrong)
        assert refused.status_code == 422 and "Choose one of the districts below." in refused.get_data(as_text=True)
    assert district_tallies(both) == ({"IL-7": 1}, {})

    # The public JSON, exports and the dashboard see the exact district.
    data = client.get(f"/campaigns/{both.slug}.json").get_json()
    assert [(d["code"], d["count"], d["may_include"]) for d in data["signatures_by_district"]] == [("IL-7", 1, 0)]
    make_user("owner@example.org", campaigns=[both])
    assert login(client, "owner@example.org").status_code == 302
    dashboard = client.get(f"/organise/campaigns/{both.slug}").get_data(as_text=True)
    assert "1 of 1 told us which district is theirs." in dashboard
    exported = client.get(f"/organise/campaigns/{both.slug}/exports/signatures.csv").data.decode("utf-8-sig")
    row = list(csv.DictReader(io.StringIO(exported)))[0]
    assert [value for value in row.values() if value.startswith(("IL-", "may include"))] == ["IL-7"]


def test_the_share_of_may_include_falls_and_answered_over_asked_is_recorded(client, both, signer, make_user):
    _html, first = confirmed_page(client, signer, both.slug, "a@example.org", "60614")
    confirmed_page(client, signer, both.slug, "b@example.org", "60614")
    confirmed_page(client, signer, both.slug, "c@example.org", "35005")  # AL-6 / AL-7
    confirmed_page(client, signer, both.slug, "d@example.org", "94105")  # one district: never asked
    assert counting.tallies_for(both.id, counting.PARTIAL) == {"IL-3": 2, "IL-5": 2, "IL-7": 2, "AL-6": 1, "AL-7": 1}
    answer(client, first, "IL-3")
    assert counting.tallies_for(both.id, counting.PARTIAL) == {"IL-5": 1, "IL-7": 1, "IL-3": 1, "AL-6": 1, "AL-7": 1}
    assert counting.tallies_for(both.id, counting.DISTRICT)["IL-3"] == 2
    make_user("owner@example.org", campaigns=[both])
    login(client, "owner@example.org")
    assert "1 of 3 told us which district is theirs." in client.get(
        f"/organise/campaigns/{both.slug}").get_data(as_text=True)


def test_withdrawing_after_answering_takes_the_signature_out_of_its_chosen_district_only(
        client, both, signer, inbox):
    links = signer(both.slug, email="chi@example.org", postal_code="60614")
    post_button(client, links["confirm"])
    token = links["confirm"].rsplit("/", 1)[1]
    answer(client, token, "IL-3")
    assert post_button(client, links["remove"]).status_code == 200
    assert counting.signature_count(both.id) == 0
    assert district_tallies(both) == ({}, {})
    assert counting.measure_drift(both.id) == []
    # A withdrawn signature cannot answer any more: its district is no longer counted anywhere.
    assert answer(client, token, "IL-5").status_code == 404
    assert district_tallies(both) == ({}, {})


def test_the_district_question_refuses_cross_site_posts_and_unknown_links(client, both, signer):
    _html, token = confirmed_page(client, signer, both.slug, "chi@example.org", "60614")
    forged = client.post(f"/signatures/confirm/{token}/district", data={"district": "IL-5"},
                         headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert answer(client, "not-a-token", "IL-5").status_code == 404
    assert district_tallies(both)[1] == {"IL-3": 1, "IL-5": 1, "IL-7": 1}  # nothing changed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DistrictAnswer)) == 0


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrency tests run on PostgreSQL")
def test_concurrent_answers_for_one_signature_leave_exact_tallies(app, client, both, signer):
    _html, token = confirmed_page(client, signer, both.slug, "chi@example.org", "60614")
    choices = ["IL-3", "IL-5", "IL-7", "IL-5"] * 3

    def post(label):
        return app.test_client().post(f"/signatures/confirm/{token}/district", data={"district": label}).status_code

    with ThreadPoolExecutor(max_workers=len(choices)) as pool:
        assert list(pool.map(post, choices)) == [303] * len(choices)
    districts, partial = district_tallies(both)
    assert partial == {} and len(districts) == 1 and sum(districts.values()) == 1
    assert list(districts) == [db.session.get(DistrictAnswer, db.session.scalar(sa.select(DistrictAnswer.signature_id))).district]
    assert counting.measure_drift(both.id) == []


def write(client, token, **fields):
    data = {"body": "My daughter was born in March and I went back to work after two weeks.",
            "reach": "members"}
    data.update(fields)
    return client.post(f"/signatures/confirm/{token}/letter", data=data)


def test_a_letter_is_stored_with_its_consents_moderated_and_shown_only_when_approved(
        client, both, signer, make_user):
    html, token = confirmed_page(client, signer, both.slug, "sf@example.org", "94105", full_name="Rosa Diaz")
    assert "How would paid leave change your family&#39;s week?" in html  # the campaign's prompts
    assert 'name="street_address"' not in html  # only asked when letters go through CWC

    response = write(client, token, reach="public", show_name="y",
                     body="I am a nurse.\nNight shifts and no paid leave: my son was two weeks old.")
    assert response.status_code == 303 and response.headers["Location"].endswith("?saved=letter#letter")
    letter = db.session.scalars(sa.select(Letter)).one()
    assert (letter.deliver, letter.show_publicly, letter.show_name, letter.status) == (True, True, True, "pending")
    assert letter.street_address is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your letter is saved" in page and "Night shifts and no paid leave" in page  # can be edited

    campaign_page = client.get(f"/campaigns/{both.slug}").get_data(as_text=True)
    assert "Night shifts" not in campaign_page  # pending: not shown

    make_user("owner@example.org", campaigns=[both])
    login(client, "owner@example.org")
    queue_url = f"/organise/campaigns/{both.slug}/letters"
    queue = client.get(queue_url).get_data(as_text=True)
    assert "Night shifts and no paid leave" in queue and "To their members and the campaign page" in queue
    assert client.post(queue_url, data={"csrf_token": csrf_token(queue), "one": f"approve:{letter.id}"}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).status == "approved"
    client.post("/organise/logout", data={"csrf_token": csrf_token(client.get("/organise/").get_data(as_text=True))})
    client.delete_cookie("session")
    campaign_page = client.get(f"/campaigns/{both.slug}").get_data(as_text=True)
    assert "Night shifts and no paid leave" in campaign_page and "Rosa Diaz, San Francisco, CA" in campaign_page


def test_a_members_only_letter_is_never_shown_on_the_campaign_page_and_unnamed_letters_carry_no_name(
        client, both, signer, make_user):
    _html, token = confirmed_page(client, signer, both.slug, "sf@example.org", "94105", full_name="Rosa Diaz")
    write(client, token, body="Child care costs more than our rent, and the centre closes at five.")
    letter = db.session.scalars(sa.select(Letter)).one()
    assert (letter.show_publicly, letter.show_name) == (False, False)
    make_user("owner@example.org", campaigns=[both])
    login(client, "owner@example.org")
    queue = client.get(f"/organise/campaigns/{both.slug}/letters").get_data(as_text=True)
    client.post(f"/organise/campaigns/{both.slug}/letters",
                data={"csrf_token": csrf_token(queue), "one": f"approve:{letter.id}"})
    assert "Child care costs more" not in client.get(f"/campaigns/{both.slug}").get_data(as_text=True)

    pdf = create_packet(client, both.slug, "P000197")
    assert pdf.status_code == 200
    text = pdftotext(pdf.data)
    assert "Letters from constituents" in text and "Child care costs more than our rent" in text
    assert "A constituent, San Francisco, CA 94105" in text and "Rosa Diaz" not in text


def pdftotext(data: bytes) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def test_letters_reach_only_the_packets_of_the_writers_members(client, both, signer, make_user):
    _html, sf = confirmed_page(client, signer, both.slug, "sf@example.org", "94105", full_name="Rosa Diaz")
    _html, chi = confirmed_page(client, signer, both.slug, "chi@example.org", "60614", full_name="Dana Lee")
    write(client, sf, body="Letter from San Francisco about paid leave for nurses.", show_name="y")
    write(client, chi, body="Letter from Chicago about child care at the hospital.", show_name="y")
    make_user("owner@example.org", campaigns=[both])
    login(client, "owner@example.org")
    queue = client.get(f"/organise/campaigns/{both.slug}/letters").get_data(as_text=True)
    client.post(f"/organise/campaigns/{both.slug}/letters",
                data={"csrf_token": csrf_token(queue), "bulk": "approve",
                      "ids": [str(i) for i in db.session.scalars(sa.select(Letter.id))]})

    pelosi = pdftotext(create_packet(client, both.slug, "P000197").data)
    assert "Letter from San Francisco" in pelosi and "Rosa Diaz, San Francisco, CA 94105" in pelosi
    assert "Letter from Chicago" not in pelosi
    # Unsure district (shared ZIP, unanswered): no representative gets it, the state's senators do.
    assert "Letter from Chicago" not in pdftotext(create_packet(client, both.slug, "Q000023").data)
    assert "Letter from Chicago" in pdftotext(create_packet(client, both.slug, "D000563").data)  # Sen. Durbin
    answer(client, chi, "IL-5")
    assert "Letter from Chicago" in pdftotext(create_packet(client, both.slug, "Q000023").data)


def test_a_bad_letter_gets_the_form_again_with_errors_and_nothing_is_stored(client, both, signer):
    _html, token = confirmed_page(client, signer, both.slug, "sf@example.org", "94105")
    for fields, message in (({"body": ""}, "Write your letter"),
                            ({"body": "Too short."}, "between 20 and 5,000 characters"),
                            ({"body": "x" * 5001}, "between 20 and 5,000 characters"),
                            ({"reach": "everyone"}, "Not a valid choice"),
                            ({"body": "Control \x00 characters are not text at all."}, "control characters")):
        response = write(client, token, **fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert "There is a problem" in page and message in page, (fields, message)
        assert "Call your members" in page  # the rest of the page is still there
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0
    assert write(client, "no-such-token").status_code == 404


def test_with_cwc_enabled_the_street_address_is_required_and_stored(app, client, both, signer):
    app.config["CWC_ENABLED"] = True
    html, token = confirmed_page(client, signer, both.slug, "sf@example.org", "94105")
    assert 'name="street_address"' in html and 'autocomplete="street-address"' in html
    refused = write(client, token)
    assert refused.status_code == 422 and "Enter your street address" in refused.get_data(as_text=True)
    assert write(client, token, street_address="55 Mission St Apt 4", city="San Francisco").status_code == 303
    letter = db.session.scalars(sa.select(Letter)).one()
    assert (letter.street_address, letter.city) == ("55 Mission St Apt 4", "San Francisco")


def test_a_changed_letter_waits_for_moderation_again(client, both, signer, make_user):
    _html, token = confirmed_page(client, signer, both.slug, "sf@example.org", "94105")
    write(client, token, body="First version of my letter about paid leave.")
    letter_id = db.session.scalar(sa.select(Letter.id))
    db.session.execute(sa.update(Letter).values(status="approved"))
    db.session.commit()
    write(client, token, body="Second version of my letter about paid leave.", reach="public")
    db.session.expire_all()
    letter = db.session.scalars(sa.select(Letter)).one()
    assert letter.id == letter_id and letter.status == "pending" and letter.body.startswith("Second")


def test_organisers_write_the_call_script_and_letter_prompts(client, campaign, make_user):
    make_user("owner@example.org", campaigns=[campaign])
    login(client, "owner@example.org")
    url = f"/organise/campaigns/{campaign.slug}/edit"
    form = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "title": campaign.title, "slug": campaign.slug, "ask": campaign.ask,
            "summary": "", "background": "", "target_chamber": "both", "target_states": "", "goal": "100",
            "call_script": "Please ask {title} {member} to co-sponsor.",
            "letter_prompts": "One?\n\nTwo?\nThree?\nFour?"}
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and "Ask at most three questions" in refused.get_data(as_text=True)
    data["letter_prompts"] = "What would paid leave change for you?\n\nWho looks after your children?"
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    campaign = db.session.get(type(campaign), campaign.id)
    assert campaign.call_script == "Please ask {title} {member} to co-sponsor."
    assert campaign.letter_prompt_list() == ["What would paid leave change for you?", "Who looks after your children?"]


def test_a_signers_own_data_includes_their_letter_and_erasing_deletes_it(client, both, signer, inbox):
    from tests.privacy.test_own_data import ask_for_link

    _html, token = confirmed_page(client, signer, both.slug, "sf@example.org", "94105")
    write(client, token, body="Our family needs paid leave; I am a receptionist at a clinic.")
    _response, path = ask_for_link(client, inbox, "sf@example.org")
    data = client.get(path + "/data.json").get_json()
    assert data["signatures"][0]["letter"]["body"].startswith("Our family needs paid leave")
    html = client.get(path).get_data(as_text=True)
    assert client.post(path + "/erase", data={"csrf_token": csrf_token(html)}).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_load_geography_loads_every_district_office_of_current_members_and_is_idempotent(app):
    from advocacy.geography.models import DistrictOffice

    for _ in range(2):
        output = app.test_cli_runner().invoke(args=["advocacy", "load-geography"]).output
        assert "1312 district offices" in output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DistrictOffice)) == 1312
    pelosi = db.session.get(DistrictOffice, "P000197-san_francisco")
    assert (pelosi.phone, pelosi.hours, pelosi.zip) == ("415-556-4862", "M-F 9-5:30pm", "94103")
    assert round(pelosi.latitude, 3) == 37.779


def test_the_seed_campaigns_come_with_a_call_script_and_letter_questions(client, geography, signer):
    from advocacy.campaigns.seed import seed_campaigns

    seed_campaigns()
    html, _token = confirmed_page(client, signer, "affordable-child-care", "sf@example.org", "94105")
    assert "I am a constituent of Representative Nancy Pelosi." in html
    assert "What does child care cost your family" in html
