"""Campaign figures for public pages and the public JSON (no personal data), and the short-lived
cache that serves them during a surge."""
import threading
import time

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..audit.models import AuditEvent
from ..campaigns.models import Campaign
from ..campaigns.service import translations_json
from ..database import utcnow
from ..delivery.cwc import cwc_first_accepted
from ..delivery.progress import milestones_reached
from ..delivery.sending import first_accepted_by_member
from ..delivery.tallies import lawmaker_tallies
from ..extensions import db
from ..geography.models import Legislator
from ..signatures.counting import signature_count, signature_counts
from ..updates.service import latest_responses, responses_for


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
        if current_app.config["PUBLIC_PAGE_CACHE_SECONDS"] <= 0:
            return render()
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


# --- The answer comes back: accountability table and timeline ------------------------------------

def delivered_by_member(campaign: Campaign) -> dict:
    """{bioguide id: when a delivery first reached that member's office}: an emailed packet accepted by
    the mail server, or a letter accepted by CWC."""
    delivered = first_accepted_by_member(campaign.id)
    for bioguide_id, when in cwc_first_accepted(campaign.id).items():
        delivered[bioguide_id] = min(filter(None, (delivered.get(bioguide_id), when)))
    return delivered


def accountability_rows(campaign: Campaign) -> list[dict]:
    """Per member the campaign addresses with constituents who signed (or who answered): how many
    signed, when a delivery reached their office (accepted by the office's mail server, or by CWC),
    and their latest response. Plain values, for the page and the JSON."""
    lawmakers = lawmaker_tallies(campaign)
    delivered = delivered_by_member(campaign)
    responses = latest_responses(campaign)
    rows = []
    for row in lawmakers:
        response = responses.pop(row["bioguide_id"], None)
        rows.append(_accountability_row(row["bioguide_id"], row["member"], row["chamber"], row["state"],
                                        row["district"], row["constituents"], delivered.get(row["bioguide_id"]),
                                        response))
    for bioguide_id, response in responses.items():  # answered, though no constituent signed (yet)
        rows.append(_accountability_row(bioguide_id, response.member_name, "", "", "", 0,
                                        delivered.get(bioguide_id), response))
    return rows


ACCOUNTABILITY_SHOWN = 10


def accountability_split(rows: list[dict], shown: int = ACCOUNTABILITY_SHOWN) -> tuple[list[dict], list[dict]]:
    """The page's accountability table: members who answered or were delivered to first, then by
    constituents who signed; the first `shown` in the open, the rest (a national campaign addresses
    535 members) behind a disclosure that needs no JavaScript. The JSON keeps every row."""
    ordered = sorted(rows, key=lambda r: (r["response"] is None, r["delivered_at"] is None, -r["constituents"]))
    return ordered[:shown], ordered[shown:]


def _accountability_row(bioguide_id, member, chamber, state, district, constituents, delivered_at, response) -> dict:
    return {"bioguide_id": bioguide_id, "member": member, "chamber": chamber, "state": state, "district": district,
            "constituents": constituents, "delivered_at": _iso(delivered_at),
            "response": None if response is None else {
                "stance": response.stance, "date": response.responded_on.isoformat(),
                "quote": response.quote or None, "link": response.link or None}}


def _iso(moment):
    return moment.isoformat() + "Z" if moment else None


TIMELINE_ORDER = ("opened", "milestone", "delivered", "response", "closed")


def timeline(campaign: Campaign) -> list[dict]:
    """The campaign's story, oldest first: opened, count milestones, deliveries, responses, closed.
    Each event: {"kind", "at" (ISO date or time), and what it needs to be told}."""
    events = []
    opened = db.session.scalar(sa.select(sa.func.min(AuditEvent.created_at))
                               .where(AuditEvent.campaign_id == campaign.id, AuditEvent.action == "campaign_open"))
    if campaign.opens_at and (opened is None or campaign.opens_at > opened):
        opened = campaign.opens_at
    if opened:
        events.append({"kind": "opened", "at": _iso(opened)})
    for milestone in milestones_reached(campaign):
        events.append({"kind": "milestone", "at": _iso(milestone.reached_at), "count": milestone.count,
                       "goal": milestone.count == campaign.goal})
    delivered = delivered_by_member(campaign)
    names = dict(db.session.execute(sa.select(Legislator.bioguide_id, Legislator.name)
                                    .where(Legislator.bioguide_id.in_(list(delivered)))).all()) if delivered else {}
    for bioguide_id, when in delivered.items():
        events.append({"kind": "delivered", "at": _iso(when), "member": names.get(bioguide_id, bioguide_id)})
    if campaign.delivered_at:
        events.append({"kind": "delivered", "at": _iso(campaign.delivered_at), "member": campaign.delivered_to})
    for response in responses_for(campaign):
        events.append({"kind": "response", "at": response.responded_on.isoformat(), "member": response.member_name,
                       "stance": response.stance})
    closed = campaign.effective_closed_at()
    if closed:
        events.append({"kind": "closed", "at": _iso(closed)})
    # Responses carry a date only: within a day, the story's order.
    return sorted(events, key=lambda event: (event["at"][:10], TIMELINE_ORDER.index(event["kind"]), event["at"]))
