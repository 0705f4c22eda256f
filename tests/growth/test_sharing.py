"""Share links without trackers on the campaign page and the confirmed page, each carrying
?source=share-<channel>; a copy-link field that works without JavaScript."""
import re
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

from tests.conftest import post_button

CHANNEL_HOSTS = {"whatsapp": "wa.me", "facebook": "www.facebook.com", "x": "twitter.com"}


def share_hrefs(html: str) -> list[str]:
    block = html.split('class="share__links"')[1].split("</ul>")[0]
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', block)]


def check_share_block(html: str, slug: str):
    hrefs = share_hrefs(html)
    page = f"http://localhost/campaigns/{slug}?source=share-"
    by_scheme = {urlsplit(h).scheme: h for h in hrefs}
    assert set(by_scheme) == {"mailto", "sms", "https"}
    mail = parse_qs(urlsplit(by_scheme["mailto"]).query)
    assert mail["subject"] == ["Paid leave for all"] and page + "email" in mail["body"][0]
    assert page + "sms" in parse_qs(urlsplit(by_scheme["sms"]).query)["body"][0]
    web = {urlsplit(h).netloc: parse_qs(urlsplit(h).query) for h in hrefs if h.startswith("https://")}
    assert set(web) == set(CHANNEL_HOSTS.values())
    assert page + "whatsapp" in web["wa.me"]["text"][0]
    assert web["www.facebook.com"]["u"] == [page + "facebook"]
    assert web["twitter.com"]["url"] == [page + "x"]
    # The copy-link field: readonly, holding the link; its button only appears with the script.
    field = re.search(r'<input[^>]*id="share-url"[^>]*>', html)[0]
    assert "readonly" in field and f'value="{page}link"' in field
    assert re.search(r'<button[^>]*data-copy-target="share-url"[^>]*hidden', html)
    assert '<label class="label" for="share-url">' in html
    # No third-party script or pixel: only our own script, loaded from our origin.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/static/js/share.js"' in s for s in scripts)
    assert not re.search(r'<img[^>]+src="https?://', html)


def test_campaign_page_has_share_links_for_every_channel_with_their_source(client, campaign):
    html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    check_share_block(html, campaign.slug)
    assert html.count('target="_blank" rel="noopener noreferrer"') == 3  # the three web services


def test_confirmed_page_offers_the_same_share_links(client, campaign, signer):
    response = post_button(client, signer(campaign.slug)["confirm"])
    assert response.status_code == 200
    check_share_block(response.get_data(as_text=True), campaign.slug)


def test_share_text_is_in_the_page_language(client, campaign):
    html = client.get(f"/campaigns/{campaign.slug}?lang=es").get_data(as_text=True)
    whatsapp = next(h for h in share_hrefs(html) if "wa.me" in h)
    assert unquote(whatsapp).startswith("https://wa.me/?text=Firma esta petición: Paid leave for all")


def test_the_copy_script_is_served_from_our_origin(client):
    response = client.get("/static/js/share.js")
    assert response.status_code == 200 and b"navigator.clipboard" in response.data
