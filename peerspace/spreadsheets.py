"""Every spreadsheet Peerspace hands out, CSV or XLSX, is written here.

Text that starts like a formula ("=", "+", "-", "@", a tab or a carriage
return) can run when a CSV is opened in a spreadsheet (OWASP "CSV injection"):
a name typed as =HYPERLINK(...) becomes a link that sends the sheet's data
away. So in a CSV such text gets a leading apostrophe, which spreadsheets show
as text and which our own imports take off again. In an XLSX every cell of text
is written as a string, never a formula, and marked as text (Excel's
"quotePrefix"), so it shows exactly as typed and stays text when edited.
Numbers we counted stay numbers in both.

django-import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a
leading "=" (changing the text) and only when its own formats write the file,
which is why nothing here uses them.
"""

import csv
import io
from collections.abc import Iterable, Sequence

import tablib
from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
# Excel's limit on a sheet's name, and the characters it refuses in one.
SHEET_TITLE_MAX = 31
SHEET_TITLE_BANNED = str.maketrans("", "", "[]:*?/\\")
MAX_COLUMN_WIDTH = 60
WIDTH_SAMPLE = 500


def safe_text(value):
    """A CSV cell: text that starts like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_typed(value):
    """A cell read back from one of our spreadsheets, without our apostrophe.

    An empty XLSX cell reads as None where the same cell in a CSV is "": both
    come back as "", so a blank is a blank whichever format she saved.
    """
    if value is None:
        return ""
    if (
        isinstance(value, str)
        and value[:1] == "'"
        and value[1:].startswith(FORMULA_START)
    ):
        return value[1:]
    return value


def csv_text(headers: Sequence, rows: Iterable[Sequence]) -> str:
    """Rows as CSV text, every cell made safe (headings too: they can be names)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        writer.writerow([safe_text(v) for v in row])
    return out.getvalue()


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], title: str = "") -> bytes:
    """Rows as an XLSX workbook with one sheet; text is never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = [list(row) for row in rows]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(
        title=title.translate(SHEET_TITLE_BANNED)[:SHEET_TITLE_MAX] or "Sheet1"
    )
    # Columns as wide as their text (judged on the first rows, to stay quick).
    widths = [len(str(h)) for h in headers]
    for row in rows[:WIDTH_SAMPLE]:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(str(value)) if value is not None else 0)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(
            width + 2, MAX_COLUMN_WIDTH
        )
    sheet.freeze_panes = "A2"

    def cell(value, bold: bool = False):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"
            if value.startswith(FORMULA_START):
                written.quotePrefix = True
        if bold:
            written.font = Font(bold=True)
        return written

    sheet.append([cell(h, bold=True) for h in headers])
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(dataset: tablib.Dataset, fmt: str) -> bytes:
    """A dataset as a CSV (with a byte-order mark, so Excel reads "£" and
    accents) or an XLSX file."""
    if fmt == "csv":
        return ("\ufeff" + csv_text(dataset.headers or [], dataset)).encode()
    if fmt == "xlsx":
        return xlsx_bytes(dataset.headers or [], dataset, title=dataset.title or "")
    raise ValueError(f"Unknown spreadsheet format {fmt!r}")


def download(dataset: tablib.Dataset, fmt: str, filename: str) -> HttpResponse:
    """A dataset as a spreadsheet to download."""
    response = HttpResponse(export(dataset, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def read_back(dataset: tablib.Dataset) -> tablib.Dataset:
    """An uploaded dataset with our own apostrophes taken off again."""
    cleaned = tablib.Dataset(headers=[as_typed(h) for h in dataset.headers or []])
    for row in dataset:
        cleaned.append([as_typed(v) for v in row])
    return cleaned
