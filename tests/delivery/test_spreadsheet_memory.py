"""XLSX exports keep memory flat: rows go to XlsxWriter's temporary files as they come (constant_memory)
and the finished workbook is spooled to disk, so ten times the rows needs no more memory."""
import io
import tracemalloc
from datetime import datetime

from openpyxl import load_workbook

from advocacy import spreadsheets

COLUMNS = ("name", "zip", "at", "n")


def rows(n: int):
    return ((f"Nguyễn Văn An {i}", "00901", datetime(2026, 1, 1, 12, 30), i) for i in range(n))


def peak_bytes(n: int) -> int:
    tracemalloc.start()
    try:
        for _ in spreadsheets.xlsx_chunks("S", COLUMNS, rows(n)):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows(monkeypatch):
    monkeypatch.setattr(spreadsheets, "XLSX_SPOOL_BYTES", 64 * 1024)  # spill the workbook to disk early
    small, large = peak_bytes(1000), peak_bytes(10_000)
    assert large < small + 512 * 1024, (small, large)
    sheet = load_workbook(io.BytesIO(b"".join(spreadsheets.xlsx_chunks("S", COLUMNS, rows(1000))))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLUMNS and len(values) == 1001
    assert values[1] == ("Nguyễn Văn An 0", "00901", datetime(2026, 1, 1, 12, 30), 0)


def test_control_characters_do_not_break_the_workbook():
    body = b"".join(spreadsheets.xlsx_chunks("S", ("name",), [("bad\x01name\x0b",), ("tab\tok",)]))
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert rows[1:] == [("bad\ufffdname\ufffd",), ("tab\tok",)]
