"""Our services as fully nested HSDS 3.0 documents, and as the CSV data package."""

import datetime as dt
import io
import json
import uuid
import zipfile

from django.utils.text import slugify

from peerspace import spreadsheets

from ..models import HSDS_NAMESPACE, Category, Service

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
STATUSES = ["active", "inactive", "defunct", "temporarily closed"]

CATEGORY_TAXONOMY = {
    "id": str(uuid.uuid5(HSDS_NAMESPACE, "taxonomy:life-circumstances")),
    "name": "Life circumstances",
    "description": "What a service can help with, in everyday words.",
}
ACCESS_TAXONOMY = {
    "id": str(uuid.uuid5(HSDS_NAMESPACE, "taxonomy:access")),
    "name": "Access",
    "description": "How to reach a service.",
}
CRISIS_TERM = {
    "id": str(uuid.uuid5(HSDS_NAMESPACE, "flag:crisis")),
    "name": "Emergency or crisis",
    "description": "Help straight away, for someone in crisis.",
}
SELF_REFERRAL_TERM = {
    "id": str(uuid.uuid5(HSDS_NAMESPACE, "flag:self-referral")),
    "name": "Self-referral",
    "description": "People can get in touch themselves; no referral needed.",
}
FLAG_TERMS = {
    CRISIS_TERM["id"]: "is_emergency",
    SELF_REFERRAL_TERM["id"]: "self_referral",
}


def _child_id(parent: uuid.UUID | str, what: str) -> str:
    return str(uuid.uuid5(uuid.UUID(str(parent)), what))


def _iso_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _derived_provider_id(provider_name: str) -> uuid.UUID:
    return uuid.uuid5(
        HSDS_NAMESPACE, "provider:" + " ".join(provider_name.lower().split())
    )


def provider_id(service: Service) -> str:
    return str(service.provider_hsds_id or _derived_provider_id(service.provider_name))


def taxonomy_term(category: Category) -> dict:
    return {
        "id": str(category.hsds_id),
        "name": category.name,
        "description": category.name,
        "taxonomy": CATEGORY_TAXONOMY["name"],
        "taxonomy_id": CATEGORY_TAXONOMY["id"],
        "term": category.slug,
    }


def flag_terms() -> list[dict]:
    return [
        {
            **term,
            "taxonomy": ACCESS_TAXONOMY["name"],
            "taxonomy_id": ACCESS_TAXONOMY["id"],
            "term": slugify(term["name"]),
        }
        for term in (CRISIS_TERM, SELF_REFERRAL_TERM)
    ]


def taxonomies() -> list[dict]:
    return [dict(CATEGORY_TAXONOMY), dict(ACCESS_TAXONOMY)]


def _address_parts(service: Service) -> dict:
    lines = [" ".join(line.split()) for line in service.address.splitlines()]
    lines = [line for line in lines if line]
    parts = {"address_1": "", "city": ""}
    if len(lines) == 1:
        parts["address_1"] = lines[0]
    elif lines:
        parts["address_1"] = lines[0]
        if len(lines) > 2:
            parts["address_2"] = ", ".join(lines[1:-1])
        parts["city"] = lines[-1]
    return parts


def _location(service: Service, with_addresses: bool = True) -> dict:
    location_id = _child_id(service.hsds_id, "location")
    location = {
        "id": location_id,
        "location_type": "physical",
        "name": service.provider_name or service.name,
    }
    if with_addresses:
        location["addresses"] = [
            {
                "id": _child_id(service.hsds_id, "address"),
                "location_id": location_id,
                **_address_parts(service),
                "state_province": "",
                "postal_code": service.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ]
    return location


def has_location(service: Service) -> bool:
    return bool(service.address.strip() or service.postcode.strip())


def service_at_location_id(service: Service) -> str:
    return _child_id(service.hsds_id, "service_at_location")


def _organization(service: Service) -> dict:
    return {
        "id": provider_id(service),
        "name": service.provider_name,
        "description": service.provider_name,
    }


def service_summary(service: Service) -> dict:
    """The one-to-one fields: an item of the /services list."""
    data = {"id": str(service.hsds_id)}
    if service.provider_name:
        data["organization_id"] = provider_id(service)
    data["name"] = service.name
    data["description"] = service.description
    if service.website:
        data["url"] = service.website
    if service.email:
        data["email"] = service.email
    data["status"] = "active" if service.active else "inactive"
    if service.cost:
        data["fees_description"] = service.cost
    if service.who_its_for:
        data["eligibility_description"] = service.who_its_for
    if service.how_to_access:
        data["application_process"] = service.how_to_access
    if service.last_checked:
        data["assured_date"] = service.last_checked.isoformat()
    data["last_modified"] = _iso_datetime(service.last_modified)
    if service.provider_name:
        data["organization"] = _organization(service)
    return data


def service_full(service: Service, with_locations: bool = True) -> dict:
    """The fully nested service. Categories should be prefetched."""
    sid = str(service.hsds_id)
    data = service_summary(service)
    organization = data.pop("organization", None)
    data["schedules"] = (
        [
            {
                "id": _child_id(sid, "schedule"),
                "service_id": sid,
                "description": service.opening_times,
            }
        ]
        if service.opening_times
        else []
    )
    if with_locations:
        data["service_at_locations"] = (
            [
                {
                    "id": service_at_location_id(service),
                    "service_id": sid,
                    "location_id": _child_id(sid, "location"),
                    "location": _location(service),
                }
            ]
            if has_location(service)
            else []
        )
    data["languages"] = [
        {
            "id": _child_id(sid, "language:" + name.lower()),
            "service_id": sid,
            "name": name,
        }
        for name in split_languages(service.languages)
    ]
    data["phones"] = (
        [{"id": _child_id(sid, "phone"), "service_id": sid, "number": service.phone}]
        if service.phone
        else []
    )
    if organization:
        data["organization"] = organization
    terms = [taxonomy_term(c) for c in service.categories.all()]
    flags = flag_terms()
    if service.is_emergency:
        terms.append(flags[0])
    if service.self_referral:
        terms.append(flags[1])
    data["attributes"] = [
        {
            "id": _child_id(sid, "attribute:" + term["id"]),
            "link_id": sid,
            "link_type": "service",
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
        }
        for term in terms
    ]
    return data


def service_at_location_summary(service: Service) -> dict:
    sid = str(service.hsds_id)
    return {
        "id": service_at_location_id(service),
        "service_id": sid,
        "location_id": _child_id(sid, "location"),
        "location": _location(service, with_addresses=False),
        "service": service_summary(service),
    }


def service_at_location_full(service: Service) -> dict:
    sid = str(service.hsds_id)
    return {
        "id": service_at_location_id(service),
        "service_id": sid,
        "location_id": _child_id(sid, "location"),
        "location": _location(service),
        "service": service_full(service, with_locations=False),
    }


def split_languages(text: str) -> list[str]:
    seen, names = set(), []
    for part in text.replace(";", ",").split(","):
        name = " ".join(part.split())
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def export_services(services) -> list[dict]:
    return [service_full(s) for s in services.prefetch_related("categories")]


# The CSV data package: one table per kind of record, as the standard names them.
CSV_TABLES = {
    "services": [
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "fees_description",
        "eligibility_description",
        "application_process",
        "assured_date",
        "last_modified",
    ],
    "organizations": ["id", "name", "description"],
    "locations": ["id", "location_type", "name"],
    "service_at_locations": ["id", "service_id", "location_id"],
    "addresses": [
        "id",
        "location_id",
        "address_1",
        "address_2",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "phones": ["id", "service_id", "number"],
    "schedules": ["id", "service_id", "description"],
    "languages": ["id", "service_id", "name"],
    "taxonomies": ["id", "name", "description"],
    "taxonomy_terms": ["id", "name", "description", "taxonomy", "taxonomy_id", "term"],
    "attributes": ["id", "link_id", "link_type", "taxonomy_term_id"],
}


def csv_package(services: list[dict]) -> bytes:
    """Flatten fully nested services into the HSDS CSV data package (a zip)."""
    tables: dict[str, dict[str, dict]] = {name: {} for name in CSV_TABLES}

    def add(table: str, row: dict) -> None:
        tables[table].setdefault(row["id"], row)

    for tax in taxonomies():
        add("taxonomies", tax)
    for service in services:
        add("services", {k: service.get(k, "") for k in CSV_TABLES["services"]})
        if "organization" in service:
            add("organizations", service["organization"])
        for sal in service.get("service_at_locations", []):
            location = sal["location"]
            add("service_at_locations", sal)
            add("locations", location)
            for address in location.get("addresses", []):
                add("addresses", address)
        for table in ("phones", "schedules", "languages"):
            for row in service.get(table, []):
                add(table, row)
        for attribute in service.get("attributes", []):
            add("attributes", attribute)
            add("taxonomy_terms", attribute["taxonomy_term"])

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        resources = []
        for table, columns in CSV_TABLES.items():
            rows = ([row.get(c, "") for c in columns] for row in tables[table].values())
            zf.writestr(f"{table}.csv", spreadsheets.csv_text(columns, rows))
            resources.append({"name": table, "path": f"{table}.csv", "format": "csv"})
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
    return out.getvalue()
