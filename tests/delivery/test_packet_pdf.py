"""Behaviour of the delivery packet PDF (advocacy.delivery.packet_pdf)."""

import dataclasses
import hashlib
import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from advocacy.delivery import packet_pdf
from advocacy.delivery.map_svg import render_state_map
from advocacy.delivery.packet_pdf import (
    DeliveryPacket,
    PacketComment,
    PacketDistrictRow,
    build_packet_pdf,
    find_unicode_font,
)

SHA = hashlib.sha256(b"signature list").hexdigest()
HAS_UNICODE_FONT = find_unicode_font() is not None
NO_FONT = {"": "/nonexistent/font.ttf"}


def make_packet(**changes) -> DeliveryPacket:
    packet = DeliveryPacket(
        campaign_title="Repair our bridges",
        ask="Fund the repair of every structurally deficient bridge by 2030.",
        organisation="Bridges For All",
        recipient_name="Jane Doe",
        recipient_role="U.S. Representative, CA-12",
        generated_at=datetime(2025, 3, 4, 15, 30, tzinfo=UTC),
        total_confirmed=12345,
        constituents_count=1234,
        district_rows=[
            PacketDistrictRow("CA-12", "Rep. Jane Doe", 1234),
            PacketDistrictRow("CA-11", "Rep. Alex Roe", 4321, note="vacant seat"),
            PacketDistrictRow("TX-07", "Rep. Sam Poe", 7),
        ],
        comments=[PacketComment("Maria Lopez", "Oakland, CA", "Our bridge is closed twice a year.")],
        signature_list_sha256=SHA,
        verify_url="https://example.org/v/repair-bridges",
    )
    return dataclasses.replace(packet, **changes)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read(pdf).pages]


def full_text(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def content_size(pdf: bytes) -> int:
    return sum(len(page.get_contents().get_data()) for page in read(pdf).pages)


def test_packet_is_a_pdf():
    assert build_packet_pdf(make_packet()).startswith(b"%PDF-")


def test_packet_states_ask_totals_recipient_and_verification():
    text = full_text(build_packet_pdf(make_packet()))

    assert "Fund the repair of every structurally deficient bridge by 2030." in text
    assert "March 4, 2025" in text
    assert "Dear Jane Doe," in text
    assert "U.S. Representative, CA-12" in text
    assert "1,234 constituents of Jane Doe signed" in text
    assert "12,345 people signed in total" in text
    assert SHA in text
    assert "https://example.org/v/repair-bridges" in text


def test_district_table_lists_every_row_with_formatted_counts():
    text = full_text(build_packet_pdf(make_packet()))

    for label, member, count in [("CA-12", "Rep. Jane Doe", "1,234"), ("CA-11", "Rep. Alex Roe", "4,321")]:
        assert label in text
        assert member in text
        assert count in text
    assert "TX-07" in text
    assert "vacant seat" in text


def test_singular_totals():
    text = full_text(build_packet_pdf(make_packet(total_confirmed=1, constituents_count=1)))

    assert "1 constituent of Jane Doe signed" in text
    assert "1 person signed in total" in text


def test_packet_without_recipient_addresses_the_whole_congress():
    packet = make_packet(recipient_name=None, recipient_role=None, constituents_count=None)
    text = full_text(build_packet_pdf(packet))

    assert "To the offices of the U.S. Congress" in text
    assert "Dear" not in text
    assert "12,345 people signed this petition in total" in text


def test_long_district_table_paginates_repeats_headings_and_ends_with_hash():
    rows = [PacketDistrictRow(f"ST-{i:03d}", f"Rep. Person {i}", i * 1000) for i in range(300)]
    pages = page_texts(build_packet_pdf(make_packet(district_rows=rows)))

    assert len(pages) >= 5
    table_pages = [text for text in pages if "ST-" in text]
    assert len(table_pages) >= 4
    assert all("District" in text and "Signers" in text for text in table_pages)
    joined = "\n".join(pages)
    assert all(f"ST-{i:03d}" in joined for i in range(300))
    assert "299,000" in joined
    assert SHA in pages[-1]


def test_every_page_has_footer_with_page_count_and_short_hash():
    rows = [PacketDistrictRow(f"ST-{i:03d}", "Rep. X", i) for i in range(120)]
    pages = page_texts(build_packet_pdf(make_packet(district_rows=rows)))

    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert SHA[:12] in text


NON_LATIN_COMMENTS = [
    PacketComment("Nguyễn Thị Hoa", "Houston, TX", "Tôi ủng hộ kiến nghị này."),
    PacketComment("李小龙", "San Francisco, CA", "我支持这个请愿 🌉🙂"),
    PacketComment("Алексей", "Brooklyn, NY", "Поддерживаю! مرحبا שלום"),
]


def test_non_latin_comments_do_not_crash():
    text = full_text(build_packet_pdf(make_packet(comments=NON_LATIN_COMMENTS)))

    assert "San Francisco, CA" in text
    if HAS_UNICODE_FONT:
        assert "Nguyễn Thị Hoa" in text
        assert "Алексей" in text


def test_without_unicode_font_falls_back_to_core_font_with_replacements():
    pdf = build_packet_pdf(make_packet(comments=NON_LATIN_COMMENTS), font_files=NO_FONT)
    text = full_text(pdf)

    assert "Nguyen Thi Hoa" in text  # accents outside Latin-1 dropped, letters kept
    assert "???" in text  # 李小龙 cannot be drawn by Helvetica
    assert SHA in text


def test_find_unicode_font_needs_every_file():
    assert find_unicode_font(NO_FONT) is None
    if HAS_UNICODE_FONT:
        regular = packet_pdf.UNICODE_FONT_FILES[""]
        assert find_unicode_font({"": regular, "B": "/nonexistent/bold.ttf"}) is None


def test_long_comment_is_cut_with_an_ellipsis():
    long_text = "Start " + "and more words " * 100 + "FINALWORD"
    packet = make_packet(comments=[PacketComment("Sam", "Austin, TX", long_text)])
    text = full_text(build_packet_pdf(packet))

    assert "Start" in text
    assert "FINALWORD" not in text
    assert "\u2026" in text


def test_shorten_respects_the_limit():
    assert packet_pdf.shorten("short", 600) == "short"
    cut = packet_pdf.shorten("x" * 1000, 600)
    assert len(cut) == 600 and cut.endswith("\u2026")


def test_map_is_drawn_when_given():
    svg = render_state_map({"CA": 10, "TX": 3}, title="Signers by state")
    with_map = build_packet_pdf(make_packet(map_svg=svg))
    without_map = build_packet_pdf(make_packet())

    # fpdf2 draws SVG as vector paths in the page content: one per state.
    assert content_size(with_map) > content_size(without_map) + 20_000
    assert "Where the signers live" in full_text(with_map)


def test_unrenderable_map_is_skipped():
    pdf = build_packet_pdf(make_packet(map_svg="<svg><path d='not a path'"))

    assert "Where the signers live" not in full_text(pdf)
    assert SHA in full_text(pdf)


def test_metadata_has_title_and_creation_date():
    metadata = read(build_packet_pdf(make_packet())).metadata

    assert "Repair our bridges" in metadata.title
    assert metadata.creation_date == datetime(2025, 3, 4, 15, 30, tzinfo=UTC)


def test_notes_are_printed():
    text = full_text(build_packet_pdf(make_packet(notes=["Districts matched from ZIP+4 codes."])))

    assert "Districts matched from ZIP+4 codes." in text


@pytest.mark.parametrize("font_files", [None, NO_FONT])
def test_user_text_with_markup_and_control_characters_is_printed_literally(font_files):
    packet = make_packet(
        campaign_title="**Not bold** <b>&amp;",
        comments=[PacketComment("A\x00B", "C\tD", "line one\r\nline two")],
    )
    text = full_text(build_packet_pdf(packet, font_files=font_files))

    assert "**Not bold** <b>&amp;" in text
    assert "AB, C D" in text
