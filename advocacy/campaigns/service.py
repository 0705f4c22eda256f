import threading
import time
from datetime import datetime

import nh3
import sqlalchemy as sa
from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..audit.service import record
from ..database import transaction, utcnow
from ..extensions import db
from .models import TRANSLATION_LOCALES, Campaign, CampaignTranslation

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h2", "h3", "h4", "code"}


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised with nh3: organisers' text never runs script."""
    return nh3.clean(
        _markdown.render(text or ""),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# --- Text in the reader's language ---

ORIGINAL_LOCALE = "en"
CAMPAIGN_TEXT_FIELDS = ("title", "ask", "summary", "background", "call_script", "letter_prompts")


class LocalisedText:
    """Text fields for a page in `page_locale`: each in that language when written, else in English.
    `lang(name)` says which; templates mark English inside a Spanish page with `lang_attr` (an
    attribute for the element holding the field) or `marked` (the field in a span, inside a sentence)."""

    def __init__(self, page_locale: str, texts: dict[str, tuple[str, str]]):
        self.page_locale = page_locale
        self._texts = texts  # name -> (value, language it is written in)

    def __getitem__(self, name: str) -> str:  # Jinja's `text.title` falls back to this
        return self._texts[name][0]

    def __getattr__(self, name: str) -> str:
        try:
            return self._texts[name][0]
        except KeyError:
            raise AttributeError(name) from None

    def lang(self, name: str) -> str:
        return self._texts[name][1]

    def is_translated(self, name: str) -> bool:
        return self.lang(name) == self.page_locale

    def lang_attr(self, name: str) -> Markup:
        lang = self.lang(name)
        return Markup(' lang="%s"') % lang if lang != self.page_locale else Markup("")

    def marked(self, name: str) -> Markup:
        value = self[name]
        lang = self.lang(name)
        return Markup('<span lang="%s">%s</span>') % (lang, value) if lang != self.page_locale else escape(value)


def localised(original: dict[str, str], translation: dict[str, str] | None, locale: str) -> LocalisedText:
    """Each field from `translation` (written in `locale`) when it is not empty, else from `original`."""
    texts = {}
    for name, value in original.items():
        written = (translation or {}).get(name) or ""
        texts[name] = (written, locale) if written.strip() else (value or "", ORIGINAL_LOCALE)
    return LocalisedText(locale, texts)


def campaign_text(campaign: Campaign, locale: str) -> LocalisedText:
    """The campaign's title, ask, summary, background, call script and letter questions for a page in `locale`."""
    original = {name: getattr(campaign, name) for name in CAMPAIGN_TEXT_FIELDS}
    translation = campaign.translations.get(locale) if locale != ORIGINAL_LOCALE else None
    return localised(original, {name: getattr(translation, name) for name in CAMPAIGN_TEXT_FIELDS}
                     if translation else None, locale)


def translations_json(campaign: Campaign) -> dict[str, dict[str, str]]:
    """{"es": {"title": ..., "ask": ..., "summary": ...}} for the public JSON."""
    return {locale: {"title": t.title, "ask": t.ask, "summary": t.summary}
            for locale, t in sorted(campaign.translations.items())}


def translation_fields(campaign: Campaign) -> dict[str, str]:
    """The authoring form's fields for every translation: {"title_es": ..., ...}."""
    return {f"{name}_{locale}": getattr(campaign.translations.get(locale), name, "") or ""
            for locale in TRANSLATION_LOCALES for name in CAMPAIGN_TEXT_FIELDS}


def save_translations(campaign: Campaign, fields: dict[str, str]) -> list[str]:
    """Store the translations given as {"title_es": ..., ...} in the caller's transaction: a language
    whose fields are all empty is removed. Returns the names of the fields that changed."""
    changed = []
    for locale in TRANSLATION_LOCALES:
        values = {name: (fields.get(f"{name}_{locale}") or "").strip() for name in CAMPAIGN_TEXT_FIELDS}
        existing = campaign.translations.get(locale)
        if not any(values.values()):
            if existing is not None:
                del campaign.translations[locale]
                changed += [f"{name}_{locale}" for name in CAMPAIGN_TEXT_FIELDS if getattr(existing, name)]
            continue
        if existing is None:
            campaign.translations[locale] = CampaignTranslation(locale=locale, **values)
            changed += [f"{name}_{locale}" for name, value in values.items() if value]
            continue
        for name, value in values.items():
            if (getattr(existing, name) or "") != value:
                setattr(existing, name, value)
                changed.append(f"{name}_{locale}")
    return changed


def public_campaign_or_404(slug: str) -> Campaign:
    campaign = db.session.scalars(sa.select(Campaign).where(Campaign.slug == slug)).one_or_none()
    if campaign is None or not campaign.is_public:
        abort(404)
    return campaign


_hot_campaigns: dict[str, tuple[float, Campaign]] = {}
_hot_campaigns_lock = threading.Lock()


def cached_public_campaign(slug: str) -> Campaign:
    """The public campaign for the signing hot path, read at most once per CAMPAIGN_CACHE_SECONDS
    per process: a detached, read-only copy (its title may be that many seconds old). Whether it
    still accepts signatures is checked again inside the signature's INSERT, so closing a campaign
    stops signing at once whatever this copy says.

    Reading it ends the session's transaction (it only read), so that signing can go in autocommit."""
    ttl = current_app.config["CAMPAIGN_CACHE_SECONDS"]
    found = _hot_campaigns.get(slug) if ttl > 0 else None
    if found is not None and found[0] > time.monotonic():
        return found[1]
    campaign = public_campaign_or_404(slug)
    campaign.translations  # noqa: B018 (loaded now: a detached copy cannot load them later)
    db.session.expunge(campaign)  # every column is loaded; nothing may lazy-load it later
    db.session.commit()
    if ttl <= 0:
        return campaign
    with _hot_campaigns_lock:
        if len(_hot_campaigns) > 1000:
            _hot_campaigns.clear()
        _hot_campaigns[slug] = (time.monotonic() + ttl, campaign)
    return campaign


def forget_cached_campaigns() -> None:
    """Empty this process's copies of `cached_public_campaign` (tests: each has its own database)."""
    with _hot_campaigns_lock:
        _hot_campaigns.clear()


# --- Lifecycle: draft -> open -> closed -> delivered -> archived. ---

TRANSITIONS = {"draft": ("open",), "open": ("closed",), "closed": ("delivered",), "delivered": ("archived",)}
STATE_LABELS = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed"),
                "delivered": _l("Delivered"), "archived": _l("Archived")}


class LifecycleError(ValueError):
    """A transition that is not allowed; the message is shown to the organiser."""


def allowed_transitions(campaign: Campaign) -> tuple[str, ...]:
    return TRANSITIONS.get(campaign.state, ())


def change_state(campaign: Campaign, to: str, user, delivered_to: str | None = None,
                 delivered_at: datetime | None = None) -> Campaign:
    """Move the campaign one step along its lifecycle, or raise LifecycleError."""
    current = campaign.state
    if to not in allowed_transitions(campaign):
        raise LifecycleError(_l("A campaign that is %(current)s cannot become %(to)s.",
                                current=STATE_LABELS.get(current, current), to=STATE_LABELS.get(to, to)))
    now = utcnow()
    values = {"state": to, "updated_at": now}
    if to == "open" and campaign.closes_at and campaign.closes_at <= now:
        raise LifecycleError(_l("The closing date has passed: set a later one before opening."))
    if to == "closed":
        values["closed_at"] = now
    if to == "delivered":
        if not (delivered_to or "").strip():
            raise LifecycleError(_l("Say to whom the signatures were delivered."))
        values.update(delivered_to=delivered_to.strip(), delivered_at=delivered_at or now)
    with transaction():
        # Conditional on the state we saw, so a concurrent change (e.g. close-due) is not overwritten.
        changed = db.session.execute(
            sa.update(Campaign).where(Campaign.id == campaign.id, Campaign.state == current).values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            raise LifecycleError(_l("The campaign changed meanwhile; look at it again."))
        record("campaign_" + to, user, campaign, previous=current,
               **({"delivered_to": values["delivered_to"]} if to == "delivered" else {}))
    db.session.refresh(campaign)
    return campaign


def close_due(now: datetime | None = None) -> list[str]:
    """Close every open campaign whose closing date has passed; returns their slugs.

    Idempotent and safe to run every minute, even twice at once: each close is a conditional
    UPDATE, so only one run closes (and audits) a campaign.
    """
    now = now or utcnow()
    closed = []
    due = db.session.execute(
        sa.select(Campaign.id, Campaign.slug, Campaign.closes_at)
        .where(Campaign.state == "open", Campaign.closes_at.is_not(None), Campaign.closes_at <= now)
    ).all()
    db.session.rollback()
    for campaign_id, slug, closes_at in due:
        with transaction():
            changed = db.session.execute(
                sa.update(Campaign).where(Campaign.id == campaign_id, Campaign.state == "open")
                .values(state="closed", closed_at=closes_at, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed:
                record("campaign_closed", None, db.session.get(Campaign, campaign_id), automatic=True)
                closed.append(slug)
    return closed
