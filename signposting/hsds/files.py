"""Reading an uploaded file into fully nested service records."""

import csv
import io
import json
import zipfile

from django.conf import settings

from peerspace import spreadsheets

from .export import CSV_TABLES

MAX_RECORDS = 5000


class ImportFileError(ValueError):
    """The whole file can't be read: nothing is imported."""


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def read_upload(upload) -> list[dict]:
    """The services in an uploaded JSON file, CSV data package (zip) or services.csv."""
    limit = settings.IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ImportFileError(
            f"That file is {_mb(upload.size)}; the most we can take is {_mb(limit)}. "
            "Try exporting fewer services at a time."
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(f"That file is bigger than {_mb(limit)}.")
    return read_bytes(data, getattr(upload, "name", "") or "")


def read_bytes(data: bytes, name: str = "") -> list[dict]:
    if not data.strip():
        raise ImportFileError("That file is empty.")
    if data[:4] == b"PK\x03\x04":
        return services_from_tables(_read_zip(data))
    if name.lower().endswith(".csv"):
        return services_from_tables({"services": _read_csv(data, "services.csv")})
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError(
            "That file isn't text we can read. Please upload an Open Referral JSON "
            "file, or the CSV data package as a .zip."
        ) from None
    except json.JSONDecodeError as e:
        raise ImportFileError(
            f"That isn't valid JSON (line {e.lineno}, column {e.colno}: {e.msg}). "
            "Please check the file is an Open Referral export."
        ) from None
    return services_from_document(document)


def services_from_document(document) -> list[dict]:
    if isinstance(document, list):
        records = document
    elif isinstance(document, dict) and isinstance(document.get("contents"), list):
        records = document["contents"]  # a page from an ORUK /services API
    elif isinstance(document, dict) and isinstance(document.get("services"), list):
        # An organisation with its services: it runs them.
        parent = {k: v for k, v in document.items() if k != "services"}
        records = [
            {**s, "organization": s.get("organization") or parent}
            if isinstance(s, dict)
            else s
            for s in document["services"]
        ]
    elif isinstance(document, dict) and ("id" in document or "name" in document):
        records = [document]
    else:
        raise ImportFileError(
            "We couldn't find any services in that file. It should be one service, "
            "a list of services, or a page from an Open Referral API."
        )
    if not records:
        raise ImportFileError("That file has no services in it.")
    if len(records) > MAX_RECORDS:
        raise ImportFileError(
            f"That file has {len(records):,} services; please import "
            f"{MAX_RECORDS:,} or fewer at a time."
        )
    return records


def _read_zip(data: bytes) -> dict[str, list[dict]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileError(
            "That zip file is damaged, so we can't open it."
        ) from None
    tables = {}
    budget = settings.IMPORT_MAX_BYTES * 4  # guards against a zip bomb
    with zf:
        for info in zf.infolist():
            base = info.filename.rsplit("/", 1)[-1]
            table = base[:-4] if base.endswith(".csv") else None
            if table not in CSV_TABLES and table != "cost_options":
                continue
            budget -= info.file_size
            if budget < 0:
                raise ImportFileError(
                    "The files inside that zip are too big to import."
                )
            tables[table] = _read_csv(zf.read(info), base)
    if "services" not in tables:
        raise ImportFileError(
            "That zip has no services.csv, so it isn't an Open Referral CSV data "
            "package."
        )
    return tables


def _read_csv(data: bytes, name: str) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(f"{name} isn't UTF-8 text.") from None
    try:
        return [
            {k: spreadsheets.as_typed(v or "") for k, v in row.items() if k}
            for row in csv.DictReader(io.StringIO(text))
        ]
    except csv.Error as e:
        raise ImportFileError(f"{name} isn't a CSV file we can read: {e}") from None


def _by(rows: list[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.get(key, ""), []).append(row)
    return grouped


def _present(row: dict) -> dict:
    return {k: v for k, v in row.items() if v != ""}


def services_from_tables(tables: dict[str, list[dict]]) -> list[dict]:
    """Assemble the CSV data package back into fully nested services."""
    organizations = {r.get("id"): _present(r) for r in tables.get("organizations", [])}
    locations = {r.get("id"): _present(r) for r in tables.get("locations", [])}
    addresses = _by(tables.get("addresses", []), "location_id")
    sals = _by(tables.get("service_at_locations", []), "service_id")
    terms = {r.get("id"): _present(r) for r in tables.get("taxonomy_terms", [])}
    attributes = _by(tables.get("attributes", []), "link_id")
    per_service = {
        t: _by(tables.get(t, []), "service_id")
        for t in ("phones", "schedules", "languages", "cost_options")
    }
    services = []
    for row in tables["services"]:
        service = _present(row)
        sid = row.get("id", "")
        org = organizations.get(row.get("organization_id"))
        if org:
            service["organization"] = org
        for table, grouped in per_service.items():
            service[table] = [_present(r) for r in grouped.get(sid, [])] if sid else []
        service["service_at_locations"] = []
        for sal in sals.get(sid, []) if sid else []:
            location = dict(locations.get(sal.get("location_id"), {}))
            location["addresses"] = [
                _present(a) for a in addresses.get(sal.get("location_id"), [])
            ]
            service["service_at_locations"].append(
                {**_present(sal), "location": location}
            )
        service["attributes"] = []
        for attr in attributes.get(sid, []) if sid else []:
            attr = _present(attr)
            term = terms.get(attr.get("taxonomy_term_id"))
            if term:
                attr["taxonomy_term"] = term
            service["attributes"].append(attr)
        services.append(service)
    if not services:
        raise ImportFileError("services.csv has no services in it.")
    if len(services) > MAX_RECORDS:
        raise ImportFileError(
            f"Please import {MAX_RECORDS:,} or fewer services at a time."
        )
    return services


# Fields compared to tell "changed" from "unchanged".
