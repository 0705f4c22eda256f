"""Campaign figures for public pages and the public JSON (no personal data), and the short-lived
cache that serves them during a surge."""
import threading
import time

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..campaigns.models import Campaign
from ..campaigns.service import translations_json
from ..database import utcnow
from ..extensions import db
from ..signatures.counting import signature_count, signature_counts


def open_campaigns() -> list[tuple[Campaign, int]]:
    """Campaigns that accept signatures now, with their counts, soonest closing first."""
    now = utcnow()
    campaigns = list(db.session.scalars(
        sa.select(Campaign).options(selectinload(Campaign.translations))
        .where(Campaign.state == "open",
               sa.or_(Campaign.opens_at.is_(None), Campaign.opens_at <= now),
               sa.or_(Campaign.closes_at.is_(None), Campaign.closes_at > now))
        .order_by(Campaign.closes_at.is_(None), Campaign.closes_at, Campaign.id)
    ))
    counts = signature_counts(c.id for c in campaigns)
    return [(c, counts[c.id]) for c in campaigns]


def progress_percent(count: int, goal: int) -> int:
    return min(100, round(100 * count / goal)) if goal else 0


def campaign_summary(campaign: Campaign) -> dict:
    """The public JSON shape of a campaign: its text in English, and under "translations" in each
    other language it is written in ({"es": {"title", "ask", "summary"}})."""
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "ask": campaign.ask,
        "summary": campaign.summary,
        "translations": translations_json(campaign),
        "state": campaign.state,
        "accepting_signatures": campaign.accepts_signatures(),
        "signature_count": signature_count(campaign.id),
        "goal": campaign.goal,
        "target": str(campaign.target_label),
        "closes_at": campaign.closes_at.isoformat() + "Z" if campaign.closes_at else None,
    }


class PageCache:
    """Rendered public pages per process, kept PUBLIC_PAGE_CACHE_SECONDS: during a surge one render
    serves every visitor of that second, and a count on the page is at most that many seconds old."""

    def __init__(self, max_entries: int = 2000):
        self._entries: dict[tuple, tuple[float, object]] = {}
        self._lock = threading.Lock()
        self._rendering: dict[tuple, threading.Lock] = {}
        self.max_entries = max_entries

    def get(self, key: tuple):
        found = self._entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def get_or_render(self, key: tuple, render):
        """The cached value, or `render()`'s. One thread per process renders a key at a time; while it
        does, the others get the previous render (so expiry never sends a crowd to the database)."""
        if (fresh := self.get(key)) is not None:
            return fresh
        with self._lock:
            rendering = self._rendering.setdefault(key, threading.Lock())
        previous = self._entries.get(key)
        if previous is not None and not rendering.acquire(blocking=False):
            return previous[1]
        if previous is None:
            rendering.acquire()
        try:
            if (fresh := self.get(key)) is not None:
                return fresh
            value = render()
            self.put(key, value)
            return value
        finally:
            rendering.release()

    def put(self, key: tuple, value) -> None:
        ttl = current_app.config["PUBLIC_PAGE_CACHE_SECONDS"]
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


page_cache = PageCache()
