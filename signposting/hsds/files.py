"""Reading what a coordinator gives us (a JSON file of any HSDS shape, the CSV data
package as a zip or a folder, one services.csv) into service records."""

import io
import json
import re
import zipfile
import zlib
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from peerspace import spreadsheets

from .package import PackageError, assemble
from .schema import MAX_DEPTH, MAX_NUMBER_DIGITS, table_for_file
from .shapes import Batch, batch_from_document

MAX_RECORDS = 5000
# A zip may unpack to this many times the upload limit, no more (a zip bomb).
UNZIP_FACTOR = 4


class ImportFileError(ValueError):
    """The whole file can't be read: nothing is imported."""


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def read_upload(upload) -> Batch:
    """The services in an uploaded JSON file, CSV data package (zip) or services.csv."""
    limit = settings.IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ImportFileError(
            _(
                "That file is %(size)s; the most we can take is %(most)s. Try exporting fewer services at a time."
            )
            % {"size": _mb(upload.size), "most": _mb(limit)}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(
            _("That file is bigger than %(most)s.") % {"most": _mb(limit)}
        )
    return read_bytes(data, getattr(upload, "name", "") or "")


def read_bytes(data: bytes, name: str = "") -> Batch:
    if not data.strip():
        raise ImportFileError(_("That file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _from_tables(_read_zip(data))
    if (
        data[:5] == b"%PDF-"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or data[:3] == b"\xff\xd8\xff"
    ):
        raise ImportFileError(
            _(
                "That's a picture or a PDF, not Open Referral data. Please upload an Open "
                "Referral JSON file, or the CSV data package as a .zip."
            )
        )
    if name.lower().endswith(".csv"):
        table = table_for_file(name) or "service"
        if table != "service":
            raise ImportFileError(
                _(
                    "%(name)s is one table of a CSV data package. Please upload the whole package as a .zip, so its services come with it."
                )
                % {"name": name}
            )
        return _from_tables({"service": _read_csv(data, name)})
    return batch_from_document(parse_json(data), ImportFileError, MAX_RECORDS)


def read_folder(path: Path) -> Batch:
    """A CSV data package unpacked into a folder."""
    raw = {}
    budget = settings.IMPORT_MAX_BYTES * UNZIP_FACTOR
    for file in sorted(path.iterdir()):
        table = table_for_file(file.name) if file.suffix.lower() == ".csv" else None
        if table is None:
            continue
        budget -= file.stat().st_size
        if budget < 0:
            raise ImportFileError(_("The files in that folder are too big to import."))
        raw[table] = _read_csv(file.read_bytes(), file.name)
    return _from_tables(raw)


def _reject_constant(name: str):
    raise ValueError(_("%(name)s isn't a number JSON allows") % {"name": name})


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(
            _("a number %(count)s digits long") % {"count": f"{len(text):,}"}
        )
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if len(text) > 60 or value in (float("inf"), float("-inf")):
        raise ValueError(
            _("a number too big to use (%(start)s…)") % {"start": text[:20]}
        )
    return value


def parse_json(data: bytes):
    """JSON, refusing what would crash or stall us: deep nesting, huge numbers."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "That file isn't text we can read. Please upload an Open Referral JSON "
                "file, or the CSV data package as a .zip."
            )
        ) from None
    if _depth_exceeds(text, MAX_DEPTH):
        raise ImportFileError(
            _(
                "That file is nested more than %(most)s levels deep, so it isn't Open Referral data (HSDS goes about eight deep). Nothing was read."
            )
            % {"most": MAX_DEPTH}
        )
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as e:
        raise ImportFileError(
            _(
                "That isn't valid JSON (line %(lineno)s, column %(colno)s: %(msg)s). Please check the file is an Open Referral export."
            )
            % {"lineno": e.lineno, "colno": e.colno, "msg": e.msg}
        ) from None
    except (ValueError, RecursionError) as e:
        raise ImportFileError(
            _(
                "That file has %(what)s, which isn't Open Referral data. Nothing was read."
            )
            % {"what": e}
        ) from None


_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|[\[\]{}]')


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than the limit, outside strings: a linear scan,
    so a file of a hundred thousand [ can't exhaust the parser's stack."""
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


# Everything zipfile and zlib raise for a damaged or unusual archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)


def _read_zip(data: bytes) -> dict[str, list[dict]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (*_ZIP_ERRORS, OSError, ValueError):
        raise ImportFileError(
            _("That zip file is damaged, so we can't open it.")
        ) from None
    tables = {}
    budget = settings.IMPORT_MAX_BYTES * UNZIP_FACTOR
    with zf:
        names = zf.namelist()
        if "[Content_Types].xml" in names:
            raise ImportFileError(
                _(
                    "That's a spreadsheet (.xlsx), not an Open Referral data package. "
                    "Please use the spreadsheet import for it."
                )
            )
        for info in zf.infolist():
            table = table_for_file(info.filename)
            if (
                table is None
                or info.is_dir()
                or not info.filename.lower().endswith(".csv")
            ):
                continue
            try:
                # Read no more than the budget, whatever the zip claims the size is.
                with zf.open(info) as member:
                    content = member.read(max(budget, 0) + 1)
            except RuntimeError:
                raise ImportFileError(
                    _(
                        "%(filename)s in that zip is password-protected, so we can't read it."
                    )
                    % {"filename": info.filename}
                ) from None
            except (*_ZIP_ERRORS, OSError, ValueError) as e:
                raise ImportFileError(
                    _(
                        "%(filename)s in that zip is damaged (%(error)s), so we can't read it. Nothing was imported."
                    )
                    % {"filename": info.filename, "error": e}
                ) from None
            budget -= len(content)
            if budget < 0:
                raise ImportFileError(
                    _("The files inside that zip are too big to import.")
                )
            tables[table] = _read_csv(content, info.filename.rsplit("/", 1)[-1])
    return tables


def _read_csv(data: bytes, name: str) -> list[dict]:
    import csv

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("%(name)s isn't UTF-8 text.") % {"name": name}
        ) from None
    try:
        rows = []
        for row in csv.DictReader(io.StringIO(text, newline="")):
            rows.append(
                {
                    k: spreadsheets.as_typed(v or "")
                    for k, v in row.items()
                    if isinstance(k, str) and k
                }
            )
            if len(rows) > MAX_RECORDS * 20:
                raise ImportFileError(
                    _("%(name)s has too many rows to import at once.") % {"name": name}
                )
        return rows
    except csv.Error as e:
        raise ImportFileError(
            _("%(name)s isn't a CSV file we can read: %(error)s")
            % {"name": name, "error": e}
        ) from None


def _from_tables(raw: dict[str, list[dict]]) -> Batch:
    if "service" not in raw:
        raise ImportFileError(
            _(
                "That package has no services.csv, so it isn't an Open Referral CSV data "
                "package."
            )
        )
    try:
        services, unlinked, terms = assemble(raw)
    except PackageError as e:
        raise ImportFileError(str(e)) from None
    if not services:
        raise ImportFileError(_("services.csv has no services in it."))
    if len(services) > MAX_RECORDS:
        raise ImportFileError(
            _("Please import %(most)s or fewer services at a time.")
            % {"most": f"{MAX_RECORDS:,}"}
        )
    batch = Batch(services)
    batch.unlinked = [str(u) for u in unlinked]
    batch.terms = terms
    return batch
