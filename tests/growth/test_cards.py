"""Open Graph / Twitter card tags on the campaign page, and the card image they point to: a
1200x630 PNG showing the title, the live count and the goal, redrawn when the count moves."""
import io
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.conftest import post_button


@pytest.fixture(autouse=True)
def card_dir(app, tmp_path):
    app.config["CARD_CACHE_DIR"] = str(tmp_path / "cards")
    return tmp_path / "cards"


def meta(html: str) -> dict[str, str]:
    tags = re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)">', html)
    return {key: unescape(value) for key, value in tags}


def test_campaign_page_has_open_graph_and_twitter_card_tags(client, campaign):
    html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    head = html.split("</head>")[0]
    tags = meta(head)
    assert tags["og:title"] == "Paid leave for all" and tags["og:description"] == "Pass the law."
    assert tags["og:url"] == "http://localhost/campaigns/paid-leave"
    assert tags["og:image"].startswith("http://localhost/campaigns/paid-leave/card.png?")
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:type"] == "image/png" and "0 signatures of 100 goal" in tags["og:image:alt"]
    assert tags["twitter:card"] == "summary_large_image" and tags["twitter:image"] == tags["og:image"]
    assert '<link rel="canonical" href="http://localhost/campaigns/paid-leave">' in head


def image_of(client, html: str) -> tuple[bytes, object]:
    url = urlsplit(meta(html)["og:image"])
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "public" in response.headers["Cache-Control"] and "max-age=" in response.headers["Cache-Control"]
    return response.data, response


def test_card_is_a_1200_by_630_png_that_changes_when_the_count_moves(client, campaign, signer, card_dir):
    before_html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    before, _ = image_of(client, before_html)
    image = Image.open(io.BytesIO(before))
    assert image.format == "PNG" and image.size == (1200, 630)
    # Served from the disk cache while the count stays in its bucket.
    assert image_of(client, before_html)[0] == before and len(list(card_dir.glob("*.png"))) == 1

    post_button(client, signer(campaign.slug)["confirm"])
    after_html = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert meta(after_html)["og:image"] != meta(before_html)["og:image"]  # a new address: previews refetch
    after, _ = image_of(client, after_html)
    assert after != before and Image.open(io.BytesIO(after)).size == (1200, 630)
    assert len(list(card_dir.glob("*.png"))) == 1  # the old card was removed
    # The progress bar: at 1 of 100 the first 1% of the bar is filled green, the rest is the track.
    pixels = Image.open(io.BytesIO(after)).convert("RGB")
    assert pixels.getpixel((62, 520)) == (0, 0x70, 0x3C)
    assert pixels.getpixel((600, 520)) == (0xF3, 0xF2, 0xF1)


def test_the_count_bucket_keeps_about_one_percent(app):
    from advocacy.growth.cards import count_bucket

    assert [count_bucket(n) for n in (0, 7, 999, 1000, 1009, 1010, 123_456)] == [0, 7, 999, 1000, 1000, 1010, 123_000]


def test_a_long_title_is_wrapped_within_the_card(app):
    from advocacy.growth.cards import _font, wrap

    font = _font("bold", 68)
    title = "Paid family leave, fair wages and affordable child care for every nurse, teacher and receptionist"
    lines = wrap(title, font, 1080)
    assert len(lines) > 1 and " ".join(lines) == title
    assert all(font.getlength(line) <= 1080 for line in lines)
    assert wrap("x" * 200, font, 1080)[0] and all(font.getlength(line) <= 1080 for line in wrap("x" * 200, font, 1080))


def test_spanish_page_points_to_a_spanish_card(client, campaign, card_dir):
    english = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    spanish = client.get(f"/campaigns/{campaign.slug}?lang=es").get_data(as_text=True)
    assert "locale=es" in meta(spanish)["og:image"] and meta(spanish)["og:locale"] == "es_US"
    assert "0 firmas de una meta de 100" in meta(spanish)["og:image:alt"]
    assert image_of(client, english)[0] != image_of(client, spanish)[0]


def test_a_draft_campaign_has_no_card(client, make_campaign):
    draft = make_campaign(state="draft")
    assert client.get(f"/campaigns/{draft.slug}/card.png").status_code == 404


def test_an_unknown_locale_draws_the_english_card(client, campaign, card_dir):
    assert client.get(f"/campaigns/{campaign.slug}/card.png?locale=../../etc").status_code == 200
    assert all(p.name.startswith(f"{campaign.id}-en-") for p in card_dir.glob("*"))
