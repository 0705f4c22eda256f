#!/usr/bin/env python3
"""Build ``advocacy/data/us_states_albers.json`` from the us-atlas TopoJSON.

Source: the npm package ``us-atlas`` (ISC licence, Mike Bostock), file
``states-albers-10m.json``: U.S. Census Bureau cartographic boundaries at
1:10m, already projected with d3.geoAlbersUsa into a 975x610 viewport
(Alaska and Hawaii inset). Feature ids are two-digit state FIPS codes.

Usage (one-off, the output is committed)::

    cd /tmp && npm pack us-atlas@3 && tar xzf us-atlas-*.tgz
    python scripts/build_state_paths.py /tmp/package/states-albers-10m.json

The output maps each USPS postal code to its FIPS code, name and one SVG
path ``d`` string. Coordinates are rounded to 0.1 px and written as
relative moves ("l dx dy") so the file stays small; points closer than
``MIN_STEP`` to the previous kept point, and points lying on a straight
line between their neighbours, are dropped (per shared arc, so
neighbouring borders stay identical). At map size the difference is
invisible. Only this script and the standard library are needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "advocacy" / "data" / "us_states_albers.json"

# Points nearer than this (in tenths of a pixel) to the last kept point are dropped.
MIN_STEP = 5

# FIPS -> (USPS code, name). 50 states, DC and Puerto Rico (PR is only used
# if the source file contains it; us-atlas 3 does not).
FIPS_STATES: dict[str, tuple[str, str]] = {
    "01": ("AL", "Alabama"), "02": ("AK", "Alaska"), "04": ("AZ", "Arizona"),
    "05": ("AR", "Arkansas"), "06": ("CA", "California"), "08": ("CO", "Colorado"),
    "09": ("CT", "Connecticut"), "10": ("DE", "Delaware"),
    "11": ("DC", "District of Columbia"), "12": ("FL", "Florida"),
    "13": ("GA", "Georgia"), "15": ("HI", "Hawaii"), "16": ("ID", "Idaho"),
    "17": ("IL", "Illinois"), "18": ("IN", "Indiana"), "19": ("IA", "Iowa"),
    "20": ("KS", "Kansas"), "21": ("KY", "Kentucky"), "22": ("LA", "Louisiana"),
    "23": ("ME", "Maine"), "24": ("MD", "Maryland"), "25": ("MA", "Massachusetts"),
    "26": ("MI", "Michigan"), "27": ("MN", "Minnesota"), "28": ("MS", "Mississippi"),
    "29": ("MO", "Missouri"), "30": ("MT", "Montana"), "31": ("NE", "Nebraska"),
    "32": ("NV", "Nevada"), "33": ("NH", "New Hampshire"), "34": ("NJ", "New Jersey"),
    "35": ("NM", "New Mexico"), "36": ("NY", "New York"),
    "37": ("NC", "North Carolina"), "38": ("ND", "North Dakota"), "39": ("OH", "Ohio"),
    "40": ("OK", "Oklahoma"), "41": ("OR", "Oregon"), "42": ("PA", "Pennsylvania"),
    "44": ("RI", "Rhode Island"), "45": ("SC", "South Carolina"),
    "46": ("SD", "South Dakota"), "47": ("TN", "Tennessee"), "48": ("TX", "Texas"),
    "49": ("UT", "Utah"), "50": ("VT", "Vermont"), "51": ("VA", "Virginia"),
    "53": ("WA", "Washington"), "54": ("WV", "West Virginia"),
    "55": ("WI", "Wisconsin"), "56": ("WY", "Wyoming"), "72": ("PR", "Puerto Rico"),
}

Point = tuple[int, int]  # coordinates in tenths of a pixel


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Return every arc as absolute points, in integer tenths of a pixel.

    TopoJSON quantized arcs store the first position and then deltas; the
    transform maps the integer grid back to (already projected) pixels.
    """
    transform = topology.get("transform")
    (sx, sy), (tx, ty) = (
        (transform["scale"], transform["translate"]) if transform else ((1, 1), (0, 0))
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            if transform:
                x, y = x + dx, y + dy
            else:
                x, y = dx, dy
            points.append((round((x * sx + tx) * 10), round((y * sy + ty) * 10)))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Stitch a ring's arc indices together; ``~i`` means arc ``i`` reversed."""
    points: list[Point] = []
    for index in ring:
        arc = arcs[~index][::-1] if index < 0 else arcs[index]
        # Consecutive arcs share their joining point: keep it only once.
        points.extend(arc[1:] if points else arc)
    return points


def simplify_arc(points: list[Point]) -> list[Point]:
    """Drop near-duplicate and collinear points from one arc, keeping both ends.

    Simplifying shared arcs (rather than each state's ring) keeps neighbouring
    states' borders identical, so no slivers or gaps appear between them.
    """
    if len(points) <= 2:
        return points
    kept: list[Point] = [points[0]]
    for point in points[1:-1]:
        if _distance_sq(kept[-1], point) < MIN_STEP**2:
            continue
        if len(kept) >= 2 and _collinear(kept[-2], kept[-1], point):
            kept[-1] = point
            continue
        kept.append(point)
    if len(kept) >= 2 and _distance_sq(kept[-1], points[-1]) < MIN_STEP**2:
        kept.pop()
    kept.append(points[-1])
    return kept


def close_ring(points: list[Point]) -> list[Point]:
    """Drop the repeated closing point ("z" closes the ring) and zero-length steps."""
    ring = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring


def _distance_sq(a: Point, b: Point) -> int:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _collinear(a: Point, b: Point, c: Point) -> bool:
    """True when b lies on the segment a-c (same direction, zero cross product)."""
    cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
    dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1])
    return cross == 0 and dot > 0


def _num(tenths: int) -> str:
    """Format an integer number of tenths as a compact decimal ("12.3", "-4", "0.5")."""
    whole, frac = divmod(abs(tenths), 10)
    sign = "-" if tenths < 0 else ""
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def _pair(x: int, y: int) -> str:
    # A minus sign already separates numbers; otherwise use a space.
    return f"{_num(x)}{'' if y < 0 else ' '}{_num(y)}"


def path_data(rings: list[list[Point]]) -> str:
    """SVG path for rings: absolute "M" per ring, then relative "l" steps."""
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue  # collapsed to nothing at this resolution
        (x0, y0), rest = ring[0], ring[1:]
        steps = [_pair(x - px, y - py) for (px, py), (x, y) in zip(ring, rest, strict=False)]
        parts.append(f"M{_pair(x0, y0)}l{' '.join(steps)}z".replace(" -", "-"))
    return "".join(parts)


def geometry_rings(geometry: dict) -> list[list[int]]:
    if geometry["type"] == "Polygon":
        return geometry["arcs"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


def build(topology: dict, object_name: str = "states") -> dict:
    arcs = [simplify_arc(arc) for arc in decode_arcs(topology)]
    states = {}
    for geometry in topology["objects"][object_name]["geometries"]:
        fips = str(geometry["id"]).zfill(2)
        if fips not in FIPS_STATES:
            continue
        code, name = FIPS_STATES[fips]
        rings = [close_ring(ring_points(r, arcs)) for r in geometry_rings(geometry)]
        states[code] = {"fips": fips, "name": name, "d": path_data(rings)}
    return {"viewBox": "0 0 975 610", "states": dict(sorted(states.items()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="path to us-atlas states-albers-10m.json")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    data = build(json.loads(args.topojson.read_text(encoding="utf-8")))
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    args.output.write_text(text + "\n", encoding="utf-8")
    sys.stderr.write(f"wrote {args.output} ({len(data['states'])} states, {len(text):,} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
