"""What HSDS says about each object: its fields, their types, its children, and
the name of its file in the CSV data package.

Read from the specification's own field summary (standards/hsds/schema.csv), so
the import, the CSV package and the strict schemas the tests use all agree.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SCHEMA_CSV = Path(__file__).resolve().parents[1] / "standards" / "hsds" / "schema.csv"

# The file of each table in the standard's CSV data package, as its published
# example names them (services.csv but service_at_location.csv).
CSV_FILES = {
    "service": "services.csv",
    "organization": "organizations.csv",
    "program": "programs.csv",
    "location": "locations.csv",
    "address": "addresses.csv",
    "service_at_location": "service_at_location.csv",
    "phone": "phones.csv",
    "schedule": "schedules.csv",
    "language": "languages.csv",
    "cost_option": "cost_options.csv",
    "contact": "contacts.csv",
    "attribute": "attributes.csv",
    "taxonomy_term": "taxonomy_terms.csv",
    "taxonomy": "taxonomy.csv",
    "funding": "funding.csv",
    "required_document": "required_documents.csv",
    "service_area": "service_areas.csv",
    "accessibility": "accessibility.csv",
    "organization_identifier": "organization_identifiers.csv",
    "metadata": "metadata.csv",
    "url": "url.csv",
    "service_capacity": "service_capacity.csv",
    "unit": "units.csv",
    "meta_table_description": "meta_table_descriptions.csv",
}

# Publishers (and older Peerspace exports) use singular and plural names alike.
_EXTRA_NAMES = {
    "taxonomies": "taxonomy",
    "accessibilities": "accessibility",
    "accessibility_for_disabilities": "accessibility",
    "fundings": "funding",
    "services_at_location": "service_at_location",
    "services_at_locations": "service_at_location",
    "urls": "url",
    "service_capacities": "service_capacity",
}

NUMBER = "number"
MAX_DEPTH = 24  # HSDS nests about eight deep; anything far deeper is not HSDS


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "string", "number", "array", or "" for one nested object
    required: bool
    format: str
    child: str  # the table of a nested object or of each item of an array
    enum: tuple[str, ...]

    @property
    def many(self) -> bool:
        return bool(self.child) and self.type == "array"


@cache
def tables() -> dict[str, dict[str, Field]]:
    result: dict[str, dict[str, Field]] = {}
    with SCHEMA_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            table, name = row["table_name"], row["name"]
            child = (row["one_to_many"] or row["one_to_one"]).removesuffix(".json")
            if row["one_to_one"] and table == "taxonomy_term":
                name = "taxonomy_detail"  # what the JSON calls it
            name = name or child  # service_capacity's unit has no name in the list
            result.setdefault(table, {})[name] = Field(
                name=name,
                type=row["type"],
                required=row["constraints_required"] == "true",
                format=row["format"],
                child=child,
                enum=tuple(e for e in row["enum"].split(",") if e),
            )
    return result


@cache
def table_for_file(filename: str) -> str | None:
    """The table a CSV file holds, whatever the publisher called it."""
    stem = filename.rsplit("/", 1)[-1].lower().removesuffix(".csv")
    if stem in _EXTRA_NAMES:
        return _EXTRA_NAMES[stem]
    for table, name in CSV_FILES.items():
        if stem in (table, name.removesuffix(".csv"), table + "s", table + "es"):
            return table
    return None


_NUMBER_RE = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d{1,3})?")
MAX_NUMBER_DIGITS = 30


def number(value) -> int | float | None:
    """A number from JSON or a CSV cell; None when it isn't one (or is absurd)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if abs(value) < 10**MAX_NUMBER_DIGITS else None
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= MAX_NUMBER_DIGITS and _NUMBER_RE.fullmatch(text):
            return float(text) if any(c in text for c in ".eE") else int(text)
    return None


def type_problems(value, table: str, path: str = "", depth: int = 0) -> list[str]:
    """Each value of the wrong type in an object, named by where it is."""
    if depth > MAX_DEPTH:
        return [f"{path or 'it'} is nested far too deeply to be HSDS"]
    if not isinstance(value, dict):
        return [f"{path or 'it'} should be an object"]
    problems = []
    fields = tables().get(table, {})
    for key, item in value.items():
        field = fields.get(key)
        where = f"{path}.{key}" if path else key
        if field is None or item is None:
            continue  # the standard allows extensions; they are kept as they came
        if field.many:
            if not isinstance(item, list):
                problems.append(f"{where} should be a list")
                continue
            for i, element in enumerate(item, start=1):
                problems += type_problems(
                    element, field.child, f"{where}[{i}]", depth + 1
                )
        elif field.child:
            problems += type_problems(item, field.child, where, depth + 1)
        elif field.type == NUMBER and number(item) is None:
            problems.append(f"{where} “{_short(item)}” should be a number")
        elif field.type == "string" and not isinstance(item, str | int | float):
            problems.append(f"{where} should be text")
    return problems


def _short(value) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    return text[:40] + ("…" if len(text) > 40 else "")


def strict_schema(table: str) -> dict:
    """A JSON Schema for one object, closed to properties the standard doesn't
    define (as the standard's own checks of its examples are)."""
    definitions = {}
    for name, fields in tables().items():
        properties = {}
        for field in fields.values():
            if field.many:
                prop = {"type": "array", "items": {"$ref": f"#/$defs/{field.child}"}}
            elif field.child:
                prop = {"$ref": f"#/$defs/{field.child}"}
            else:
                prop = {"type": field.type or "string"}
                if field.format:
                    prop["format"] = field.format
                if field.enum:
                    prop["enum"] = list(field.enum)
            properties[field.name] = prop
        # The API's compiled schemas nest the service in a service_at_location
        # and the services in an organization.
        if name == "service_at_location":
            properties["service"] = {"$ref": "#/$defs/service"}
        if name == "organization":
            properties["services"] = {
                "type": "array",
                "items": {"$ref": "#/$defs/service"},
            }
        definitions[name] = {
            "type": "object",
            "properties": properties,
            "required": [f.name for f in fields.values() if f.required],
            "additionalProperties": False,
        }
    return {"$ref": f"#/$defs/{table}", "$defs": definitions}
