"""Issue #11, "A PDF for every name": packets built over HTTP by an organiser print every script
(with shaping), address members by their real title with a formal salutation and office address,
separate sure constituents from those in shared ZIPs, and list what the map cannot draw."""
import io
import shutil
import subprocess  # nosec B404: runs pdftotext on a PDF we built
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fpdf.errors import FPDFException
from pypdf import PdfReader

from advocacy.delivery import packet_pdf
from advocacy.delivery.packet_data import address_lines, role
from advocacy.delivery.packet_pdf import (
    DeliveryPacket,
    PacketComment,
    PacketPlaceRow,
    PacketStateRow,
    build_packet_pdf,
    find_unicode_font,
    visible_text,
)
from advocacy.extensions import db
from advocacy.geography.models import Legislator
from advocacy.geography.service import last_name
from advocacy.signatures.models import Signature
from tests.conftest import create_packet as create_packet_pdf
from tests.conftest import login, post_button

FONTS = [packet_pdf.UNICODE_FONT_FILES[""], *packet_pdf.FALLBACK_FONT_FILES[:3]]
HAS_ALL_FONTS = find_unicode_font() is not None and all(
    Path(path).is_file() for path in FONTS)
needs_fonts = pytest.mark.skipif(not HAS_ALL_FONTS, reason="fonts missing: run make browser-deps as root "
                                 "(fonts-dejavu-core, fonts-noto-core, fonts-noto-cjk)")

# name, ZIP, comment: a whole-district ZIP (CA-11), a ZIP shared by IL-3/5/7, an at-large state,
# DC and the territories (the map draws DC but none of the others), military mail, nobody's ZIP.
SIGNERS = [
    ("李小龙", "94105", "我支持这个请愿 🌉"),
    ("محمد", "60614", "أنا أؤيد هذه العريضة"),
    ("שרה", "05401", "שלום לכולם"),
    ("Zoë Çelik-Nguyễn", "00901", "¡Sí, señor!"),
    ("José Núñez", "20001", "From the District"),
    ("Ana Cruz", "96910", "From Guam"),
    ("Vi Island", "00802", "From St. Thomas"),
    ("Sgt. Al Base", "09021", "From a base"),
    ("Nobody Knows", "00000", "From nowhere"),
]


@pytest.fixture
def signed(client, campaign, signer, geography, make_user):
    for number, (name, zip_code, comment) in enumerate(SIGNERS):
        links = signer(campaign.slug, email=f"s{number}@example.org", postal_code=zip_code, full_name=name,
                       show_name=True, comment=comment)
        post_button(client, links["confirm"])
    db.session.execute(sa.update(Signature).values(comment_status="approved"))
    db.session.commit()
    make_user("owner@example.org", campaigns=[campaign])
    assert login(client, "owner@example.org").status_code == 302
    return campaign


def create_packet(client, slug, recipient=""):
    return create_packet_pdf(client, slug, recipient).data


def pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def pdftotext(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)  # nosec B603 B607
    return " ".join(done.stdout.decode().split())


def member_of(state, chamber="house"):
    return db.session.scalars(sa.select(Legislator).where(Legislator.state == state,
                                                          Legislator.chamber == chamber)).first()


def assert_sane_pages(texts: list[str]):
    assert 2 <= len(texts) <= 8
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
    # No stray near-empty page: the last one carries the verification section, not just a footer.
    assert "How to verify this packet" in texts[-1] or len(texts[-1]) > 300


@needs_fonts
def test_whole_campaign_packet_prints_every_script_and_lists_unmapped_places(client, signed):
    pdf = create_packet(client, signed.slug)
    texts = pages(pdf)
    text = " ".join(texts)
    poppler = pdftotext(pdf)
    for name in ("李小龙", "محمد", "שרה", "Zoë Çelik-Nguyễn", "José Núñez"):
        assert name in text or name in poppler, name
    assert "我支持这个请愿 [emoji]" in poppler  # the emoji no font can draw is shown, not dropped
    assert "Signers by state, for senators" in text
    assert "California Sen. Adam B. Schiff, Sen. Alex Padilla 1" in text
    assert "Illinois Sen. Richard J. Durbin, Sen. Tammy Duckworth 1" in text
    assert "Vermont Sen. Bernard Sanders, Sen. Peter Welch 1" in text
    senators = text.split("Signers by state, for senators")[1].split("What signers said")[0]
    assert "Puerto Rico" not in senators and "District of Columbia" not in senators
    assert "Not shown on the map" in text
    for row in ("PR Puerto Rico 1", "GU Guam 1", "VI U.S. Virgin Islands 1",
                "AE Armed Forces Europe, Middle East, Africa and Canada 1", "?? Unknown ZIP code 1"):
        assert row in text, row
    assert_sane_pages(texts)


@needs_fonts
def test_arabic_is_shaped_and_unshaped_text_still_prints(monkeypatch):
    """With HarfBuzz, Arabic letters are drawn in their joined (contextual) forms, so the page
    draws other glyphs than without it; without uharfbuzz the packet is still produced."""
    pytest.importorskip("uharfbuzz")
    packet = DeliveryPacket("T", "Ask", "Org", None, None, datetime(2025, 1, 1), 1, None,
                            [], [PacketComment("محمد", "", "مرحبا بالعالم")], "0" * 64, "https://example.org/v")
    shaped = build_packet_pdf(packet)

    def no_harfbuzz(self, *args, **kwargs):
        raise FPDFException("uharfbuzz not installed")

    monkeypatch.setattr(packet_pdf._PacketPDF, "set_text_shaping", no_harfbuzz)
    unshaped = build_packet_pdf(packet)
    assert "محمد" in pdftotext(shaped)  # unshaped, the letters stand apart in logical order
    assert "0" * 64 in pdftotext(unshaped)
    assert content(shaped) != content(unshaped)


def content(pdf: bytes) -> bytes:
    return b"".join(page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages)


@needs_fonts
def test_delegate_packet_has_title_salutation_and_office_address(client, signed):
    norton = member_of("DC")
    text = " ".join(pages(create_packet(client, signed.slug, norton.bioguide_id)))
    assert "The Honorable Eleanor Holmes Norton" in text
    assert "Delegate, District of Columbia" in text
    assert "2136 Rayburn House Office Building Washington, DC 20515-5101" in text
    assert "Dear Delegate Norton:" in text
    assert "Representative" not in text.split("Dear")[0]


@needs_fonts
def test_resident_commissioner_packet(client, signed):
    member = member_of("PR")
    text = " ".join(pages(create_packet(client, signed.slug, member.bioguide_id)))
    assert "Resident Commissioner, Puerto Rico" in text
    assert "Dear Resident Commissioner Hernández Rivera:" in text
    assert "1 constituent of Res. Comm. Pablo José Hernández signed" in text


@needs_fonts
def test_shared_zip_signers_are_not_claimed_as_constituents(client, signed):
    text = " ".join(pages(create_packet(client, signed.slug, "Q000023")))  # Mike Quigley, IL-5
    assert "The Honorable Mike Quigley" in text and "Dear Representative Quigley:" in text
    assert "U.S. Representative, IL-5" in text
    assert ("0 constituents of Rep. Mike Quigley signed this petition; a further 1 person signed from ZIP "
            "codes shared with other districts and may live in this district; 9 people signed in total.") in text


@needs_fonts
def test_senator_packet_counts_the_state(client, signed):
    padilla = db.session.scalars(sa.select(Legislator).where(Legislator.name == "Alex Padilla")).one()
    text = " ".join(pages(create_packet(client, signed.slug, padilla.bioguide_id)))
    assert "The Honorable Alex Padilla" in text and "U.S. Senator, California" in text
    assert "Dear Senator Padilla:" in text
    assert "1 constituent of Sen. Alex Padilla signed this petition; 9 people signed in total." in text
    assert "Signers by state, for senators" not in text  # only in the whole-campaign packet


def test_titles_follow_the_seat(app, geography):
    expected = {"DC": "Delegate", "VI": "Delegate", "GU": "Delegate", "AS": "Delegate", "MP": "Delegate",
                "PR": "Resident Commissioner", "CA": "Representative"}
    for state, office in expected.items():
        assert member_of(state).office == office, state
    assert member_of("CA", "senate").office == "Senator"
    assert role(member_of("GU")) == "Delegate, Guam"
    van_hollen = db.session.scalars(sa.select(Legislator).where(Legislator.name.like("%Van Hollen"))).one()
    assert last_name(van_hollen) == "Van Hollen"


def test_right_to_left_paragraphs_are_detected():
    assert packet_pdf.right_to_left("«مرحبا» hello") and packet_pdf.right_to_left("שלום")
    assert not packet_pdf.right_to_left("Hello مرحبا") and not packet_pdf.right_to_left("2025")


def test_address_lines():
    assert address_lines("511 Hart Senate Office Building Washington DC 20510") == [
        "511 Hart Senate Office Building", "Washington, DC 20510"]
    assert address_lines("") == []
    assert address_lines("Somewhere else") == ["Somewhere else"]


def test_visible_text_marks_what_no_font_has():
    covered = {ord(c) for c in "abc \ufffd"}
    assert visible_text("a 🌉🙂 b", covered) == "a [emoji] b"
    assert visible_text("a👍🏽\u200d🔥", covered) == "a[emoji]"
    assert visible_text("a\u05d0", covered) == "a\ufffd"
    assert visible_text("a\u200bb", covered) == "ab"


def test_tables_print_without_unicode_fonts():
    packet = DeliveryPacket("T", "Ask", "Org", None, None, datetime(2025, 1, 1), 3, None,
                            [], [], "0" * 64, "https://example.org/v",
                            senator_rows=[PacketStateRow("California", "Sen. A, Sen. B", 2)],
                            unmapped_places=[PacketPlaceRow("PR", "Puerto Rico", 1)])
    text = " ".join(pages(build_packet_pdf(packet, font_files={"": "/nonexistent.ttf"})))
    assert "California Sen. A, Sen. B 2" in text and "PR Puerto Rico 1" in text
    assert_sane_pages(pages(build_packet_pdf(packet, font_files={"": "/nonexistent.ttf"})))



def test_no_stray_last_page_whatever_the_number_of_comments():
    """The verification section stays on one page, so the last page is never a note or two and a
    footer, however the comments fall."""
    from tests.delivery.test_packet_pdf import make_packet

    for count in range(0, 24):
        packet = make_packet(comments=[PacketComment(f"Signer {i}", "Town, ST", "word " * (10 + 7 * (i % 5)))
                                       for i in range(count)],
                             notes=["A methodology note that runs over a couple of lines. " * 3] * 3)
        texts = pages(build_packet_pdf(packet))
        assert "How to verify this packet" in texts[-1], count
        assert_sane_pages(texts)


def _embedded_fonts(pdf: bytes) -> set[str]:
    """The BaseFont names of the fonts a PDF embeds, without their subset tags (ABCDEF+)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def _fallbacks_loaded(packet) -> set[str]:
    return {Path(packet_pdf.FALLBACK_FONT_FILES[int(key.removeprefix("packetfallback"))]).name
            for key in packet_pdf._PacketPDF(packet, find_unicode_font()).fonts if key.startswith("packetfallback")}


@needs_fonts
def test_a_packet_loads_only_the_fallback_fonts_its_text_needs():
    """Loading and subsetting a font costs about 0.1 s, and most packets are in scripts the main
    font has (Latin; DejaVu also draws Arabic and Hebrew): they load no fallback font. A Chinese
    name brings in the CJK font alone, and it is printed."""
    from tests.delivery.test_packet_pdf import make_packet

    for comment in (PacketComment("Zoë Núñez", "Burlington, VT", "¡Sí!"), PacketComment("שרה", "Burlington, VT", "שלום")):
        packet = make_packet(comments=[comment])
        assert _fallbacks_loaded(packet) == set()
        assert _embedded_fonts(build_packet_pdf(packet)) == {"DejaVuSansBook", "DejaVuSansBold"}
    chinese = make_packet(comments=[PacketComment("李小龙", "Oakland, CA", "我支持")])
    assert _fallbacks_loaded(chinese) == {"NotoSansCJK-Regular.ttc"}
    pdf = build_packet_pdf(chinese)
    assert _embedded_fonts(pdf) == {"DejaVuSansBook", "DejaVuSansBold", "NotoSansCJKJP"}
    assert "李小龙" in pdftotext(pdf) and "我支持" in pdftotext(pdf)
