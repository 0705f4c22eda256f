"""The delivery packet PDF that a congressional office receives.

:func:`build_packet_pdf` turns a plain :class:`DeliveryPacket` into PDF bytes:

1. a cover letter (date, recipient, the ask, the totals, a closing);
2. the map of signers by state, when an SVG is given;
3. a table of signers per congressional district;
4. a selection of signers' comments;
5. "How to verify this packet": the signature list's SHA-256 and a URL.

Every page has a footer with "Page X of Y" and the short hash, so loose
pages can be matched to their packet.

Signers write in every language, so text is set in a Unicode TrueType font
(DejaVu Sans, Debian package fonts-dejavu-core). Point
:data:`UNICODE_FONT_FILES` elsewhere to use another font; extra fonts for
scripts DejaVu lacks or draws poorly (CJK, Arabic, Hebrew, symbols; Debian
fonts-noto-core and fonts-noto-cjk, installed by ``make browser-deps``) are
picked up from :data:`FALLBACK_FONT_FILES` when installed, and text is shaped
with HarfBuzz (``uharfbuzz``) so Arabic letters join and right-to-left text
reads in order. A character no font has (colour emoji: fpdf2 cannot draw
bitmap glyphs) is printed as :data:`EMOJI_STAND_IN` or U+FFFD, never dropped
silently. Without a Unicode font the packet is still produced with the
built-in Helvetica, and characters it cannot encode become "?".
"""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from fpdf.fonts import FontFace

logger = logging.getLogger(__name__)

#: fpdf2 style ("" regular, "B" bold) -> TrueType file. Both must exist.
UNICODE_FONT_FILES: dict[str, str] = {
    "": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "B": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
#: Optional fonts for characters missing from the main font, used when present
#: (Debian: fonts-wqy-microhei, 1.6 MB, or fonts-noto-cjk cover Chinese,
#: Japanese and Korean names). Only the glyphs used are embedded.
FALLBACK_FONT_FILES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSymbols-Regular.ttf",
)
#: Printed for a run of emoji that no installed font can draw.
EMOJI_STAND_IN = "[emoji]"
REPLACEMENT_CHAR = "\ufffd"

COMMENT_MAX_CHARS = 600
NAME_MAX_CHARS = 120
ELLIPSIS = "\u2026"

_UNICODE_FAMILY = "PacketSans"
_CORE_FAMILY = "Helvetica"
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Typographic characters outside Latin-1 with a readable ASCII stand-in,
# used when only the core font (Latin-1) is available.
_LATIN1_STAND_INS = str.maketrans({
    "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
    "\u201d": '"', "\u2026": "...", "\u2022": "-", "\u00a0": " ", "\u2009": " ",
})


@dataclass(frozen=True)
class PacketComment:
    name: str
    place: str
    text: str


@dataclass(frozen=True)
class PacketLetter:
    """A constituent's own letter to the recipient, printed in full (up to 5,000 characters)."""

    name: str  # "" unless the writer agreed to be named
    place: str  # "Chicago, IL 60614"
    text: str


@dataclass(frozen=True)
class PacketDistrictRow:
    label: str  # e.g. "CA-12"
    member: str
    count: int
    note: str = ""


@dataclass(frozen=True)
class PacketStateRow:
    """A row of the whole-campaign table for senators."""

    state: str  # "California"
    senators: str  # "Sen. Alex Padilla, Sen. Adam B. Schiff"
    count: int


@dataclass(frozen=True)
class PacketPlaceRow:
    """A place the map cannot draw: a territory, a military post office, an unknown ZIP."""

    code: str  # "PR", "AE", "??"
    name: str
    count: int


@dataclass(frozen=True)
class DeliveryPacket:
    campaign_title: str
    ask: str
    organisation: str
    recipient_name: str | None  # None: packet for the whole campaign / Congress
    recipient_role: str | None  # e.g. "U.S. Representative, CA-12"
    generated_at: datetime
    total_confirmed: int
    constituents_count: int | None  # signers in the recipient's district or state
    district_rows: Sequence[PacketDistrictRow]
    comments: Sequence[PacketComment]  # already selected by the caller
    signature_list_sha256: str
    verify_url: str
    map_svg: str | None = None  # e.g. from advocacy.delivery.map_svg.render_state_map
    notes: Sequence[str] = ()  # methodology notes, printed in the verification section
    # A formal address, when known: "The Honorable Eleanor Holmes Norton", "Dear Delegate Norton:".
    recipient_title: str | None = None  # "Senator", "Representative", "Delegate", "Resident Commissioner"
    recipient_full_name: str | None = None
    recipient_last_name: str | None = None
    recipient_address: Sequence[str] = ()  # office address lines
    # When given, constituents_count counts only signers whose ZIP lies wholly in the district, and
    # these signed from ZIPs shared with other districts ("may live in this district").
    shared_zip_count: int | None = None
    senator_rows: Sequence[PacketStateRow] = ()  # per state, for the whole-campaign packet
    unmapped_places: Sequence[PacketPlaceRow] = ()  # signers the map cannot show
    list_count: int | None = None  # rows of the fingerprinted list (default: total_confirmed)
    letters: Sequence[PacketLetter] = ()  # constituents' letters to this member, approved


# Nested rows of a DeliveryPacket, for reading one back from JSON.
_ROW_TYPES = {"district_rows": PacketDistrictRow, "comments": PacketComment, "letters": PacketLetter,
              "senator_rows": PacketStateRow,
              "unmapped_places": PacketPlaceRow}


def packet_to_json(packet: DeliveryPacket) -> str:
    """The packet's content as JSON: frozen when a delivery is made, rendered later by the worker."""
    data = asdict(packet)
    data["generated_at"] = packet.generated_at.isoformat()
    return json.dumps(data, ensure_ascii=False)


def packet_from_json(text: str) -> DeliveryPacket:
    data = json.loads(text)
    data["generated_at"] = datetime.fromisoformat(data["generated_at"])
    for name, row_type in _ROW_TYPES.items():
        data[name] = tuple(row_type(**row) for row in data.get(name) or ())
    data["notes"] = tuple(data.get("notes") or ())
    data["recipient_address"] = tuple(data.get("recipient_address") or ())
    return DeliveryPacket(**data)


def find_unicode_font(
    font_files: Mapping[str, str | Path] | None = None,
) -> dict[str, Path] | None:
    """Style -> font path when every file exists, else ``None`` (use core fonts).

    Defaults to :data:`UNICODE_FONT_FILES`, read at call time so the app can
    replace it at start-up.
    """
    files = UNICODE_FONT_FILES if font_files is None else font_files
    paths = {style: Path(path) for style, path in files.items()}
    if "" not in paths or not all(path.is_file() for path in paths.values()):
        return None
    return paths


def build_packet_pdf(
    packet: DeliveryPacket, *, font_files: Mapping[str, str | Path] | None = None
) -> bytes:
    """Render ``packet`` as a PDF document (US Letter) and return its bytes."""
    pdf = _PacketPDF(packet, find_unicode_font(font_files))
    pdf.cover_letter()
    if packet.map_svg:
        pdf.state_map(packet.map_svg)
    pdf.unmapped_table()
    pdf.district_table()
    pdf.senator_table()
    pdf.comments()
    pdf.letters()
    pdf.verification()
    return bytes(pdf.output())


def format_date(moment: datetime) -> str:
    """US style, independent of the server locale: "March 4, 2025"."""
    return f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


def plural(count: int, singular: str, plural_form: str) -> str:
    return f"{count:,} {singular if count == 1 else plural_form}"


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, ending in an ellipsis.

    Cuts at a word boundary when one is reasonably close to the limit.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def clean_text(text: str) -> str:
    """NFC-normalise and drop control characters (keeping newlines)."""
    text = unicodedata.normalize("NFC", str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL_CHARS.sub("", text)


def to_latin1(text: str) -> str:
    """Best Latin-1 rendering of ``text``, for the core fonts.

    Typographic characters get ASCII stand-ins, accented letters outside
    Latin-1 lose their accents ("Nguyễn" -> "Nguyen"), the rest becomes "?".
    """
    return "".join(_latin1_char(char) for char in text.translate(_LATIN1_STAND_INS))


def _latin1_char(char: str) -> str:
    if ord(char) < 256:
        return char
    base = "".join(
        c for c in unicodedata.normalize("NFKD", char) if ord(c) < 256 and not unicodedata.combining(c)
    )
    return base or "?"


_EMOJI_PARTS = frozenset((0x200D, 0xFE0E, 0xFE0F, 0x20E3, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)))


def visible_text(text: str, covered: frozenset[int] | set[int]) -> str:
    """``text`` with every character no font covers made visible rather than silently dropped.

    A run of emoji (with its joiners, variation selectors and skin tones) becomes
    :data:`EMOJI_STAND_IN`; another missing symbol becomes U+FFFD (or "?" when even that is
    missing); invisible format characters the fonts lack are left out.
    """
    out: list[str] = []
    in_emoji = False
    for char in text:
        code = ord(char)
        if code in _EMOJI_PARTS and (in_emoji or code not in covered):
            continue  # joiners, selectors, skin tones: part of the emoji before, or invisible
        if code in covered or char in "\n ":
            out.append(char)
            in_emoji = False
            continue
        category = unicodedata.category(char)
        if category == "So" or 0x1F000 <= code <= 0x1FAFF:
            if not in_emoji:
                out.append(EMOJI_STAND_IN)
            in_emoji = True
            continue
        in_emoji = False
        if category.startswith("Z"):
            out.append(" ")
        elif category != "Cf":
            out.append(REPLACEMENT_CHAR if ord(REPLACEMENT_CHAR) in covered else "?")
    return "".join(out)


def right_to_left(text: str) -> bool:
    """Whether the first letter with a direction is right-to-left (Arabic, Hebrew): such a
    paragraph is set flush right, as its readers expect."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def svg_for_pdf(svg: str) -> bytes:
    """Adapt a browser-oriented SVG to fpdf2's renderer.

    fpdf2 ignores ``<title>``/``<desc>`` (logging a warning for each one) and
    draws SVG text with its Latin-1 core fonts, so drop the former and
    transliterate the rest of the text.
    """
    without_titles = re.sub(r"<(title|desc)\b[^>]*>.*?</\1>", "", svg, flags=re.DOTALL)
    return to_latin1(without_titles).encode("utf-8")


@lru_cache(maxsize=16)
def _characters_of(*paths: Path | str) -> frozenset[int]:
    """The characters every one of these font files has a glyph for (a collection's first font, as
    fpdf2 loads it), read once per process."""
    from fontTools.ttLib import TTFont

    covered = None
    for path in paths:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            has = frozenset(font.getBestCmap() or ())
        covered = has if covered is None else covered & has
    return covered or frozenset()


def _characters_in(value) -> set[int]:
    """Every character of every text in a packet (its dataclasses, lists and dicts, walked)."""
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.update(map(ord, item))
        elif is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, field.name) for field in fields(item))
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
    return found


class _PacketPDF(FPDF):
    """FPDF with the packet's fonts, footer and one method per section."""

    def __init__(self, packet: DeliveryPacket, unicode_font: dict[str, Path] | None):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.packet = packet
        self.has_unicode_font = unicode_font is not None
        self.short_hash = packet.signature_list_sha256[:12]
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.alias_nb_pages()
        self._set_metadata()
        if unicode_font:
            self._load_fonts(unicode_font)
        self.text_family = _UNICODE_FAMILY if self.has_unicode_font else _CORE_FAMILY
        self.covered: frozenset[int] = frozenset()
        if unicode_font:
            self.covered = frozenset().union(
                *(getattr(font, "cmap", None) or () for font in self.fonts.values()))
        self.add_page()

    # -- setup ---------------------------------------------------------------

    def _set_metadata(self) -> None:
        packet = self.packet
        title = f"{packet.campaign_title}: petition delivery"
        if packet.recipient_name:
            title += f" to {packet.recipient_name}"
        self.set_title(clean_text(title))
        self.set_author(clean_text(packet.organisation))
        self.set_subject(clean_text(packet.ask))
        self.set_creator("advocacy")
        self.set_lang("en-US")
        self.set_creation_date(packet.generated_at)

    def _load_fonts(self, font: dict[str, Path]) -> None:
        for style, path in font.items():
            self.add_font(_UNICODE_FAMILY, style, path)
        if "B" not in font:  # keep headings working, just not bold
            self.add_font(_UNICODE_FAMILY, "B", font[""])
        # Only the fallback fonts this packet's text needs are loaded: a font costs about 0.1 s to
        # load and subset, and most packets need none. fpdf2 draws a character the main font lacks
        # in the first fallback font that has it, so loading just those first ones prints the same.
        missing = _characters_in(self.packet) - _characters_of(*font.values())
        fallbacks = []
        for index, path in enumerate(FALLBACK_FONT_FILES):
            if not missing:
                break
            if Path(path).is_file():
                family = f"PacketFallback{index}"
                try:
                    has = _characters_of(path)
                    if not missing & has:
                        continue
                    self.add_font(family, "", path)
                except Exception:  # a broken optional font must not stop delivery
                    logger.warning("could not load fallback font %s", path, exc_info=True)
                    continue
                missing -= has
                fallbacks.append(family)
        if fallbacks:
            self.set_fallback_fonts(fallbacks, exact_match=False)
        try:
            self.set_text_shaping(True)  # needs uharfbuzz: joined Arabic, ordered right-to-left text
        except Exception:  # fpdf2 raises FPDFException without it; unshaped text is still legible
            logger.warning("delivery packet: text shaping unavailable (install uharfbuzz)", exc_info=True)

    def text_for(self, text: str) -> str:
        """Text safe for the current font: Unicode as-is, else Latin-1 only."""
        text = clean_text(text)
        if not self.has_unicode_font:
            return to_latin1(text)
        return visible_text(text, self.covered) if self.covered else text

    def style(self, size: float, bold: bool = False, grey: bool = False) -> None:
        self.set_font(self.text_family, "B" if bold else "", size)
        self.set_text_color(90 if grey else 0)

    # -- page furniture ------------------------------------------------------

    def footer(self) -> None:
        self.set_y(-13)
        self.style(8, grey=True)
        half = self.epw / 2
        self.cell(half, 5, self.text_for(f"Signature list SHA-256 {self.short_hash}{ELLIPSIS}"))
        # "{nb}" is fpdf2's alias for the total page count, filled in at output.
        self.cell(half, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def paragraph(self, text: str, size: float = 11, bold: bool = False, after: float = 4) -> None:
        self.style(size, bold)
        text = self.text_for(text)
        align = "R" if self.has_unicode_font and right_to_left(text) else "L"
        self.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(after)

    def heading(self, text: str, keep_with_next: float = 30) -> None:
        """Section heading, moved to a new page rather than left orphaned."""
        if self.will_page_break(10 + keep_with_next):
            self.add_page()
        self.ln(2)
        self.style(15, bold=True)
        self.multi_cell(0, 8, self.text_for(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    # -- sections ------------------------------------------------------------

    def cover_letter(self) -> None:
        packet = self.packet
        self.paragraph(packet.organisation, size=13, bold=True, after=1)
        self.paragraph(format_date(packet.generated_at), after=8)
        if packet.recipient_full_name and packet.recipient_title:
            self.paragraph(f"The Honorable {packet.recipient_full_name}", after=0)
            if packet.recipient_role:
                self.paragraph(packet.recipient_role, after=0)
            for line in packet.recipient_address:
                self.paragraph(line, after=0)
            self.ln(8)
            last = packet.recipient_last_name or packet.recipient_full_name
            self.paragraph(f"Dear {packet.recipient_title} {last}:")
        elif packet.recipient_name:
            self.paragraph(packet.recipient_name, after=0)
            if packet.recipient_role:
                self.paragraph(packet.recipient_role, after=0)
            self.ln(8)
            self.paragraph(f"Dear {packet.recipient_name},")
        else:
            self.paragraph("To the offices of the U.S. Congress,")

        self.paragraph(
            f'We are delivering the petition "{packet.campaign_title}". Its signers ask:'
        )
        self.paragraph(packet.ask, size=12, bold=True, after=5)
        self.paragraph(self._totals_sentence())
        self.paragraph(
            "The following pages show where the signers live, how many signed in each "
            "congressional district and a selection of their comments. The last section "
            "explains how to verify this packet against the full list of signatures."
        )
        self.paragraph("Sincerely,", after=1)
        self.paragraph(packet.organisation, bold=True)

    def _totals_sentence(self) -> str:
        packet = self.packet
        total = plural(packet.total_confirmed, "person", "people")
        if packet.recipient_name and packet.constituents_count is not None:
            constituents = plural(packet.constituents_count, "constituent", "constituents")
            shared = ""
            if packet.shared_zip_count:
                people = plural(packet.shared_zip_count, "person", "people")
                shared = (f" a further {people} signed from ZIP codes shared with other districts "
                          "and may live in this district;")
            return (
                f"{constituents} of {packet.recipient_name} signed this petition;{shared} "
                f"{total} signed in total."
            )
        return f"{total} signed this petition in total."

    def state_map(self, svg: str) -> None:
        """Embed the map; a map fpdf2 cannot draw is skipped, never fatal."""
        data = svg_for_pdf(svg)
        if not _svg_renders(data, self.epw):
            return
        self.add_page()
        self.heading("Where the signers live")
        height = self.epw * 610 / 975  # the map's aspect ratio, refined by fpdf2
        if self.will_page_break(height):
            self.add_page()
        # Without y, fpdf2 places the image at the cursor and moves below it.
        self.image(io.BytesIO(data), x=self.l_margin, w=self.epw, alt_text="Map of signers by state")
        self.ln(6)

    def unmapped_table(self) -> None:
        """Signers the map cannot draw (territories, military mail, unknown ZIPs), in a table."""
        rows = self.packet.unmapped_places
        if not rows:
            return
        if self.packet.map_svg:
            self.paragraph("Not shown on the map:", size=11, bold=True, after=2)
        else:
            self.heading("Signers outside the 50 states and DC")
        self._table(("Code", "Place", "Signers"), (14, 62, 24), ("LEFT", "LEFT", "RIGHT"),
                    [(row.code, row.name, f"{row.count:,}") for row in rows])

    def senator_table(self) -> None:
        rows = self.packet.senator_rows
        if not rows:
            return
        self.heading("Signers by state, for senators")
        self._table(("State", "Senators", "Signers"), (26, 56, 18), ("LEFT", "LEFT", "RIGHT"),
                    [(row.state, row.senators, f"{row.count:,}") for row in rows])

    def _table(self, headings: Sequence[str], widths: Sequence[int], align: Sequence[str],
               rows: Sequence[Sequence[str]]) -> None:
        self.style(9.5)
        with self.table(
            col_widths=tuple(widths), text_align=tuple(align),
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 230, 238)),
            repeat_headings=1, line_height=5.2, padding=(1.2, 1.8), width=self.epw,
        ) as table:
            table.row(list(headings))
            for row in rows:
                table.row([self.text_for(cell) for cell in row])
        self.ln(4)

    def district_table(self) -> None:
        rows = self.packet.district_rows
        if not self.packet.map_svg:
            self.add_page()
        self.heading("Signers by congressional district")
        if not rows:
            self.paragraph("No breakdown by district is available for this packet.")
            return
        self.style(9.5)
        headings = FontFace(emphasis="BOLD", fill_color=(225, 230, 238))
        with self.table(
            col_widths=(20, 34, 14, 32),
            text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
            headings_style=headings,
            repeat_headings=1,
            line_height=5.2,
            padding=(1.2, 1.8),
            width=self.epw,
        ) as table:
            table.row(["District", "Member", "Signers", "Note"])
            for row in rows:
                table.row([
                    self.text_for(row.label),
                    self.text_for(row.member),
                    f"{row.count:,}",
                    self.text_for(row.note),
                ])
        self.ln(4)

    def comments(self) -> None:
        if not self.packet.comments:
            return
        self.heading("What signers said")
        for comment in self.packet.comments:
            author = shorten(clean_text(comment.name).strip(), NAME_MAX_CHARS) or "Anonymous"
            place = shorten(clean_text(comment.place).strip(), NAME_MAX_CHARS)
            byline = f"{author}, {place}" if place else author
            text = shorten(clean_text(comment.text).strip(), COMMENT_MAX_CHARS)
            self._keep_together(byline, text)
            self.paragraph(byline, size=10, bold=True, after=0.5)
            self.paragraph(text, size=10, after=4)

    def letters(self) -> None:
        if not self.packet.letters:
            return
        self.heading("Letters from constituents")
        for letter in self.packet.letters:
            author = shorten(clean_text(letter.name).strip(), NAME_MAX_CHARS) or "A constituent"
            place = shorten(clean_text(letter.place).strip(), NAME_MAX_CHARS)
            byline = f"{author}, {place}" if place else author
            self.paragraph(byline, size=10, bold=True, after=1)
            for part in clean_text(letter.text).split("\n"):
                if part.strip():
                    self.paragraph(part.strip(), size=10, after=2)
            self.ln(3)

    def _keep_together(self, byline: str, text: str) -> None:
        """Start a comment on a new page rather than split its few lines."""
        self.style(10)
        lines = self.multi_cell(
            0, 5, self.text_for(text), align="L", dry_run=True, output=MethodReturnValue.LINES
        )
        height = 5 * (len(lines) + 1) + 5
        if height < self.eph and self.will_page_break(height):
            self.add_page()

    def verification(self) -> None:
        packet = self.packet
        listed = packet.total_confirmed if packet.list_count is None else packet.list_count
        intro = (
            f"This packet was produced from a list of "
            f"{plural(listed, 'confirmed signature', 'confirmed signatures')}. "
            "The SHA-256 fingerprint of that list is:"
        )
        # Keep the section on one page when it fits on one: a page break inside it would leave a
        # last page holding a note or two and the footer.
        notes = [f"- {note}" for note in packet.notes]
        needed = 13 + 6 + 10 + 12 + sum(self._text_height(t, 11) for t in (intro, _VERIFY_EXPLAINED))
        needed += sum(self._text_height(t, 10) + 1.5 for t in notes) + (6.5 if notes else 0)
        if needed < self.eph - 10 and self.will_page_break(needed):
            self.add_page()
        self.heading("How to verify this packet", keep_with_next=60)
        self.paragraph(intro)
        self.style(9.5, bold=True)
        self.multi_cell(0, 6, packet.signature_list_sha256, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)
        self.paragraph(_VERIFY_EXPLAINED)
        # The address on a line of its own, in a size that keeps it whole: a URL broken over two
        # lines does not survive copying (only a very long PUBLIC_BASE_URL still wraps, below 7 pt).
        url = self.text_for(packet.verify_url)
        size = 11.0
        self.style(size)
        while self.get_string_width(url) > self.epw and size > 7:
            size -= 0.5
            self.style(size)
        self.set_text_color(0, 60, 160)
        if self.get_string_width(url) <= self.epw:
            self.cell(0, 6, url, link=url, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            self.multi_cell(0, 6, url, link=url, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(4)
        if packet.notes:
            self.paragraph("Notes", size=11, bold=True, after=1)
            for note in notes:
                self.paragraph(note, size=10, after=1.5)

    def _text_height(self, text: str, size: float) -> float:
        self.style(size)
        lines = self.multi_cell(0, size * 0.5, self.text_for(text), align="L", dry_run=True,
                                output=MethodReturnValue.LINES)
        return size * 0.5 * len(lines) + 4


_VERIFY_EXPLAINED = (
    "The address below shows the fingerprint of the signature list and how it is "
    "computed. If both fingerprints match, this packet was produced from that list."
)


def _svg_renders(data: bytes, width: float) -> bool:
    """Dry-run the SVG on a scratch document.

    A failure half-way through drawing could leave the real document in a
    broken state, so only draw SVGs known to render.
    """
    scratch = FPDF(unit="mm", format="Letter")
    scratch.add_page()
    try:
        scratch.image(io.BytesIO(data), x=0, y=0, w=width)
    except Exception:  # fpdf2 raises many types on unsupported SVG
        logger.warning("delivery packet: map SVG could not be rendered, skipped", exc_info=True)
        return False
    return True
