"""The link-preview card (Open Graph / Twitter card image): a 1200x630 PNG with the campaign's
title, its live count and the goal with a progress bar, drawn with Pillow.

Cached on disk (CARD_CACHE_DIR) under a key made of what the picture shows: a new picture is drawn
when the title, the goal or the language changes, or when the count leaves its bucket (about 1%
wide, see `count_bucket`), and the previous one is deleted. The page's og:image URL carries the
bucket, so services that keep previews (WhatsApp, Facebook) fetch the new picture."""
import hashlib
import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, format_decimal, gettext, ngettext
from PIL import Image, ImageDraw, ImageFont

from ..campaigns.models import Campaign
from ..campaigns.service import campaign_text
from ..urls import external_url

WIDTH, HEIGHT = 1200, 630
MARGIN = 60
CARD_VERSION = "1"  # bump when the drawing changes, so cached cards are redrawn
FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"regular": ("NotoSans-Regular.ttf", "DejaVuSans.ttf"), "bold": ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf")}
BRAND, TEXT, MUTED, OK, TRACK, BORDER = "#5b2a86", "#0b0c0c", "#505a5f", "#00703c", "#f3f2f1", "#b1b4b6"
TITLE_SIZES = (68, 60, 52, 46)
TITLE_LINES = 3


def count_bucket(count: int) -> int:
    """The count rounded down to about 1% of itself (1 below 1,000, 10 below 10,000, ...)."""
    step = 10 ** max(0, len(str(max(count, 0))) - 3)
    return count - count % step


@lru_cache(maxsize=32)
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    for name in FONT_FILES[weight]:
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.exists():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def wrap(text: str, font, width: int) -> list[str]:
    """Words into lines no wider than `width` (a word longer than a line is cut by characters)."""
    lines, line = [], ""
    for word in text.split():
        while font.getlength(word) > width:
            cut = len(word)
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _title_lines(title: str, width: int):
    for size in TITLE_SIZES:
        font = _font("bold", size)
        lines = wrap(title, font, width)
        if len(lines) <= TITLE_LINES:
            return font, lines
    lines = lines[:TITLE_LINES]
    while lines[-1] and font.getlength(lines[-1] + "…") > width:
        lines[-1] = lines[-1][:-1]
    lines[-1] = lines[-1].rstrip() + "…"
    return font, lines


def draw_card(title: str, count: int, goal: int, organisation: str, site: str) -> bytes:
    """The PNG; labels and numbers in the current language."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, WIDTH, 18), fill=BRAND)
    draw.text((MARGIN, 48), organisation, font=_font("regular", 30), fill=MUTED)

    font, lines = _title_lines(title, inner)
    y = 100
    line_height = round(font.size * 1.2)
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=TEXT)
        y += line_height

    number, label = format_decimal(count), ngettext("signature", "signatures", count)
    big, small = _font("bold", 64), _font("regular", 36)
    count_y = 400
    draw.text((MARGIN, count_y), number, font=big, fill=OK)
    after = MARGIN + big.getlength(number) + 16
    draw.text((after, count_y + 20), label, font=small, fill=TEXT)
    goal_text = gettext("of %(goal)s goal", goal=format_decimal(goal))
    draw.text((after + small.getlength(label) + 14, count_y + 20), goal_text, font=small, fill=MUTED)

    bar_top, bar_height = 500, 40
    draw.rectangle((MARGIN, bar_top, WIDTH - MARGIN, bar_top + bar_height), fill=TRACK, outline=BORDER, width=2)
    filled = round(inner * min(count, goal) / goal) if goal else 0
    if filled:
        draw.rectangle((MARGIN, bar_top, MARGIN + filled, bar_top + bar_height), fill=OK)
    footer = _font("regular", 28)
    draw.text((WIDTH - MARGIN - footer.getlength(site), 568), site, font=footer, fill=MUTED)

    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _cache_dir() -> Path:
    folder = Path(current_app.config["CARD_CACHE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def card_key(campaign: Campaign, count: int, locale: str) -> str:
    shown = "|".join((CARD_VERSION, str(campaign.id), campaign_text(campaign, locale).title, str(campaign.goal),
                      str(count_bucket(count)), locale, current_app.config["ORGANISATION_NAME"],
                      current_app.config["PUBLIC_BASE_URL"]))
    return hashlib.sha256(shown.encode()).hexdigest()[:24]


def card_png(campaign: Campaign, count: int, locale: str) -> bytes:
    """The cached card, or a freshly drawn one (written atomically; older cards of this campaign
    and language are removed)."""
    folder, prefix = _cache_dir(), f"{campaign.id}-{locale}-"
    path = folder / f"{prefix}{card_key(campaign, count, locale)}.png"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    site = current_app.config["PUBLIC_BASE_URL"].split("://", 1)[-1]
    title = campaign_text(campaign, locale).title  # in the card's language where written, else English
    with force_locale(locale):
        png = draw_card(title, count, campaign.goal, current_app.config["ORGANISATION_NAME"], site)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        file.write(png)
    os.replace(temporary, path)
    for old in folder.glob(f"{prefix}*.png"):
        if old != path:
            old.unlink(missing_ok=True)
    return png


def preview_meta(campaign: Campaign, count: int, locale: str) -> dict:
    """What the campaign page's Open Graph and Twitter card tags say (absolute URLs), in `locale`
    where the campaign is written in it."""
    text = campaign_text(campaign, locale)
    alt = " ".join((f"{text.title}:", format_decimal(count), ngettext("signature", "signatures", count),
                    gettext("of %(goal)s goal", goal=format_decimal(campaign.goal))))
    return {"title": text.title, "description": text.ask,
            "url": external_url("public.show", slug=campaign.slug),
            "image": external_url("growth.card", slug=campaign.slug, locale=locale, n=count_bucket(count)),
            "image_alt": alt, "width": WIDTH, "height": HEIGHT,
            "og_locale": {"es": "es_US"}.get(locale, "en_US")}
