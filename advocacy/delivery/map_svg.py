"""Server-rendered choropleth map of signatures by U.S. state, as inline SVG.

The geometry comes from ``advocacy/data/us_states_albers.json`` (built by
``scripts/build_state_paths.py`` from the us-atlas package, Albers USA
projection, 975x610). The output needs no JavaScript, CSS or external
files, so it works in page templates, e-mails and the delivery PDF alike.

Always show :func:`state_table_rows` as a text table next to the map: the
map alone is not accessible to screen-reader or colour-blind readers.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape  # escapes SVG we write; parses no XML.  # nosec B406

DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "us_states_albers.json"

#: USPS code -> name for the 50 states and DC (the areas drawn on the map).
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas",
    "CA": "California", "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware",
    "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii",
    "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}

#: Sequential light-to-dark ramp (ColorBrewer "Blues", 6-class without its
#: lightest step), which stays ordered for all common colour-vision deficiencies.
COLOR_SCALE: tuple[str, ...] = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
#: Fill for states without signatures: neutral, lighter than every ramp step.
ZERO_COLOR = "#e6e6e6"
BORDER_COLOR = "#ffffff"

_ID_PREFIX_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@lru_cache(maxsize=1)
def load_geometry() -> dict:
    """The decoded map data: ``{"viewBox": ..., "states": {code: {fips, name, d}}}``."""
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def normalise_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts keyed by upper-case state code, restricted to mapped states.

    Unknown codes (territories, typos, "ZZ") are dropped; negative or
    missing values count as zero.
    """
    result = dict.fromkeys(STATE_NAMES, 0)
    for code, count in counts.items():
        key = str(code).strip().upper()
        if key in result:
            result[key] += max(0, int(count or 0))
    return result


def quantile_breaks(values: list[int], steps: int = len(COLOR_SCALE)) -> list[int]:
    """Inclusive upper bounds of ``steps`` quantile buckets over non-zero values.

    Bucket k (0-based) holds counts in ``(breaks[k-1], breaks[k]]``. With
    many ties some bounds repeat; those buckets are simply empty. The last
    bound is always the maximum. Returns ``[]`` when nothing is non-zero.
    """
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    n = len(positive)
    return [positive[math.ceil(k * n / steps) - 1] for k in range(1, steps + 1)]


def bucket_for(count: int, breaks: list[int]) -> int | None:
    """Index into :data:`COLOR_SCALE` for ``count``, or ``None`` for zero."""
    if count <= 0 or not breaks:
        return None
    for index, upper in enumerate(breaks):
        if count <= upper:
            return index
    return len(breaks) - 1


def signatures_label(count: int) -> str:
    """"1 signature", "1,234 signatures"."""
    return f"{count:,} signature{'' if count == 1 else 's'}"


def state_table_rows(counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """``(code, name, count)`` for every mapped state, most signatures first.

    Ties (including all the zeros) are ordered by state name, so the table
    is stable and easy to scan.
    """
    normalised = normalise_counts(counts)
    rows = [(code, STATE_NAMES[code], count) for code, count in normalised.items()]
    return sorted(rows, key=lambda row: (-row[2], row[1]))


def render_state_map(
    counts: Mapping[str, int],
    *,
    title: str,
    description: str | None = None,
    id_prefix: str | None = None,
) -> str:
    """Render signatures per state as a standalone, inline-ready ``<svg>``.

    Colouring: the states with at least one signature are split into five
    quantile buckets (each holds about a fifth of those states), coloured
    light to dark with :data:`COLOR_SCALE`; states with none are grey. Quantiles
    rather than equal steps keep the map informative when one populous state
    dwarfs the rest. A legend with the count range of each bucket is drawn
    in the bottom-right corner, and every state carries a ``<title>`` tooltip
    with its exact count.

    ``id_prefix`` makes element ids unique on the page; a random one is used
    when omitted, so two maps on one page never clash.
    """
    prefix = id_prefix or f"statemap-{uuid.uuid4().hex[:10]}"
    if not _ID_PREFIX_RE.match(prefix):
        raise ValueError(f"id_prefix must be a valid XML id, got {prefix!r}")
    geometry = load_geometry()
    normalised = normalise_counts(counts)
    breaks = quantile_breaks(list(normalised.values()))

    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    labelled_by = f"{title_id} {desc_id}" if description else title_id
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{escape(geometry["viewBox"])}"'
            f' role="img" aria-labelledby="{labelled_by}" id="{prefix}" class="state-map">'
        ),
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    if description:
        parts.append(f'<desc id="{desc_id}">{escape(description)}</desc>')

    parts.append(
        f'<g stroke="{BORDER_COLOR}" stroke-width="0.75" stroke-linejoin="round">'
    )
    for code, shape in geometry["states"].items():
        if code not in STATE_NAMES:
            continue
        count = normalised[code]
        bucket = bucket_for(count, breaks)
        fill = ZERO_COLOR if bucket is None else COLOR_SCALE[bucket]
        label = f"{STATE_NAMES[code]}: {signatures_label(count)}"
        parts.append(
            f'<path id="{prefix}-{code}" data-state="{code}" data-count="{count}"'
            f' fill="{fill}" d="{shape["d"]}"><title>{escape(label)}</title></path>'
        )
    parts.append("</g>")
    parts.append(_legend(breaks))
    parts.append("</svg>")
    return "".join(parts)


def legend_entries(breaks: list[int]) -> list[tuple[str, str]]:
    """``(colour, label)`` pairs for the legend, skipping empty buckets."""
    entries = [(ZERO_COLOR, "0")]
    lower = 1
    for colour, upper in zip(COLOR_SCALE, breaks, strict=False):
        if upper >= lower:
            label = f"{lower:,}" if upper == lower else f"{lower:,}\u2013{upper:,}"
            entries.append((colour, label))
            lower = upper + 1
    return entries


# Legend layout, in viewBox units. The bottom-right corner of the Albers USA
# frame (east of Florida, x > ~830) is open sea; the legend is pushed left
# just enough for its longest label (about 7 units per character at 12px).
_LEGEND_RIGHT, _LEGEND_BOTTOM, _ROW, _CHAR_WIDTH = 970, 604, 17, 7


def _legend(breaks: list[int]) -> str:
    entries = legend_entries(breaks)
    longest_label = max(len(label) for _, label in entries)
    width = max(len("Signatures"), longest_label + 3) * _CHAR_WIDTH
    left = min(_LEGEND_RIGHT - width, 870)
    top = _LEGEND_BOTTOM - _ROW * (len(entries) + 1)
    rows = [
        (
            f'<g class="state-map-legend" font-family="sans-serif" font-size="12" fill="#333"'
            f' transform="translate({left} {top})" aria-hidden="true">'
        ),
        '<text x="0" y="11" font-weight="bold">Signatures</text>',
    ]
    for i, (colour, label) in enumerate(entries, start=1):
        y = i * _ROW
        rows.append(
            f'<rect x="0" y="{y}" width="14" height="14" fill="{colour}"'
            f' stroke="#999" stroke-width="0.5"/>'
            f'<text x="20" y="{y + 11}">{escape(label)}</text>'
        )
    rows.append("</g>")
    return "".join(rows)
