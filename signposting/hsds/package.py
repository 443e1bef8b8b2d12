"""The HSDS CSV data package: one table per kind of record, linked by ids.

Reading assembles the tables into fully nested services (a row that names
several parents, like a phone with a service_id and a contact_id, appears under
each of them, as in the standard's JSON); writing flattens nested services back
into tables, merging the copies of a record into one row. Every column that came
in goes back out, whatever it is called.
"""

import io
import json
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from peerspace import spreadsheets

from .schema import CSV_FILES, NUMBER, number, tables


class PackageError(ValueError):
    """A table can't be read: nothing is imported."""


@dataclass
class Unlinked:
    """A row that doesn't belong to any service in the package."""

    filename: str
    line: int
    why: str

    def __str__(self) -> str:
        return f"{self.filename} row {self.line}: {self.why}"


def _links(table: str) -> dict[str, tuple[str, str]]:
    """For each id column of a table that points at a parent: (parent table, the
    parent's field the row goes in)."""
    links = {}
    for parent, fields in tables().items():
        for field in fields.values():
            if field.many and field.child == table:
                column = f"{parent}_id"
                if column in tables().get(table, {}):
                    links[column] = (parent, field.name)
    return links


def _one_to_one(table: str) -> dict[str, tuple[str, str]]:
    """Id columns of a table naming one nested object: column -> (table, field)."""
    found = {}
    for field in tables().get(table, {}).values():
        if field.child and not field.many:
            column = "taxonomy_id" if field.name == "taxonomy_detail" else None
            column = column or f"{field.child}_id"
            found[column] = (field.child, field.name)
    return found


def _typed(row: dict, table: str, filename: str, line: int) -> dict:
    """Cells as JSON values: empty cells left out, numbers as numbers."""
    fields = tables().get(table, {})
    out = {}
    for key, value in row.items():
        if value == "":
            continue
        field = fields.get(key)
        if field and field.child:
            try:
                out[key] = json.loads(value)
            except ValueError:
                raise PackageError(
                    _(
                        "%(filename)s row %(line)s: %(key)s should be JSON, or left empty."
                    )
                    % {"filename": filename, "line": line, "key": key}
                ) from None
        elif field and field.type == NUMBER:
            parsed = number(value)
            if parsed is None:
                raise PackageError(
                    _(
                        "%(filename)s row %(line)s: %(key)s “%(value)s” should be a number."
                    )
                    % {
                        "filename": filename,
                        "line": line,
                        "key": key,
                        "value": value[:40],
                    }
                )
            out[key] = parsed
        else:
            out[key] = value
    return out


def assemble(
    raw: dict[str, list[dict]],
) -> tuple[list[dict], list[Unlinked], list[dict]]:
    """Fully nested services from tables of rows (table name -> rows as read),
    the rows that no service reaches, and the taxonomy terms no service uses
    (a vocabulary: they become categories)."""
    rows: dict[str, list[tuple[int, dict]]] = {}
    for table, table_rows in raw.items():
        filename = CSV_FILES.get(table, table + ".csv")
        rows[table] = [
            (line, _typed(row, table, filename, line))
            for line, row in enumerate(table_rows, start=2)
        ]
    by_id = {
        table: {r["id"]: r for _, r in items if isinstance(r.get("id"), str)}
        for table, items in rows.items()
    }
    everything = {i: r for index in by_id.values() for i, r in index.items()}

    # Children lists are filled in place; each parent gets its own copy later.
    children: dict[int, dict[str, list]] = {}
    for table, items in rows.items():
        links = _links(table)
        for _key, row in items:
            for column, (parent, key) in links.items():
                target = by_id.get(parent, {}).get(row.get(column))
                if target is not None:
                    children.setdefault(id(target), {}).setdefault(key, []).append(row)
            # Attributes and metadata point at any record by its id.
            generic = {"attribute": ("link_id", "attributes")}
            generic["metadata"] = ("resource_id", "metadata")
            if table in generic:
                column, key = generic[table]
                target = everything.get(row.get(column))
                if target is not None and target is not row:
                    children.setdefault(id(target), {}).setdefault(key, []).append(row)

    reached: set[int] = set()

    def build(row: dict, table: str, path: tuple[int, ...]) -> dict:
        reached.add(id(row))
        out = dict(row)
        if id(row) in path:  # a loop of ids: stop rather than recurse forever
            return out
        path = (*path, id(row))
        for column, (child, key) in _one_to_one(table).items():
            target = by_id.get(child, {}).get(row.get(column))
            if target is not None and key not in out:
                out[key] = build(target, child, path)
        child_fields = tables().get(table, {})
        for key, items in children.get(id(row), {}).items():
            field = child_fields.get(key)
            child = (
                field.child
                if field
                else ("attribute" if key == "attributes" else "metadata")
            )
            out.setdefault(key, [])
            out[key] = out[key] + [build(item, child, path) for item in items]
        return out

    services = [build(row, "service", ()) for _, row in rows.get("service", [])]
    terms = [
        build(row, "taxonomy_term", ())
        for _, row in rows.get("taxonomy_term", [])
        if id(row) not in reached
    ]
    unlinked = []
    for table, items in rows.items():
        if table in ("taxonomy", "taxonomy_term"):
            continue  # vocabularies: a term no service uses is not data lost
        filename = CSV_FILES.get(table, table + ".csv")
        for line, row in items:
            if id(row) not in reached:
                unlinked.append(Unlinked(filename, line, _why(row, table, by_id)))
    return services, unlinked, terms


def _why(row: dict, table: str, by_id: dict) -> str:
    pointers = {**_links(table), **{"link_id": ("", ""), "resource_id": ("", "")}}
    named = [c for c in pointers if row.get(c)]
    if not named:
        return "it doesn't say which service (or record) it belongs to"
    missing = [
        f"{c} {str(row[c])[:8]}…"
        for c in named
        if not any(str(row[c]) in index for index in by_id.values())
    ]
    if missing:
        return "none of its services or records are in the package (" + (
            ", ".join(missing) + ")"
        )
    return "the records it points at aren't linked to any service"


# --- Writing ---------------------------------------------------------------------


def _cell(value):
    """A value as a cell: numbers stay numbers (so a negative longitude isn't
    taken for a formula); text is made safe by csv_text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def flatten(services: list[dict], extra: dict[str, list[dict]] | None = None):
    """Tables (table -> id -> row) from fully nested services."""
    out: dict[str, dict[str, dict]] = {}

    def visit(obj, table: str, parent: str | None, parent_id) -> None:
        if not isinstance(obj, dict):
            return
        fields = tables().get(table, {})
        row = {}
        for key, value in obj.items():
            field = fields.get(key)
            if field and field.many and isinstance(value, list):
                for item in value:
                    visit(item, field.child, table, obj.get("id"))
            elif field and field.child and isinstance(value, dict):
                visit(value, field.child, table, obj.get("id"))
                column = (
                    "taxonomy_id" if key == "taxonomy_detail" else f"{field.child}_id"
                )
                if value.get("id") and column in fields:
                    row.setdefault(column, value["id"])
            elif key in ("attributes", "metadata") and isinstance(value, list):
                for item in value:
                    visit(item, key.rstrip("s"), table, obj.get("id"))
            else:
                row[key] = value
        if parent and parent_id:
            column = f"{parent}_id"
            if table == "attribute":
                column = "link_id"
            elif table == "metadata":
                column = "resource_id"
            if column in fields and column not in row:
                row[column] = parent_id
        key = str(row.get("id") or f"row-{len(out.get(table, {}))}")
        existing = out.setdefault(table, {}).setdefault(key, {})
        for name, value in row.items():
            existing.setdefault(name, value)

    for service in services:
        visit(service, "service", None, None)
    for table, rows in (extra or {}).items():
        for row in rows:
            visit(row, table, None, None)
    return out


def write_zip(
    services: list[dict], extra: dict[str, list[dict]] | None = None
) -> bytes:
    """The CSV data package as a zip, with a datapackage.json listing its tables."""
    tables_out = flatten(services, extra)
    buffer = io.BytesIO()
    resources = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for table, filename in CSV_FILES.items():
            rows = list(tables_out.get(table, {}).values())
            if not rows and table != "service":
                continue
            known = list(tables().get(table, {}))
            seen = {k for row in rows for k in row}
            columns = [c for c in known if c in seen] + sorted(seen - set(known))
            if not columns:
                columns = [c for c, f in tables()["service"].items() if not f.child]
            cells = ([_cell(row.get(c)) for c in columns] for row in rows)
            zf.writestr(filename, spreadsheets.csv_text(columns, cells))
            resources.append(
                {
                    "name": table,
                    "path": filename,
                    "format": "csv",
                    "mediatype": "text/csv",
                }
            )
        zf.writestr(
            "datapackage.json",
            json.dumps(
                {
                    "name": "hsds",
                    "profile": "tabular-data-package",
                    "resources": resources,
                },
                indent=2,
            ),
        )
    return buffer.getvalue()
