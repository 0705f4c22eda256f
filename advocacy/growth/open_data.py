"""Confirmed signatures per hour (UTC), per campaign and per state: public open data with no
personal data, and the chart on the campaign page.

Counted from `signatures.confirmed_at` truncated to the hour, for signatures that count now
(status confirmed): a signature removed or invalidated later leaves the series, so the series
always adds up to the campaign's count. Hours without a confirmation are left out."""
import threading
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..charts import chart_bars
from ..database import is_postgres, utcnow
from ..extensions import db
from ..signatures.models import Signature

BY_CHOICES = ("total", "state")
CHART_HOURS = 48


def _hour(column):
    if is_postgres():
        return sa.func.date_trunc("hour", column)
    return sa.func.strftime("%Y-%m-%d %H:00:00", column)


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _query(campaign_id: int, by: str, since: datetime | None = None) -> list[tuple]:
    hour = _hour(Signature.confirmed_at).label("hour")
    columns = [hour, Signature.state] if by == "state" else [hour]
    query = (sa.select(*columns, sa.func.count())
             .where(Signature.campaign_id == campaign_id, Signature.status == "confirmed",
                    Signature.confirmed_at.is_not(None))
             .group_by(*columns).order_by(*columns))
    if since is not None:
        query = query.where(Signature.confirmed_at >= since)
    rows = db.session.execute(query)
    if by == "state":
        return [(_as_datetime(h), state or "??", n) for h, state, n in rows]
    return [(_as_datetime(h), n) for h, n in rows]


class _Memo:
    """Results kept OPEN_DATA_CACHE_SECONDS per process: the series scans a campaign's confirmed
    signatures, so a crowd (or a scraper) asking every second costs one scan per interval."""

    def __init__(self, max_entries: int = 1000):
        self._entries: dict[tuple, tuple[float, object]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get_or_compute(self, key: tuple, compute):
        ttl = current_app.config["OPEN_DATA_CACHE_SECONDS"]
        found = self._entries.get(key)
        if found is not None and found[0] > time.monotonic():
            return found[1]
        value = compute()
        if ttl > 0:
            with self._lock:
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[key] = (time.monotonic() + ttl, value)
        return value


_memo = _Memo()


def hourly_counts(campaign_id: int, by: str = "total") -> list[tuple]:
    """[(hour, count)] or, by state, [(hour, state, count)], oldest first."""
    if by not in BY_CHOICES:
        raise ValueError(by)
    return _memo.get_or_compute((campaign_id, by), lambda: _query(campaign_id, by))


def iso_hour(hour: datetime) -> str:
    return hour.replace(tzinfo=None).isoformat() + "Z"


def as_records(campaign_id: int, by: str) -> list[dict]:
    """The rows of the CSV and the JSON: hour (ISO 8601, UTC), [state], confirmed[, cumulative]."""
    if by == "state":
        return [{"hour": iso_hour(h), "state": state, "confirmed": n}
                for h, state, n in hourly_counts(campaign_id, by)]
    records, running = [], 0
    for h, n in hourly_counts(campaign_id, by):
        running += n
        records.append({"hour": iso_hour(h), "confirmed": n, "cumulative": running})
    return records


def recent_hours_chart(campaign_id: int, hours: int = CHART_HOURS) -> dict:
    """Bars for the last `hours` hours (UTC, zeros included), ending with the current hour."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(hours=hours - 1)
    # Only the last hours are grouped (the page is rendered far more often than the open data is read).
    recent = _memo.get_or_compute((campaign_id, "recent", start), lambda: _query(campaign_id, "total", start))
    counts = dict(recent)
    series = [(start + timedelta(hours=i), counts.get(start + timedelta(hours=i), 0)) for i in range(hours)]
    return chart_bars(series) | {"hours": hours}


def generated_at() -> str:
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
