"""Cells for files organisers open in a spreadsheet."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell) -> str:
    """Spreadsheets run cells starting with = + - @ (or a tab/CR) as formulas: prefix them with a quote."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
