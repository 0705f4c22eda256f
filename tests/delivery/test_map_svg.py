"""Behaviour of the server-rendered state choropleth (advocacy.delivery.map_svg)."""

import xml.etree.ElementTree as ET

import pytest

from advocacy.delivery.map_svg import (
    COLOR_SCALE,
    STATE_NAMES,
    ZERO_COLOR,
    load_geometry,
    render_state_map,
    state_table_rows,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def state_paths(root: ET.Element) -> dict[str, ET.Element]:
    return {p.get("data-state"): p for p in root.iter(f"{SVG}path")}


def shade(path: ET.Element) -> int:
    """-1 for the zero grey, else the position in the light-to-dark ramp."""
    fill = path.get("fill")
    return -1 if fill == ZERO_COLOR else COLOR_SCALE.index(fill)


def tooltip(path: ET.Element) -> str:
    return path.find(f"{SVG}title").text


def test_geometry_covers_every_state_and_dc():
    geometry = load_geometry()
    assert geometry["viewBox"] == "0 0 975 610"
    assert set(STATE_NAMES) <= set(geometry["states"])
    assert len(STATE_NAMES) == 51


def test_output_is_well_formed_svg_with_accessible_name():
    root = parse(render_state_map({"CA": 5}, title="Signers by state", description="Where they live"))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 975 610"
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    labelled_by = root.get("aria-labelledby").split()
    assert [ids[i].text for i in labelled_by] == ["Signers by state", "Where they live"]


def test_description_is_optional():
    root = parse(render_state_map({}, title="Signers"))

    assert root.find(f"{SVG}desc") is None
    assert len(root.get("aria-labelledby").split()) == 1


def test_one_path_per_state():
    paths = state_paths(parse(render_state_map({"TX": 3}, title="t")))

    assert set(paths) == set(STATE_NAMES)
    assert all(p.get("d").startswith("M") for p in paths.values())


def test_more_signatures_never_get_a_lighter_colour():
    counts = {code: i * 7 for i, code in enumerate(sorted(STATE_NAMES), start=1)}
    counts.update(CA=100_000, WY=1)
    paths = state_paths(parse(render_state_map(counts, title="t")))

    by_count = sorted(paths.values(), key=lambda p: int(p.get("data-count")))
    shades = [shade(p) for p in by_count]
    assert shades == sorted(shades)
    assert shade(paths["CA"]) == len(COLOR_SCALE) - 1
    assert shade(paths["WY"]) == 0


def test_states_without_signatures_are_grey():
    paths = state_paths(parse(render_state_map({"NY": 10, "OH": 0}, title="t")))

    assert paths["OH"].get("fill") == ZERO_COLOR
    assert paths["VT"].get("fill") == ZERO_COLOR
    assert paths["NY"].get("fill") != ZERO_COLOR


def test_all_zero_map_renders_all_grey():
    paths = state_paths(parse(render_state_map({}, title="t")))

    assert {p.get("fill") for p in paths.values()} == {ZERO_COLOR}


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "California: 0 signatures"),
        (1, "California: 1 signature"),
        (2, "California: 2 signatures"),
        (1234, "California: 1,234 signatures"),
    ],
)
def test_state_tooltip_carries_count_with_correct_plural(count, expected):
    paths = state_paths(parse(render_state_map({"CA": count}, title="t")))

    assert tooltip(paths["CA"]) == expected


def test_unknown_codes_are_ignored():
    svg = render_state_map({"ZZ": 99, "PR": 4, "": 1, "ca": 2}, title="t")
    paths = state_paths(parse(svg))

    assert "ZZ" not in svg
    assert tooltip(paths["CA"]) == "California: 2 signatures"


def test_text_is_xml_escaped():
    svg = render_state_map({}, title='Fish <&> "chips"', description="a < b & c")
    root = parse(svg)

    assert root.find(f"{SVG}title").text == 'Fish <&> "chips"'
    assert root.find(f"{SVG}desc").text == "a < b & c"
    assert "<&>" not in svg


def test_two_maps_on_one_page_have_distinct_ids():
    first = parse(render_state_map({"CA": 1}, title="a"))
    second = parse(render_state_map({"CA": 1}, title="b"))

    ids_first = {el.get("id") for el in first.iter() if el.get("id")}
    ids_second = {el.get("id") for el in second.iter() if el.get("id")}
    assert ids_first and not ids_first & ids_second


def test_explicit_id_prefix_is_used_and_validated():
    root = parse(render_state_map({}, title="t", id_prefix="campaign-7-map"))

    assert root.get("aria-labelledby") == "campaign-7-map-title"
    with pytest.raises(ValueError):
        render_state_map({}, title="t", id_prefix='x" onload="alert(1)')


def test_legend_shows_zero_swatch_and_count_ranges():
    counts = {code: 1000 * (i + 1) for i, code in enumerate(sorted(STATE_NAMES))}
    root = parse(render_state_map(counts, title="t"))

    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "state-map-legend")
    labels = [t.text for t in legend.iter(f"{SVG}text")]
    swatches = [r.get("fill") for r in legend.iter(f"{SVG}rect")]
    assert labels[0] == "Signatures"
    assert labels[1] == "0"
    assert labels[-1].endswith("51,000")
    assert swatches == [ZERO_COLOR, *COLOR_SCALE]


def test_svg_is_self_contained():
    svg = render_state_map({"CA": 1}, title="t")

    assert "<script" not in svg
    assert "href" not in svg
    assert "url(" not in svg


def test_table_rows_sorted_by_count_then_name():
    rows = state_table_rows({"TX": 5, "CA": 5, "NY": 9, "ZZ": 100})

    assert rows[:3] == [("NY", "New York", 9), ("CA", "California", 5), ("TX", "Texas", 5)]
    assert len(rows) == len(STATE_NAMES)
    zero_names = [name for _, name, count in rows if count == 0]
    assert zero_names == sorted(zero_names)
