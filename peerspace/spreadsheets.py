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
import logging
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
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


def sheet_titles(titles: Iterable[str]) -> list[str]:
    """Names Excel accepts for these sheets, in order: at most 31 characters,
    none of []:*?/\\, no apostrophe first or last, not "History" (Excel's
    own), and no two the same whatever their case."""
    names, seen = [], set()
    for title in titles:
        name = " ".join(str(title).translate(SHEET_TITLE_BANNED).split())
        name = name[:SHEET_TITLE_MAX].strip().strip("'").strip() or "Sheet1"
        if name.casefold() == "history":
            name = "History (table)"
        base, n = name, 1
        while name.casefold() in seen:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_TITLE_MAX - len(suffix)].rstrip().strip("'") + suffix
        seen.add(name.casefold())
        names.append(name)
    return names


def _write_sheet(book, headers: Sequence, rows: Iterable[Sequence], title: str):
    """One sheet of a write-only workbook; text is never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = [list(row) for row in rows]
    sheet = book.create_sheet(title=title)
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


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], title: str = "") -> bytes:
    """Rows as an XLSX workbook with one sheet; text is never a formula."""
    return workbook_bytes([(title, headers, rows)])


def workbook_bytes(sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """An XLSX workbook of (title, headings, rows) sheets, in order, each
    made safe like xlsx_bytes, with names Excel accepts (see sheet_titles)."""
    from openpyxl import Workbook

    sheets = list(sheets)
    book = Workbook(write_only=True)
    titles = sheet_titles(title for title, _, _ in sheets)
    for title, (_, headers, rows) in zip(titles, sheets, strict=True):
        _write_sheet(book, headers, rows, title)
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
    return attachment(export(dataset, fmt), CONTENT_TYPES[fmt], filename)


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# Several tables in one download: a workbook with a sheet each, or a zip of
# CSV files, one each.
BUNDLES = {
    "xlsx": CONTENT_TYPES["xlsx"],
    "zip": "application/zip",
}


def bundle(named: Sequence[tuple[str, tablib.Dataset]], fmt: str) -> bytes:
    """(file name without its ending, dataset) pairs as one workbook (a sheet
    each, named by the dataset's title) or one zip of CSV files."""
    if fmt == "xlsx":
        return workbook_bytes(
            (data.title or name, data.headers or [], data) for name, data in named
        )
    if fmt == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in named:
                archive.writestr(f"{name}.csv", export(data, "csv"))
        return out.getvalue()
    raise ValueError(f"Unknown bundle format {fmt!r}")


def read_back(dataset: tablib.Dataset) -> tablib.Dataset:
    """An uploaded dataset with our own apostrophes taken off again."""
    cleaned = tablib.Dataset(headers=[as_typed(h) for h in dataset.headers or []])
    for row in dataset:
        cleaned.append([as_typed(v) for v in row])
    return cleaned


# --- Reading an uploaded spreadsheet, within limits, so a huge file is refused at
# once rather than tying up a worker.

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000
# An .xlsx is a zip: refuse one that would unpack to something enormous.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
# Stop reading a sheet after this many empty rows in a row (formatted but empty
# rows can run to a million in Excel).
MAX_BLANK_RUN = 1000

UNREADABLE = (
    "We couldn't read this file. In your spreadsheet program, use “Save as” (or "
    "“Download”) and choose “CSV UTF-8” or “Excel workbook (.xlsx)”, then try again."
)


@dataclass
class Sheet:
    dataset: tablib.Dataset
    # The spreadsheet row number of each dataset row (headings are row 1).
    lines: list[int]
    notes: list[str] = field(default_factory=list)


def _sheet(rows, notes: list[str]) -> Sheet:
    """Rows (headings first) to a Sheet, leaving out blank rows."""
    rows = iter(rows)
    headers = next(rows, None)
    if not headers or not any(_filled(c) for c in headers):
        raise ValidationError(
            "The first row should be the column headings, but it's empty."
        )
    data, lines, blank_run = [], [], 0
    for number, row in enumerate(rows, start=2):
        if not any(_filled(c) for c in row):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                notes.append(
                    f"We stopped reading at row {number:,}, after "
                    f"{MAX_BLANK_RUN:,} empty rows."
                )
                break
            continue
        blank_run = 0
        if len(data) >= MAX_ROWS:
            raise ValidationError(
                f"This file has more than {MAX_ROWS:,} rows. Please split it into "
                "smaller files and import them one at a time."
            )
        data.append(list(row))
        lines.append(number)
    if not data:
        raise ValidationError("There's nothing under the column headings to import.")
    width = max(len(headers), *(len(r) for r in data))
    headers = [("" if h is None else str(h)) for h in headers]
    headers += [""] * (width - len(headers))
    dataset = tablib.Dataset(headers=headers)
    for row in data:
        dataset.append(row + [""] * (width - len(row)))
    return Sheet(dataset, lines, notes)


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def read_csv(content: bytes) -> Sheet:
    notes = []
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = content.decode("utf-16")
    else:
        if b"\x00" in content or content.startswith(b"PK\x03\x04"):
            raise ValidationError(
                "This doesn't look like a CSV file. If it's an Excel workbook, "
                "make sure its name ends in .xlsx."
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Older Excel saves "CSV (Comma delimited)" in Windows-1252.
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise ValidationError(UNREADABLE) from None
            notes.append(
                "This file wasn't saved as UTF-8, so we read it as Windows "
                "text. Please check that names with accents look right below."
            )
    delimiter = ","
    # Excel's "sep=;" first line names the separator; Excel doesn't show it.
    first, _, rest = text.partition("\n")
    if first.strip().lower()[:4] == "sep=" and first.strip()[4:5] in (",", ";", "\t"):
        delimiter, text = first.strip()[4], rest
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ValidationError(UNREADABLE) from None
    return _sheet(rows, notes)


def read_xlsx(content: bytes) -> Sheet:
    import openpyxl

    if not content.startswith(b"PK\x03\x04"):
        raise ValidationError(
            "This doesn't look like an Excel .xlsx file. Older .xls files need "
            "saving again as .xlsx (or as CSV)."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > MAX_UNZIPPED_BYTES:
            raise ValidationError(
                "This workbook is too big to import. Please save just the sheet "
                "you need, or split it into smaller files."
            )
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        )
    except ValidationError:
        raise
    except Exception:
        logger.info("Unreadable XLSX upload", exc_info=True)
        raise ValidationError(UNREADABLE) from None
    try:
        sheet = book.worksheets[0]
        notes = []
        if len(book.worksheets) > 1:
            notes.append(f"Only the first sheet, “{sheet.title}”, was read.")
        return _sheet(sheet.iter_rows(values_only=True), notes)
    except ValidationError:
        raise
    except Exception:
        logger.info("Unreadable XLSX upload", exc_info=True)
        raise ValidationError(UNREADABLE) from None
    finally:
        book.close()
