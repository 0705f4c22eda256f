"""The sign form's honeypot and minimum fill time: a script that springs either is stored as suspect,
not counted and not mailed, and sees the ordinary answer; a person is never slowed down."""
import re
import time

import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures.counting import signature_count
from advocacy.signatures.models import Signature
from tests.conftest import deliver_mail, links_in, post_button

STARTED_RE = re.compile(r'name="started" type="hidden" value="([^"]*)"')


def _page(client, slug):
    page = client.get(f"/campaigns/{slug}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _timer(html):
    return STARTED_RE.search(html).group(1)


def _post(client, slug, started=None, **fields):
    data = {"given_name": "Maria", "family_name": "Lopez", "email": "maria@example.org", "postal_code": "60614", "comment": ""}
    if started is not None:
        data["started"] = started
    data.update(fields)
    return client.post(f"/campaigns/{slug}/sign", data=data)


def _row(email):
    return db.session.execute(sa.select(Signature.status, Signature.hold_reason)
                              .where(Signature.email == email)).one_or_none()


def _ordinary_answer(response):
    return response.status_code == 303 and response.headers["Location"].endswith("/check-your-email")


def test_the_honeypot_is_hidden_from_people_screen_readers_and_the_keyboard(client, campaign):
    html = _page(client, campaign.slug)
    trap = html.split('<div class="bot-trap" aria-hidden="true">')[1].split("</div>")[0]
    assert '<label for="website">Leave this field empty</label>' in trap
    field = re.search(r"<input [^>]*name=\"website\"[^>]*>", trap).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    # The traps need no JavaScript: the page's only script is our share button's (growth), which
    # leaves the form alone.
    scripts = re.findall(r"<script[^>]*>", html)
    assert all('src="/static/js/share.js"' in s for s in scripts)
    script = client.get("/static/js/share.js").get_data(as_text=True)
    assert "website" not in script and "started" not in script and "form" not in script
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert re.search(r"\.bot-trap \{[^}]*left: -10000px", css)


def test_a_filled_honeypot_is_stored_as_suspect_unmailed_and_answered_as_usual(app, client, campaign, inbox):
    html = _page(client, campaign.slug)
    response = _post(client, campaign.slug, _timer(html), website="https://cheap-pills.example")
    assert _ordinary_answer(response)
    assert _row("maria@example.org") == ("pending", "honeypot")
    deliver_mail()
    assert inbox.to("maria@example.org") == []  # a script's victim is not mailed
    assert signature_count(campaign.id) == 0


def test_a_form_sent_faster_than_the_minimum_is_held_as_too_fast(app, client, campaign, inbox):
    app.config["SIGN_MIN_FILL_SECONDS"] = 30
    html = _page(client, campaign.slug)
    assert _ordinary_answer(_post(client, campaign.slug, _timer(html)))
    assert _row("maria@example.org") == ("pending", "too_fast")
    deliver_mail()
    assert inbox.to("maria@example.org") == []


def test_a_post_without_the_pages_timer_or_with_a_forged_one_is_too_fast(app, client, campaign):
    app.config["SIGN_MIN_FILL_SECONDS"] = 1
    assert _ordinary_answer(_post(client, campaign.slug, email="direct@example.org"))  # never loaded the page
    forged = f"{int(time.time() * 1000) - 60_000}.not-our-signature"
    assert _ordinary_answer(_post(client, campaign.slug, forged, email="forged@example.org"))
    assert _row("direct@example.org") == ("pending", "too_fast")
    assert _row("forged@example.org") == ("pending", "too_fast")


def test_a_person_taking_the_time_to_fill_in_the_form_signs_and_counts(app, client, campaign, inbox):
    app.config["SIGN_MIN_FILL_SECONDS"] = 1
    html = _page(client, campaign.slug)
    time.sleep(1.1)  # typing
    assert _ordinary_answer(_post(client, campaign.slug, _timer(html), website=""))
    assert _row("maria@example.org") == ("pending", None)
    deliver_mail()
    post_button(client, links_in(inbox.to("maria@example.org")[-1])["confirm"])
    assert _row("maria@example.org") == ("confirmed", None)
    assert signature_count(campaign.id) == 1


def test_a_cached_page_makes_the_timer_older_never_younger(app, client, campaign):
    """The page is the same for every visitor for PUBLIC_PAGE_CACHE_SECONDS: its timer is the
    render's, so a later visitor's time is measured longer than it was, never shorter."""
    from advocacy.public.service import page_cache

    app.config.update(SIGN_MIN_FILL_SECONDS=1, PUBLIC_PAGE_CACHE_SECONDS=60)
    try:
        first = _timer(_page(client, campaign.slug))
        time.sleep(1.1)
        second = _timer(_page(client, campaign.slug))  # a visitor arriving now gets the cached page
    finally:
        page_cache.clear()  # the cache is per process: later tests must not see this page
    assert second == first
    assert _ordinary_answer(_post(client, campaign.slug, second))  # sent at once after loading it
    assert _row("maria@example.org") == ("pending", None)


def test_fixing_a_mistake_keeps_the_first_render_time(app, client, campaign):
    app.config["SIGN_MIN_FILL_SECONDS"] = 1
    timer = _timer(_page(client, campaign.slug))
    time.sleep(1.1)
    again = _post(client, campaign.slug, timer, postal_code="6061", website="")
    assert again.status_code == 422
    html = again.get_data(as_text=True)
    assert _timer(html) == timer  # the form comes back with the same timer
    assert _ordinary_answer(_post(client, campaign.slug, _timer(html)))  # corrected at once
    assert _row("maria@example.org") == ("pending", None)


def test_the_honeypot_value_is_not_shown_again_with_errors(client, campaign):
    html = _page(client, campaign.slug)
    again = _post(client, campaign.slug, _timer(html), given_name="", family_name="", website="spam-value")
    assert again.status_code == 422 and "spam-value" not in again.get_data(as_text=True)
    assert _row("maria@example.org") is None  # invalid forms store nothing, trap or not


def test_a_script_cannot_change_or_remail_a_real_signature(app, client, campaign, signer, inbox):
    from datetime import timedelta

    from advocacy.database import utcnow

    links = signer(campaign.slug, email="real@example.org", full_name="Real Person")
    db.session.execute(sa.update(Signature).values(last_mailed_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()  # past the re-send throttle: only the trap keeps the script out
    inbox.clear()
    html = _page(client, campaign.slug)
    response = _post(client, campaign.slug, _timer(html), email="real@example.org", given_name="Bot", family_name="Name",
                     website="x")
    assert _ordinary_answer(response)
    deliver_mail()
    assert inbox.to("real@example.org") == []
    assert db.session.scalar(sa.select(Signature.full_name).where(Signature.email == "real@example.org")) \
        == "Real Person"
    post_button(client, links["confirm"])
    assert _row("real@example.org") == ("confirmed", None)


def test_a_person_signing_after_a_script_used_their_address_counts(app, client, campaign, signer):
    html = _page(client, campaign.slug)
    _post(client, campaign.slug, _timer(html), email="victim@example.org", website="x")
    assert _row("victim@example.org") == ("pending", "honeypot")
    links = signer(campaign.slug, email="victim@example.org")  # the real person, mailed at once
    post_button(client, links["confirm"])
    assert _row("victim@example.org") == ("confirmed", None)
    assert signature_count(campaign.id) == 1
