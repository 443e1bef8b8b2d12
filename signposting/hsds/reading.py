"""Reading the details Peerspace shows from an HSDS service record.

`read_service` is a pure function of the record: the import stores what it read
(the baseline), so later a detail that differs from it is known to have been
edited here, and the export puts just those edits back into the record.
"""

import datetime as dt
import uuid
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.encoding import uri_to_iri

from ..models import Service
from .schema import number

# Where each detail comes from in a record: a list page that leaves all of these
# keys out doesn't carry that detail, and so can't blank it.
SOURCES = {
    "name": ("name",),
    "provider_name": ("organization",),
    "provider_hsds_id": ("organization", "organization_id"),
    "description": ("description",),
    "who_its_for": ("eligibility_description",),
    "how_to_access": ("application_process",),
    "phone": ("phones", "contacts"),
    "email": ("email",),
    "website": ("url",),
    "address": ("service_at_locations",),
    "postcode": ("service_at_locations",),
    "latitude": ("service_at_locations",),
    "longitude": ("service_at_locations",),
    "opening_times": ("schedules",),
    "languages": ("languages",),
    "cost": ("fees_description", "cost_options", "fees"),
    "minimum_age": ("minimum_age",),
    "maximum_age": ("maximum_age",),
    "last_checked": ("assured_date",),
    "active": ("status",),
    "is_emergency": ("attributes",),
    "self_referral": ("attributes",),
    "categories": ("attributes",),
}
TRACKED = list(SOURCES)


def readable_uri(url: str) -> str:
    """A web address as people type it: the export's IDNA-encoded host
    (xn--teaandmemoriescaf-rtb.example.org) read back as teaandmemoriescafé."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if "xn--" not in host:
            return url
        readable = host.encode("ascii").decode("idna")
        return uri_to_iri(url.replace(host, readable, 1))
    except (UnicodeError, ValueError):
        return url


def carried(record: dict) -> set[str]:
    return {f for f, keys in SOURCES.items() if any(k in record for k in keys)}


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError("should be text")


def items(record: dict, key: str) -> list[dict]:
    value = record.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{key} should be a list")
    return [v for v in value if isinstance(v, dict)]


def opening_times(record: dict) -> str:
    parts = []
    for schedule in items(record, "schedules"):
        words = text(schedule.get("description"))
        if not words:
            hours = "–".join(
                t[:5]
                for t in (
                    text(schedule.get("opens_at")),
                    text(schedule.get("closes_at")),
                )
                if t
            )
            words = " ".join(p for p in (text(schedule.get("byday")), hours) if p)
        if words:
            parts.append(words)
    return "; ".join(parts)


def address_slot(record: dict) -> tuple[dict | None, dict | None]:
    """The location and address the service's address is read from (and an edit
    is written back to): the first location, its physical address first."""
    for sal in items(record, "service_at_locations"):
        location = sal.get("location")
        if not isinstance(location, dict):
            continue
        addresses = items(location, "addresses")
        addresses.sort(key=lambda a: a.get("address_type") != "physical")
        return location, (addresses[0] if addresses else None)
    return None, None


def _coordinate(value, limit: int) -> float | None:
    parsed = number(value)
    if parsed is None or not -limit <= parsed <= limit:
        return None  # kept in the record as it came, but not usable for distance
    return float(parsed)


def phone_slot(record: dict) -> dict | None:
    for phone in items(record, "phones"):
        if text(phone.get("number")):
            return phone
    for contact in items(record, "contacts"):
        for phone in items(contact, "phones"):
            if text(phone.get("number")):
                return phone
    return None


def cost(record: dict) -> str:
    if text(record.get("fees_description")):
        return text(record["fees_description"])
    options = []
    for option in items(record, "cost_options"):
        amount = number(option.get("amount"))
        words = [f"£{amount:g}" if amount is not None else ""]
        words += [text(option.get("amount_description")), text(option.get("option"))]
        line = " ".join(w for w in words[:2] if w)
        if words[2]:
            line = f"{line} ({words[2]})" if line else words[2]
        if line:
            options.append(line)
    return "; ".join(options) or text(record.get("fees"))


def _age(value) -> int | None:
    parsed = number(value)
    if parsed is None or parsed != int(parsed) or not 0 <= parsed <= 150:
        return None
    return int(parsed)


def _date(value, what: str) -> dt.date | None:
    words = text(value)
    if not words:
        return None
    try:
        return dt.date.fromisoformat(words[:10])
    except ValueError:
        raise ValueError(
            f"{what} “{words[:30]}” isn't a date like 2025-03-31"
        ) from None


def last_modified(value) -> dt.datetime | None:
    words = text(value)
    if not words:
        return None
    try:
        parsed = dt.datetime.fromisoformat(words)
    except ValueError:
        raise ValueError(
            f"last_modified “{words[:40]}” isn't a date and time"
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def term_id(attribute: dict) -> str:
    term = attribute.get("taxonomy_term")
    found = term.get("id") if isinstance(term, dict) else None
    return str(found or attribute.get("taxonomy_term_id") or "")


def read_service(record: dict, flag_terms: dict[str, str]) -> tuple[dict, list[dict]]:
    """The details and taxonomy terms of a record. Raises ValueError for a value
    that can't be read."""
    from .export import derived_provider_id

    organization = record.get("organization") or {}
    if not isinstance(organization, dict):
        raise ValueError("organization should be an object")
    provider_name = text(organization.get("name"))
    provider = organization.get("id") or record.get("organization_id")
    try:
        provider = uuid.UUID(str(provider)) if provider else None
    except ValueError:
        raise ValueError(
            f"the organisation id “{str(provider)[:40]}” isn't a UUID"
        ) from None
    if provider == derived_provider_id(provider_name):
        provider = None  # ours, made from the name: no need to keep it
    location, address = address_slot(record)
    lines = [text((address or {}).get(k)) for k in ("address_1", "address_2", "city")]
    values = {
        "name": " ".join(text(record.get("name")).split()),
        "provider_name": provider_name,
        "provider_hsds_id": provider,
        "description": text(record.get("description")),
        "who_its_for": text(record.get("eligibility_description")),
        "how_to_access": text(record.get("application_process")),
        "phone": text((phone_slot(record) or {}).get("number")),
        "email": text(record.get("email")),
        "website": readable_uri(text(record.get("url"))),
        "address": "\n".join(line for line in lines if line),
        "postcode": text((address or {}).get("postal_code")).upper(),
        "latitude": _coordinate((location or {}).get("latitude"), 90),
        "longitude": _coordinate((location or {}).get("longitude"), 180),
        "opening_times": opening_times(record),
        "languages": ", ".join(
            text(lang.get("name"))
            for lang in items(record, "languages")
            if text(lang.get("name"))
        ),
        "cost": cost(record),
        "minimum_age": _age(record.get("minimum_age")),
        "maximum_age": _age(record.get("maximum_age")),
        "last_checked": _date(record.get("assured_date"), "assured_date"),
        "active": record.get("status") == "active",
        "is_emergency": False,
        "self_referral": False,
    }
    terms = []
    for attribute in items(record, "attributes"):
        found = term_id(attribute)
        term = attribute.get("taxonomy_term")
        if found in flag_terms:
            values[flag_terms[found]] = True
        elif isinstance(term, dict) or found:
            terms.append({**(term if isinstance(term, dict) else {}), "id": found})
    return values, terms


def plain(value):
    """A detail as stored in the baseline (JSON)."""
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    if isinstance(value, set | list | tuple):
        return sorted(value)
    return value


def current(service: Service, field: str):
    if field == "categories":
        return sorted(c.name.lower() for c in service.categories.all())
    return plain(getattr(service, field))


def edited_here(service: Service) -> set[str]:
    """The details a coordinator has changed since they were imported."""
    baseline = service.hsds_baseline or {}
    return {f for f in TRACKED if f in baseline and current(service, f) != baseline[f]}


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _summary(value) -> str:
    if isinstance(value, dict):
        return text(value.get("name")) or text(value.get("id")) or "details"
    if isinstance(value, list):
        named = [text(v.get("name")) for v in value if isinstance(v, dict)]
        named = [n for n in named if n]
        return "; ".join(named[:5]) if named else f"{len(value)} given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return text(value)


def carried_details(service: Service) -> list[tuple[str, str]]:
    """What the imported record holds that Peerspace has no place for, in words:
    kept as it came and sent back out in exports."""
    from .importer import _shown

    record = service.hsds_record or {}
    found = []
    for key, value in record.items():
        if _shown(key) or value in ("", None, [], {}):
            continue
        found.append((_words(key), _summary(value)))
    return found
