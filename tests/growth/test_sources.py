"""?source= codes: carried from the page's address into the sign form (the cached page stays one
render), stored with the signature, and shown per source on the dashboard."""
import re

import sqlalchemy as sa

from advocacy.extensions import db
from advocacy.signatures.models import Signature
from tests.conftest import csrf_token, deliver_mail, links_in, post_button


def source_field(html: str) -> str:
    return html.split('name="source" value="')[1].split('"')[0]


def sign_from(client, slug, url, email):
    page = client.get(url)
    html = page.get_data(as_text=True)
    return client.post(f"/campaigns/{slug}/sign", data={
        "csrf_token": csrf_token(html), "source": source_field(html),
        "given_name": "Ana", "family_name": "Ruiz", "email": email, "postal_code": "60614"})


def stored_source(email):
    return db.session.scalar(sa.select(Signature.source).where(Signature.email == email))


def test_the_source_in_the_address_reaches_the_signature(client, campaign):
    response = sign_from(client, campaign.slug, f"/campaigns/{campaign.slug}?source=Clinic-Nurses_2", "a@example.org")
    assert response.status_code == 303
    assert stored_source("a@example.org") == "clinic-nurses_2"


def test_a_cached_page_serves_each_visitor_their_own_source(app, client, campaign):
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 60
    from advocacy.public.service import page_cache

    page_cache.clear()
    try:
        first = client.get(f"/campaigns/{campaign.slug}?source=daycare").get_data(as_text=True)
        second = client.get(f"/campaigns/{campaign.slug}?source=union-local-7").get_data(as_text=True)
        plain = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
        assert len(page_cache._entries) == 1  # one render, whatever the source
    finally:
        page_cache.clear()
    assert source_field(first) == "daycare" and source_field(second) == "union-local-7"
    assert source_field(plain) == ""


def test_an_invalid_source_is_dropped_without_stopping_the_signature(client, campaign):
    html = client.get(f'/campaigns/{campaign.slug}?source="><script>x</script>').get_data(as_text=True)
    assert source_field(html) == "" and "<script>x" not in html
    response = client.post(f"/campaigns/{campaign.slug}/sign", data={
        "source": "a" * 41, "given_name": "Ana", "family_name": "Ruiz", "email": "long@example.org", "postal_code": "60614"})
    assert response.status_code == 303 and stored_source("long@example.org") is None
    response = client.post(f"/campaigns/{campaign.slug}/sign", data={
        "source": "bad source!", "given_name": "Ana", "family_name": "Ruiz", "email": "bad@example.org", "postal_code": "60614"})
    assert response.status_code == 303 and stored_source("bad@example.org") is None


def test_a_form_with_errors_keeps_the_source(client, campaign):
    response = client.post(f"/campaigns/{campaign.slug}/sign", data={
        "source": "partner-a", "given_name": "", "family_name": "", "email": "x@example.org", "postal_code": "60614"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert source_field(html) == "partner-a" and "__page_source__" not in html


def test_dashboard_shows_signers_and_confirmation_rate_per_source(organiser_client, campaign, inbox):
    client = organiser_client
    for email, query in (("p1@example.org", "?source=partner-a"), ("p2@example.org", "?source=partner-a"),
                         ("p3@example.org", "?source=partner-a"), ("w1@example.org", "?source=widget"),
                         ("d1@example.org", "")):
        assert sign_from(client, campaign.slug, f"/campaigns/{campaign.slug}{query}", email).status_code == 303
    deliver_mail()
    for email in ("p1@example.org", "p2@example.org", "w1@example.org", "d1@example.org"):
        assert post_button(client, links_in(inbox.to(email)[-1])["confirm"]).status_code == 200

    html = client.get(f"/organise/campaigns/{campaign.slug}").get_data(as_text=True)
    panel = html.split('id="growth-heading"')[1].split("</section>")[0]
    rows = [[cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in panel.split('id="sources-caption"')[1].split("</tbody>")[0].split("<tr>")[2:]]
    assert rows == [["partner-a", "3", "2", "67%"], ["Direct (no source)", "1", "1", "100%"],
                    ["widget", "1", "1", "100%"]]
