"""Over a soft rate limit a signature is stored and held for review, never refused or lost."""
import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures.counting import signature_count
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, post_button, sign_form


def _status(email):
    return db.session.execute(sa.select(Signature.status, Signature.hold_reason)
                              .where(Signature.email == email)).one()


def test_signing_over_the_per_network_limit_is_stored_and_held_not_refused(app, client, campaign, signer):
    app.config["SIGN_SOFT_LIMIT_PER_IP"] = "3 per minute"
    links = [signer(campaign.slug, email=f"cafe{i}@example.org") for i in range(4)]
    fourth = sign_form(client, campaign.slug, email="cafe3@example.org")  # the page answered as usual
    assert fourth.status_code == 303 and fourth.headers["Location"].endswith("/check-your-email")
    for i in range(4):
        post_button(client, links[i]["confirm"])
    assert [_status(f"cafe{i}@example.org") for i in range(3)] == [("confirmed", None)] * 3
    assert _status("cafe3@example.org") == ("held", "ip_rate")
    assert signature_count(campaign.id) == 3


def test_the_held_signer_sees_the_ordinary_confirmed_page(app, client, campaign, signer):
    app.config["SIGN_SOFT_LIMIT_PER_IP"] = "1 per hour"
    signer(campaign.slug, email="first@example.org")
    held = signer(campaign.slug, email="second@example.org")
    page = post_button(client, held["confirm"])
    assert page.status_code == 200 and "your signature is confirmed" in page.get_data(as_text=True)


def test_an_organiser_releases_held_signatures_and_they_count(app, client, campaign, signer, make_user):
    from tests.conftest import login

    app.config["SIGN_SOFT_LIMIT_PER_IP"] = "1 per hour"
    post_button(client, signer(campaign.slug, email="first@example.org")["confirm"])
    post_button(client, signer(campaign.slug, email="second@example.org")["confirm"])
    signer(campaign.slug, email="third@example.org")  # held and not yet confirmed
    assert signature_count(campaign.id) == 1
    make_user("owner@example.org", campaigns=[campaign])
    login(client, "owner@example.org")
    page = client.get(f"/organise/campaigns/{campaign.slug}/fraud").get_data(as_text=True)
    held = page.split('id="held"')[1].split("</table>")[0]
    assert '<td class="num">1</td><td class="num">1</td>' in held
    response = client.post(f"/organise/campaigns/{campaign.slug}/fraud/held/ip_rate/release",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert signature_count(campaign.id) == 2
    assert _status("third@example.org") == ("pending", None)  # will count when confirmed


def test_removing_and_signing_again_is_not_refused(app, client, campaign, signer):
    post_button(client, signer(campaign.slug, email="again@example.org")["confirm"])
    links = signer(campaign.slug, email="again@example.org")  # the "already signed" mail has a removal link
    post_button(client, links["remove"])
    for _ in range(6):  # more than the old hard limit of 5 an hour for one address
        assert sign_form(client, campaign.slug, email="again@example.org").status_code == 303
    assert _status("again@example.org")[0] == "pending"


def test_a_signer_cannot_undo_an_invalidation_by_removing_and_signing_again(client, campaign, signer, make_user):
    from tests.conftest import login

    first = signer(campaign.slug, email="bot1@spam.example")
    post_button(client, first["confirm"])
    make_user("owner@example.org", campaigns=[campaign])
    login(client, "owner@example.org")
    preview = client.get(f"/organise/campaigns/{campaign.slug}/fraud/invalidate?email_domain=spam.example")
    client.post(f"/organise/campaigns/{campaign.slug}/fraud/invalidate", data={
        "csrf_token": csrf_token(preview.get_data(as_text=True)), "email_domain": "spam.example", "expected": "1"})
    assert _status("bot1@spam.example")[0] == "invalidated" and signature_count(campaign.id) == 0

    post_button(client, first["remove"])  # the removal link from the first mail
    assert sign_form(client, campaign.slug, email="bot1@spam.example").status_code == 303
    assert client.post(first["confirm"], data={"csrf_token": csrf_token(
        client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True))}).status_code in (404, 410)
    assert _status("bot1@spam.example")[0] == "invalidated" and signature_count(campaign.id) == 0

    # Undoing the invalidation respects the signer's removal: removed, not counted.
    page = client.get(f"/organise/campaigns/{campaign.slug}/fraud").get_data(as_text=True)
    undo_url = page.split('action="')[-1].split('"')[0]
    assert "/undo" in undo_url
    client.post(undo_url, data={"csrf_token": csrf_token(page)})
    assert _status("bot1@spam.example")[0] == "removed" and signature_count(campaign.id) == 0
