"""The printable sign-up sheet (fpdf2): the ask in English and Spanish, 15 rows to fill in by hand,
a QR code to the campaign page (?source=sheet) and the privacy note.

The sheet always prints both languages, whatever the organiser's interface language, so its fixed
words are written here in both (like the seeded campaigns' texts) rather than looked up in the
catalogue of the page that asks for it."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import qrcode
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_FILES = {"": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "B": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"}
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}
ROWS = 15
MARGIN = 12  # mm
HEAD = 13  # the column heads' height, mm

# The sheet's fixed words, English then Spanish.
WORDS = {
    "sign": ("Sign the petition", "Firme la petición"),
    "name": ("Full name", "Nombre completo"),
    "zip": ("ZIP code", "Código postal"),
    "email": ("Email (optional)", "Correo (opcional)"),
    "updates": ("Email me updates", "Me pueden escribir"),
    "scan": ("Or sign online:", "O firme en línea:"),
    "privacy": (
        "Your name, ZIP code and email are used only for this petition. Offices receive your name, "
        "town and ZIP code, never your email. If you give an email we send you one notice with a link "
        "to remove your signature, and updates only if you tick the box.",
        "Su nombre, código postal y correo se usan solo para esta petición. Las oficinas reciben su "
        "nombre, ciudad y código postal, nunca su correo. Si nos da un correo le enviamos un aviso con "
        "un enlace para retirar su firma, y novedades solo si marca la casilla.",
    ),
}


@dataclass(frozen=True)
class SheetText:
    title: str
    ask: str


def qr_png(url: str) -> bytes:
    """The URL as a QR code PNG (error correction M: readable from a creased photocopy)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def _font(pdf: FPDF) -> str:
    if all(Path(path).exists() for path in FONT_FILES.values()):
        for style, path in FONT_FILES.items():
            pdf.add_font("SheetSans", style, path)
        return "SheetSans"
    return "Helvetica"  # Latin-1 only: accents in Spanish still print


def build_sheet_pdf(english: SheetText, spanish: SheetText | None, url: str, paper: str = "a4") -> bytes:
    """PDF bytes of the sheet. `spanish` is None when the campaign has no Spanish version: the
    sheet then prints the English title and ask once, under both languages' headings."""
    pdf = FPDF(orientation="portrait", unit="mm", format=PAPER_SIZES.get(paper, "A4"))
    pdf.set_title(f"{english.title} - {WORDS['sign'][0]} / {WORDS['sign'][1]}")
    pdf.set_lang("en")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    family = _font(pdf)
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    qr_size = 34
    text_width = width - qr_size - 4

    pdf.image(io.BytesIO(qr_png(url)), x=pdf.w - MARGIN - qr_size, y=MARGIN, w=qr_size, h=qr_size)
    url_width = 80  # wide enough that a usual campaign address prints on one line
    pdf.set_xy(pdf.w - MARGIN - url_width, MARGIN + qr_size)
    pdf.set_font(family, "", 6.5)
    pdf.multi_cell(url_width, 3, f"{WORDS['scan'][0]} / {WORDS['scan'][1]}\n{url}", align="R")

    pdf.set_xy(MARGIN, MARGIN)
    for index, text in enumerate((english, spanish or english)):
        if index == 1 and spanish is None:
            pdf.set_font(family, "B", 11)
            pdf.multi_cell(text_width, 5.5, WORDS["sign"][1], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            break
        pdf.set_font(family, "B", 9)
        pdf.multi_cell(text_width, 4.5, WORDS["sign"][index].upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(family, "B", 13)
        pdf.multi_cell(text_width, 6, text.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(family, "", 9.5)
        pdf.multi_cell(text_width, 4.6, text.ask, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    top = max(pdf.get_y(), MARGIN + qr_size + 8) + 2
    privacy_height = 22
    row_height = min(12.0, (pdf.h - MARGIN - privacy_height - top - HEAD) / ROWS)
    columns = [("#", 7), ("name", width * 0.34), ("zip", width * 0.14), ("email", width * 0.32)]
    columns.append(("updates", width - sum(w for _, w in columns)))

    pdf.set_xy(MARGIN, top)
    pdf.set_font(family, "B", 8)
    pdf.set_fill_color(230, 230, 230)
    for key, column_width in columns:
        label = key if key == "#" else f"{WORDS[key][0]}\n{WORDS[key][1]}"
        x, y = pdf.get_x(), pdf.get_y()
        pdf.rect(x, y, column_width, HEAD, style="DF")
        pdf.multi_cell(column_width, 4, label, align="C", new_x=XPos.RIGHT, new_y=YPos.TOP,
                       padding=(1, 0.5, 0, 0.5))
        pdf.set_xy(x + column_width, y)
    pdf.set_font(family, "", 8)
    for row in range(1, ROWS + 1):
        y = top + HEAD + (row - 1) * row_height
        x = MARGIN
        for key, column_width in columns:
            pdf.rect(x, y, column_width, row_height)
            if key == "#":
                pdf.set_xy(x, y)
                pdf.cell(column_width, row_height, str(row), align="C")
            elif key == "updates":  # a tick box in the middle of the cell
                box = 4.5
                pdf.rect(x + (column_width - box) / 2, y + (row_height - box) / 2, box, box)
            x += column_width

    pdf.set_xy(MARGIN, top + HEAD + ROWS * row_height + 3)
    pdf.set_font(family, "", 7.5)
    pdf.multi_cell(width, 3.4, WORDS["privacy"][0], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.multi_cell(width, 3.4, WORDS["privacy"][1], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
