"""A signer asks, from a mailed link, for everything stored about them, and for its deletion."""
import io
import json
import re

import sqlalchemy as sa

from advocacy.audit.models import AuditEvent
from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, deliver_mail, post_button
from tests.donations.helpers import donate, donations, post_event, session_event

ACCESS_RE = re.compile(r"http://localhost(/privacy/[A-Za-z0-9_\-]+)")


def ask_for_link(client, inbox, email):
    """Fill in /privacy, deliver the mail over SMTP and return the link's path (or None)."""
    page = client.get("/privacy")
    assert page.status_code == 200
    inbox.clear()
    response = client.post("/privacy", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                             "email": email})
    assert response.status_code == 200
    deliver_mail()
    mails = inbox.messages
    if not mails:
        return response, None
    body = mails[-1].get_body(("plain",)).get_content()
    return response, ACCESS_RE.search(body).group(1)


def test_the_mailed_link_shows_every_signature_and_donation_and_deletes_them(
        client, inbox, make_campaign, signer, fake_stripe):
    first = make_campaign(slug="first", title="First campaign")
    second = make_campaign(slug="second", title="Second campaign")
    links = signer(first.slug, email="Maria.Lopez@example.org", full_name="Maria Lopez",
                   postal_code="60614", comment="Childcare matters", keep_updated=True)
    post_button(client, links["confirm"])
    signer(second.slug, email="maria.lopez@example.org", full_name="Maria L.")  # pending
    other = signer(first.slug, email="someone@example.org", full_name="Someone Else")
    post_button(client, other["confirm"])
    donate(client, first.slug, custom="25")
    post_event(client, session_event("checkout.session.completed", fake_stripe, donations()[-1],
                                     email="maria.lopez@example.org"))
    assert client.get(f"/campaigns/{first.slug}.json").json["signature_count"] == 2

    _response, path = ask_for_link(client, inbox, "maria.lopez@example.org")
    assert inbox.messages[-1]["To"] == "maria.lopez@example.org"  # the address stored last
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for shown in ("First campaign", "Second campaign", "Maria Lopez", "Maria L.", "60614", "Childcare matters",
                  "Maria.Lopez@example.org", "$25.00"):
        assert shown in html, shown
    assert "Someone Else" not in html and "someone@example.org" not in html

    download = client.get(path + "/data.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    data = json.loads(download.get_data(as_text=True))
    assert sorted(s["campaign_slug"] for s in data["signatures"]) == ["first", "second"]
    assert {s["status"] for s in data["signatures"]} == {"confirmed", "pending"}
    assert data["signatures"][0]["comment"] == "Childcare matters" and data["signatures"][0]["keep_updated"]
    assert [d["amount_cents"] for d in data["donations"]] == [2500]

    # The delete button needs its CSRF token.
    assert client.post(path + "/erase", data={}).status_code == 400
    done = client.post(path + "/erase", data={"csrf_token": csrf_token(html)})
    assert done.status_code == 200
    assert "Your data has been deleted" in done.get_data(as_text=True)

    assert client.get(f"/campaigns/{first.slug}.json").json["signature_count"] == 1
    assert client.get(f"/campaigns/{second.slug}.json").json["signature_count"] == 0
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Signature).where(Signature.full_name.like("Maria%"))).all()
    assert rows == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)
                             .where(Signature.email_canonical == "maria.lopez@example.org")) == 0
    assert donations()[-1].donor_email is None and donations()[-1].amount_cents == 2500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "personal_data_erased")) == 2
    # The link is spent; a new request finds nothing and mails nothing.
    assert client.get(path).status_code == 410
    assert client.post(path + "/erase", data={"csrf_token": csrf_token(html)}).status_code == 410
    _response, again = ask_for_link(client, inbox, "maria.lopez@example.org")
    assert again is None


def test_the_request_page_answers_the_same_whether_or_not_the_address_signed(client, inbox, campaign, signer):
    signer(campaign.slug, email="known@example.org")
    known, link = ask_for_link(client, inbox, "known@example.org")
    unknown, none = ask_for_link(client, inbox, "nobody@example.org")
    assert link and none is None
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "EMAIL")  # noqa: E731
    assert strip(known, "known@example.org") == strip(unknown, "nobody@example.org")


def test_the_link_mail_is_in_the_signers_language(client, inbox, campaign, signer):
    client.get("/?lang=es")  # the signer picks Spanish, then signs
    signer(campaign.slug, email="ana@example.org")
    client.get("/?lang=en")  # and later asks for the link from the English page
    db.session.expire_all()
    assert db.session.scalars(sa.select(Signature.locale)).one() == "es"
    ask_for_link(client, inbox, "ana@example.org")
    assert "Tus datos" in inbox.messages[-1]["Subject"]


def test_a_bad_or_unknown_link_shows_a_clear_problem_page(client):
    assert client.get("/privacy/not-a-real-token").status_code == 410
    assert client.get("/privacy/not-a-real-token/data.json").status_code == 410


def test_the_request_page_is_rate_limited_per_address(app):
    from advocacy.extensions import limiter

    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      PRIVACY_RATE_LIMIT_PER_EMAIL="3 per hour")
    limiter.init_app(app)
    client = app.test_client()
    token = csrf_token(client.get("/privacy").get_data(as_text=True))
    codes = [client.post("/privacy", data={"csrf_token": token, "email": email}).status_code
             for email in ("a@example.org", "A@example.org", "a@example.org", "a@example.org")]
    assert codes == [200, 200, 200, 429]


def test_a_file_sent_as_the_email_address_gets_the_form_again_not_an_error(client):
    page = client.get("/privacy")
    response = client.post("/privacy", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                              "email": (io.BytesIO(b"x"), "x.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Enter your email address" in response.get_data(as_text=True)
