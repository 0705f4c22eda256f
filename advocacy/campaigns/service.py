import threading
import time
from datetime import datetime

import nh3
import sqlalchemy as sa
from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt

from ..audit.service import record
from ..database import transaction, utcnow
from ..extensions import db
from .models import Campaign

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
    stops signing at once whatever this copy says."""
    ttl = current_app.config["CAMPAIGN_CACHE_SECONDS"]
    if ttl <= 0:
        return public_campaign_or_404(slug)
    found = _hot_campaigns.get(slug)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    campaign = public_campaign_or_404(slug)
    db.session.expunge(campaign)  # every column is loaded; nothing may lazy-load it later
    with _hot_campaigns_lock:
        if len(_hot_campaigns) > 1000:
            _hot_campaigns.clear()
        _hot_campaigns[slug] = (time.monotonic() + ttl, campaign)
    return campaign


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
