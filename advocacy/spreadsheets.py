"""Cells for files organisers open in a spreadsheet: CSV (neutralised, UTF-8 with a BOM) and XLSX.

CSV is for other tools; XLSX is the format for spreadsheets. A CSV opened with default options can
still turn a ZIP such as 00901 into the number 901 (LibreOffice keeps quoted fields as text only with
"Format quoted field as text" ticked, Excel never), and the neutralising quote is visible in text
cells. An XLSX cell is typed: a ZIP is a text cell, a date is a date, a name is never a formula.
"""
import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel and LibreOffice read a CSV as UTF-8 (not the locale's code page) when it starts with this.
UTF8_BOM = "\ufeff"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_READ_BYTES = 64 * 1024
# Kept in memory up to this size, then on disk: the finished workbook never has to fit in memory.
XLSX_SPOOL_BYTES = 4 * 1024 * 1024
XLSX_MAX_TEXT = 32767  # Excel's limit for one cell
# Characters XML 1.0 cannot carry (XlsxWriter writes inline strings unescaped in constant_memory mode).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neutralise(cell) -> str:
    """Spreadsheets run cells starting with = + - @ (or a tab/CR) as formulas: prefix them with a quote."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_writer(buffer):
    """The one CSV dialect of every export: CRLF lines, every field quoted (so ZIPs such as 00901 are
    quoted text for importers that honour quotes). Write `UTF8_BOM` first and `neutralise` each cell."""
    return csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)


def xlsx_chunks(sheet_name: str, columns: Iterable[str], rows: Iterable[Iterable],
                widths: dict[str, float] | None = None) -> Iterator[bytes]:
    """One worksheet, written row by row (XlsxWriter's constant_memory mode: rows go to a temporary
    file as they come, memory stays flat for a million rows), then streamed back in chunks.

    Cells by type: str -> text cell (`write_string`), int/float/Decimal -> number, datetime -> date
    and time, date -> date, None -> blank. Text cells are not neutralised: a cell written with
    `write_string` is a string cell, which a spreadsheet never evaluates as a formula, so a name
    starting with "=" stays that literal text and no quote is added. Timezone-aware datetimes are
    written as their UTC wall time (the column header says UTC)."""
    columns = tuple(columns)
    widths = widths or {}
    with tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES) as file:
        workbook = xlsxwriter.Workbook(file, {"constant_memory": True, "remove_timezone": True,
                                              "strings_to_numbers": False, "strings_to_formulas": False,
                                              "strings_to_urls": False})
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = workbook.add_worksheet(sheet_name[:31])
        for col, name in enumerate(columns):
            sheet.set_column(col, col, widths.get(name, max(10, len(name) + 2)))
        sheet.freeze_panes(1, 0)
        for col, name in enumerate(columns):
            sheet.write_string(0, col, name, bold)
        for r, row in enumerate(rows, 1):
            for col, value in enumerate(row):
                _write_cell(sheet, r, col, value, when, day)
        workbook.close()
        file.seek(0)
        while chunk := file.read(XLSX_READ_BYTES):
            yield chunk


def _write_cell(sheet, row: int, col: int, value, when, day) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(row, col, XML_ILLEGAL.sub("\ufffd", value)[:XLSX_MAX_TEXT])
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value, when)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, day)
    else:
        sheet.write_string(row, col, XML_ILLEGAL.sub("\ufffd", str(value))[:XLSX_MAX_TEXT])
