"""A report table as CSV or XLSX: the same cells the PDF prints.

Through tablib (django-import-export's engine) rather than its formats, whose
formula escaping turns every cell into text: here numbers stay numbers, and
only text that a spreadsheet could run as a formula is made harmless.
"""

import tablib

from attendance.resources import CSV_FORMULA_START, XLSX_FORMULA_START

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _safe(value, fmt: str):
    if not isinstance(value, str):
        return value
    starts = CSV_FORMULA_START if fmt == "csv" else XLSX_FORMULA_START
    if value.startswith(starts):
        value = "'" + value
    if fmt == "xlsx":
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


def export_table(dataset: tablib.Dataset, fmt: str) -> bytes:
    safe = tablib.Dataset(
        headers=[_safe(h, fmt) for h in dataset.headers], title=dataset.title
    )
    for row in dataset:
        safe.append([_safe(v, fmt) for v in row])
    if fmt == "csv":
        # The byte-order mark makes Excel read “£” and accents correctly.
        return ("\ufeff" + safe.export("csv")).encode()
    return safe.export("xlsx")
