"""Our services as fully nested HSDS 3.0 documents, and as the CSV data package."""

import copy
import datetime as dt
import re
import uuid
from urllib.parse import urlsplit, urlunsplit

from django.utils.encoding import iri_to_uri

from ..models import HSDS_NAMESPACE, Category, Service
from .package import write_zip
from .reading import address_slot, edited_here, phone_slot, term_id

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


def child_id(parent: uuid.UUID | str, what: str) -> str:
    return str(uuid.uuid5(uuid.UUID(str(parent)), what))


def _iso_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def derived_provider_id(provider_name: str) -> uuid.UUID:
    return uuid.uuid5(
        HSDS_NAMESPACE, "provider:" + " ".join(provider_name.lower().split())
    )


def provider_id(service: Service) -> str:
    return str(service.provider_hsds_id or derived_provider_id(service.provider_name))


def idna_uri(url: str) -> str:
    """A web address as the uri format wants it: the host IDNA-encoded
    (teaandmemoriescafé.example.org is xn--teaandmemoriescaf-...), the rest
    percent-encoded."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").encode("idna").decode("ascii")
        port = f":{parts.port}" if parts.port else ""
    except (UnicodeError, ValueError):
        return iri_to_uri(url)
    user = ""
    if parts.username:
        user = parts.username + (f":{parts.password}" if parts.password else "") + "@"
    return iri_to_uri(
        urlunsplit(
            (parts.scheme, user + host + port, parts.path, parts.query, parts.fragment)
        )
    )


def taxonomy_term(category: Category) -> dict:
    """A category as a taxonomy term: the term it came as, if it was imported,
    with its name as it is here."""
    data = dict(category.hsds_record or {})
    data.update({"id": str(category.hsds_id), "name": category.name})
    data.setdefault("description", category.name)
    if not category.hsds_record:
        data["taxonomy"] = CATEGORY_TAXONOMY["name"]
        data["taxonomy_id"] = CATEGORY_TAXONOMY["id"]
        data["taxonomy_detail"] = dict(CATEGORY_TAXONOMY)
    data.pop("term", None)  # not an HSDS 3 property
    return data


def flag_terms() -> list[dict]:
    return [
        {
            **term,
            "taxonomy": ACCESS_TAXONOMY["name"],
            "taxonomy_id": ACCESS_TAXONOMY["id"],
            "taxonomy_detail": dict(ACCESS_TAXONOMY),
        }
        for term in (CRISIS_TERM, SELF_REFERRAL_TERM)
    ]


def taxonomies() -> list[dict]:
    return [dict(CATEGORY_TAXONOMY), dict(ACCESS_TAXONOMY)]


# Postcode areas wholly or mostly in each nation other than England; the
# districts that cross a border are listed on their own. Offline, no lookup.
_NATION_AREAS = {
    "Scotland": "AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE",
    "Wales": "CF LD LL NP SA",
    "Northern Ireland": "BT",
    "Isle of Man": "IM",
    "Guernsey": "GY",
    "Jersey": "JE",
}
_NATION_DISTRICTS = {
    "Wales": "CH5 CH6 CH7 CH8 SY15 SY16 SY17 SY18 SY19 SY20 SY21 SY22 SY23 SY24 SY25",
    "England": "TD15",
}


def uk_nation(postcode: str) -> str:
    """The nation a UK postcode is in (what HSDS's state_province holds for a UK
    address), or "" when it isn't a postcode."""
    match = re.match(
        r"([A-Z]{1,2})(\d[A-Z\d]?)\s*\d[A-Z]{2}$", postcode.strip().upper()
    )
    if not match:
        return ""
    district = match[1] + match[2]
    for nation, districts in _NATION_DISTRICTS.items():
        if district in districts.split():
            return nation
    for nation, areas in _NATION_AREAS.items():
        if match[1] in areas.split():
            return nation
    return "England"


def address_parts(address: str, postcode: str) -> dict:
    lines = [" ".join(line.split()) for line in address.splitlines()]
    lines = [line for line in lines if line]
    parts = {"address_1": lines[0] if lines else "", "city": ""}
    if len(lines) > 2:
        parts["address_2"] = ", ".join(lines[1:-1])
    if len(lines) > 1:
        parts["city"] = lines[-1]
    parts["postal_code"] = postcode
    if uk_nation(postcode):
        parts["state_province"] = uk_nation(postcode)
    return parts


def _location(service: Service, with_addresses: bool = True) -> dict:
    location_id = child_id(service.hsds_id, "location")
    location = {
        "id": location_id,
        "location_type": "physical",
        "name": service.provider_name or service.name,
    }
    if service.latitude is not None and service.longitude is not None:
        location["latitude"] = service.latitude
        location["longitude"] = service.longitude
    if with_addresses:
        location["addresses"] = [_address(service, location_id)]
    return location


def _address(service: Service, location_id: str) -> dict:
    return {
        "id": child_id(service.hsds_id, "address"),
        "location_id": location_id,
        **address_parts(service.address, service.postcode),
        "country": "GB",
        "address_type": "physical",
    }


def has_location(service: Service) -> bool:
    if service.hsds_record:
        return bool(service_full(service).get("service_at_locations"))
    return bool(service.address.strip() or service.postcode.strip())


def service_at_location_id(service: Service) -> str:
    if service.hsds_record:
        sals = service_full(service).get("service_at_locations") or [{}]
        return str(sals[0].get("id", ""))
    return child_id(service.hsds_id, "service_at_location")


def _organization(service: Service) -> dict:
    return {
        "id": provider_id(service),
        "name": service.provider_name,
        "description": service.provider_name,
    }


def _one_to_one(record: dict) -> dict:
    return {k: v for k, v in record.items() if not isinstance(v, list | dict)}


def service_summary(service: Service) -> dict:
    """The one-to-one fields: an item of the /services list."""
    if service.hsds_record:
        full = service_full(service)
        data = _one_to_one(full)
        for key in ("organization", "program"):
            if isinstance(full.get(key), dict):
                data[key] = _one_to_one(full[key])
        return data
    data = {"id": str(service.hsds_id)}
    if service.provider_name:
        data["organization_id"] = provider_id(service)
    data["name"] = service.name
    if service.description:
        data["description"] = service.description
    if service.website:
        data["url"] = idna_uri(service.website)
    if service.email:
        data["email"] = service.email
    data["status"] = "active" if service.active else "inactive"
    if service.cost:
        data["fees_description"] = service.cost
    if service.who_its_for:
        data["eligibility_description"] = service.who_its_for
    if service.how_to_access:
        data["application_process"] = service.how_to_access
    for age in ("minimum_age", "maximum_age"):
        if getattr(service, age) is not None:
            data[age] = getattr(service, age)
    if service.last_checked:
        data["assured_date"] = service.last_checked.isoformat()
    data["last_modified"] = _iso_datetime(service.last_modified)
    if service.provider_name:
        data["organization"] = _organization(service)
    return data


def _schedules(service: Service, sid: str) -> list[dict]:
    if not service.opening_times:
        return []
    return [
        {
            "id": child_id(sid, "schedule"),
            "service_id": sid,
            "description": service.opening_times,
        }
    ]


def _language(sid: str, name: str) -> dict:
    return {
        "id": child_id(sid, "language:" + name.lower()),
        "service_id": sid,
        "name": name,
    }


def _phone(sid: str, number: str) -> dict:
    return {"id": child_id(sid, "phone"), "service_id": sid, "number": number}


def _sal(service: Service, sid: str) -> dict:
    return {
        "id": child_id(sid, "service_at_location"),
        "service_id": sid,
        "location_id": child_id(sid, "location"),
        "location": _location(service),
    }


def _attribute(sid: str, term: dict) -> dict:
    return {
        "id": child_id(sid, "attribute:" + term["id"]),
        "link_id": sid,
        "link_type": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def _terms(service: Service) -> list[dict]:
    terms = [taxonomy_term(c) for c in service.categories.all()]
    flags = flag_terms()
    if service.is_emergency:
        terms.append(flags[0])
    if service.self_referral:
        terms.append(flags[1])
    return terms


def service_full(service: Service, with_locations: bool = True) -> dict:
    """The fully nested service. Categories should be prefetched. An imported
    service is its record as it came, with the details edited here put in."""
    if service.hsds_record:
        data = copy.deepcopy(service.hsds_record)
        edited = edited_here(service)
        if edited:
            apply_edits(data, service, edited)
        if not with_locations:
            data.pop("service_at_locations", None)
        return data
    sid = str(service.hsds_id)
    data = service_summary(service)
    organization = data.pop("organization", None)
    children = {
        "schedules": _schedules(service, sid),
        "service_at_locations": [_sal(service, sid)]
        if with_locations and has_location(service)
        else [],
        "languages": [_language(sid, n) for n in split_languages(service.languages)],
        "phones": [_phone(sid, service.phone)] if service.phone else [],
    }
    # Empty optional fields are left out, as the UK profile asks.
    data.update({k: v for k, v in children.items() if v})
    if organization:
        data["organization"] = organization
    attributes = [_attribute(sid, term) for term in _terms(service)]
    if attributes:
        data["attributes"] = attributes
    return data


def service_at_location_summary(service: Service) -> dict:
    full = service_at_location_full(service)
    location = full.get("location")
    if isinstance(location, dict):
        full["location"] = _one_to_one(location)
    full["service"] = service_summary(service)
    return _one_to_one(full) | {
        k: full[k] for k in ("location", "service") if k in full
    }


def service_at_location_full(service: Service) -> dict:
    full = service_full(service)
    sal = dict((full.get("service_at_locations") or [{}])[0])
    sal.setdefault("service_id", full["id"])
    return {**sal, "service": service_full(service, with_locations=False)}


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


def csv_package(services: list[dict]) -> bytes:
    """Fully nested services as the HSDS CSV data package (a zip)."""
    return write_zip(services)


# --- Edits made here, put into an imported record ---------------------------------


def _set(data: dict, key: str, value) -> None:
    if value in ("", None):
        data.pop(key, None)
    else:
        data[key] = value


def apply_edits(data: dict, service: Service, edited: set[str]) -> None:
    sid = str(service.hsds_id)
    simple = {
        "name": "name",
        "description": "description",
        "who_its_for": "eligibility_description",
        "how_to_access": "application_process",
        "email": "email",
        "cost": "fees_description",
        "minimum_age": "minimum_age",
        "maximum_age": "maximum_age",
    }
    for name, key in simple.items():
        if name in edited:
            _set(data, key, getattr(service, name))
    if "website" in edited:
        _set(data, "url", idna_uri(service.website) if service.website else "")
    if "last_checked" in edited:
        _set(
            data,
            "assured_date",
            service.last_checked and service.last_checked.isoformat(),
        )
    if "active" in edited:
        was = data.get("status")
        data["status"] = (
            "active"
            if service.active
            else (was if was not in (None, "active") else "inactive")
        )
    if "provider_name" in edited:
        organization = data.setdefault("organization", _organization(service))
        if isinstance(organization, dict):
            organization["name"] = service.provider_name
    if "phone" in edited:
        _edit_phone(data, service, sid)
    if edited & {"address", "postcode", "latitude", "longitude"}:
        _edit_location(data, service, sid, edited)
    if "opening_times" in edited:
        schedules = [s for s in data.get("schedules") or [] if isinstance(s, dict)]
        if schedules:
            _set(schedules[0], "description", service.opening_times)
        elif service.opening_times:
            data["schedules"] = _schedules(service, sid)
    if "languages" in edited:
        held = {
            str(lang.get("name", "")).strip().lower(): lang
            for lang in data.get("languages") or []
            if isinstance(lang, dict)
        }
        data["languages"] = [
            held.get(n.lower()) or _language(sid, n)
            for n in split_languages(service.languages)
        ]
    if edited & {"categories", "is_emergency", "self_referral"}:
        _edit_attributes(data, service, sid, edited)
    data["last_modified"] = _iso_datetime(service.last_modified)


def _edit_phone(data: dict, service: Service, sid: str) -> None:
    slot = phone_slot(data)
    if slot is not None and service.phone:
        slot["number"] = service.phone
    elif slot is not None:
        for holder in [
            data,
            *(c for c in data.get("contacts") or [] if isinstance(c, dict)),
        ]:
            if isinstance(holder.get("phones"), list) and slot in holder["phones"]:
                holder["phones"].remove(slot)
    elif service.phone:
        data["phones"] = [*(data.get("phones") or []), _phone(sid, service.phone)]


def _edit_location(data: dict, service: Service, sid: str, edited: set[str]) -> None:
    location, address = address_slot(data)
    if location is None:
        if has_location(service) or service.latitude is not None:
            data["service_at_locations"] = [
                *(data.get("service_at_locations") or []),
                _sal(service, sid),
            ]
        return
    if edited & {"latitude", "longitude"}:
        _set(location, "latitude", service.latitude)
        _set(location, "longitude", service.longitude)
    if edited & {"address", "postcode"}:
        if address is None:
            location["addresses"] = [_address(service, str(location.get("id", "")))]
            return
        for key in ("address_1", "address_2", "city"):
            address.pop(key, None)
        parts = address_parts(service.address, service.postcode)
        if "state_province" in address and "postcode" not in edited:
            parts.pop("state_province", None)
        address.update(parts)


def _edit_attributes(data: dict, service: Service, sid: str, edited: set[str]) -> None:
    """Keep the attributes whose term is still chosen (as they came), drop the
    rest, add ours for what was chosen here."""
    categories = list(service.categories.all())
    ids = {str(c.hsds_id) for c in categories}
    names = {c.name.lower() for c in categories}
    flags = {f: getattr(service, f) for f in FLAG_TERMS.values()}
    kept, have = [], set()
    for attribute in data.get("attributes") or []:
        if not isinstance(attribute, dict):
            kept.append(attribute)
            continue
        found = term_id(attribute)
        term = attribute.get("taxonomy_term")
        name = str(term.get("name", "")).lower() if isinstance(term, dict) else ""
        if found in FLAG_TERMS:
            keep = flags[FLAG_TERMS[found]] or FLAG_TERMS[found] not in edited
        else:
            keep = "categories" not in edited or found in ids or name in names
        if keep:
            kept.append(attribute)
            have |= {found, name}
    for term in _terms(service):
        if term["id"] not in have and term["name"].lower() not in have:
            kept.append(_attribute(sid, term))
    data["attributes"] = kept
