"""What importing records would do (a dry run), and doing it all or nothing."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst, slugify

from peerspace.accounts.models import Organisation

from ..models import SERVICE_DETAILS, Category, Service
from .export import FLAG_TERMS, STATUSES, _derived_provider_id

COMPARED = [*SERVICE_DETAILS[:2], "provider_hsds_id", *SERVICE_DETAILS[2:]]


@dataclass
class Row:
    """One record of the file and what importing it would do."""

    number: int
    hsds_id: uuid.UUID
    values: dict
    terms: list[dict]
    last_modified: dt.datetime | None
    action: str = ""  # "add", "change" or "skip"
    service: Service | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    organisation: Organisation
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def of(self, action: str) -> list[Row]:
        return [r for r in self.rows if r.action == action]

    @property
    def added(self):
        return self.of("add")

    @property
    def changed(self):
        return self.of("change")

    @property
    def skipped(self):
        return self.of("skip")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError("should be text")


def _list(record: dict, key: str) -> list[dict]:
    value = record.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{key} should be a list")
    return [v for v in value if isinstance(v, dict)]


def _opening_times(record: dict) -> str:
    parts = []
    for schedule in _list(record, "schedules"):
        text = _text(schedule.get("description"))
        if not text:
            hours = "–".join(
                t[:5]
                for t in (
                    _text(schedule.get("opens_at")),
                    _text(schedule.get("closes_at")),
                )
                if t
            )
            text = " ".join(p for p in (_text(schedule.get("byday")), hours) if p)
        if text:
            parts.append(text)
    return "; ".join(parts)


def _address(record: dict) -> tuple[str, str]:
    for sal in _list(record, "service_at_locations"):
        location = sal.get("location")
        if not isinstance(location, dict):
            continue
        addresses = _list(location, "addresses")
        addresses.sort(key=lambda a: a.get("address_type") != "physical")
        for a in addresses:
            lines = [_text(a.get(k)) for k in ("address_1", "address_2", "city")]
            return "\n".join(line for line in lines if line), _text(
                a.get("postal_code")
            ).upper()
    return "", ""


def _cost(record: dict) -> str:
    if _text(record.get("fees_description")):
        return _text(record["fees_description"])
    options = []
    for option in _list(record, "cost_options"):
        amount = option.get("amount")
        words = []
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            words.append(f"£{amount:g}")
        words += [_text(option.get("amount_description")), _text(option.get("option"))]
        text = " ".join(w for w in words[:2] if w)
        if words[2]:
            text = f"{text} ({words[2]})" if text else words[2]
        if text:
            options.append(text)
    return "; ".join(options) or _text(record.get("fees"))


def _phone(record: dict) -> str:
    for phone in _list(record, "phones"):
        if _text(phone.get("number")):
            return _text(phone["number"])
    for contact in _list(record, "contacts"):
        for phone in _list(contact, "phones"):
            if _text(phone.get("number")):
                return _text(phone["number"])
    return ""


def _date(value, what: str) -> dt.date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{what} “{text[:30]}” isn't a date like 2025-03-31") from None


def _datetime(value) -> dt.datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"last_modified “{text[:40]}” isn't a date and time") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def _parse(number: int, record, seen: dict) -> tuple[Row | None, list[str]]:
    if not isinstance(record, dict):
        return None, [f"Record {number} isn't a service (it should be a JSON object)."]
    label = f"Record {number}"
    if isinstance(record.get("name"), str) and record["name"].strip():
        label += f" (“{record['name'].strip()[:60]}”)"
    errors = []
    for key in ("id", "name", "status"):
        if record.get(key) in (None, ""):
            errors.append(f"{label} has no {key}, which every service must have.")
    if errors:
        return None, errors
    try:
        hsds_id = uuid.UUID(str(record["id"]))
    except ValueError:
        return None, [f"{label}: its id “{str(record['id'])[:40]}” isn't a UUID."]
    if hsds_id in seen:
        return None, [
            f"{label}: the id {hsds_id} is used twice in this file "
            f"(records {seen[hsds_id]} and {number}). Each service needs its own id."
        ]
    seen[hsds_id] = number
    if record["status"] not in STATUSES:
        errors.append(
            f"{label}: status “{str(record['status'])[:30]}” should be one of "
            + ", ".join(STATUSES)
            + "."
        )
    try:
        organization = record.get("organization") or {}
        if not isinstance(organization, dict):
            raise ValueError("organization should be an object")
        provider = organization.get("id") or record.get("organization_id")
        address, postcode = _address(record)
        languages = [
            _text(lang.get("name"))
            for lang in _list(record, "languages")
            if _text(lang.get("name"))
        ]
        provider_name = _text(organization.get("name"))
        provider = uuid.UUID(str(provider)) if provider else None
        if provider == _derived_provider_id(provider_name):
            provider = None  # ours, made from the name: no need to keep it
        values = {
            "name": _text(record["name"]),
            "provider_name": provider_name,
            "provider_hsds_id": provider,
            "description": _text(record.get("description")),
            "who_its_for": _text(record.get("eligibility_description")),
            "how_to_access": _text(record.get("application_process")),
            "phone": _phone(record),
            "email": _text(record.get("email")),
            "website": _text(record.get("url")),
            "address": address,
            "postcode": postcode,
            "opening_times": _opening_times(record),
            "languages": ", ".join(languages),
            "cost": _cost(record),
            "last_checked": _date(record.get("assured_date"), "assured_date"),
            "active": record["status"] == "active",
        }
        terms = []
        flags = {"is_emergency": False, "self_referral": False}
        for attribute in _list(record, "attributes"):
            term = attribute.get("taxonomy_term")
            term_id = (term or {}).get("id") if isinstance(term, dict) else None
            term_id = term_id or attribute.get("taxonomy_term_id")
            if str(term_id) in FLAG_TERMS:
                flags[FLAG_TERMS[str(term_id)]] = True
            elif isinstance(term, dict) or term_id:
                terms.append(
                    {
                        "id": str(term_id or ""),
                        **(term if isinstance(term, dict) else {}),
                    }
                )
        values.update(flags)
        last_modified = _datetime(record.get("last_modified"))
    except ValueError as e:
        return None, [*errors, f"{label}: {e}."]
    # The same checks as the form: lengths, email and web address.
    try:
        Service(**values).clean_fields(
            exclude=["organisation", "hsds_id", "last_modified", "search_key"]
        )
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            verbose = capfirst(Service._meta.get_field(name).verbose_name)
            errors += [f"{label}: {verbose}: {m}" for m in messages]
    if errors:
        return None, errors
    return Row(number, hsds_id, values, terms, last_modified), []


def plan_import(organisation: Organisation, records: list) -> ImportPlan:
    """What importing would do, with every error found. Changes nothing."""
    plan = ImportPlan(organisation)
    seen: dict[uuid.UUID, int] = {}
    for number, record in enumerate(records, start=1):
        row, errors = _parse(number, record, seen)
        plan.errors += errors
        if row:
            plan.rows.append(row)
        if len(plan.errors) >= 50:
            plan.errors.append("…and maybe more. Fix these and try again.")
            break
    if plan.errors:
        return plan
    existing = {
        s.hsds_id: s
        for s in Service.objects.filter(
            organisation=organisation, hsds_id__in=[r.hsds_id for r in plan.rows]
        ).prefetch_related("categories")
    }
    categories = _category_lookup(organisation)
    for row in plan.rows:
        wanted = set()
        for term in row.terms:
            name = _text(term.get("name"))
            category = categories.get(term["id"]) or categories.get(name.lower())
            if category is None and name:
                if name not in plan.new_categories:
                    plan.new_categories.append(name)
                wanted.add(name.lower())
            elif category is not None:
                wanted.add(category.name.lower())
        row.values["_categories"] = wanted
        service = existing.get(row.hsds_id)
        row.service = service
        if service is None:
            row.action = "add"
            continue
        row.changes = [
            capfirst(Service._meta.get_field(f).verbose_name)
            for f in COMPARED
            if getattr(service, f) != row.values[f]
        ]
        if {c.name.lower() for c in service.categories.all()} != wanted:
            row.changes.append("categories")
        row.action = "change" if row.changes else "skip"
    return plan


def _category_lookup(organisation: Organisation) -> dict:
    lookup = {}
    for category in Category.objects.filter(organisation=organisation):
        lookup[str(category.hsds_id)] = category
        lookup.setdefault(category.name.lower(), category)
    return lookup


@transaction.atomic
def apply_import(plan: ImportPlan) -> ImportPlan:
    """Add and update everything in the plan, or nothing if anything fails."""
    if not plan.ok:
        raise ValueError("This plan has errors")
    organisation = plan.organisation
    Category.objects.seed(organisation)
    categories = _category_lookup(organisation)
    order = Category.objects.filter(organisation=organisation).count()
    for row in plan.rows:
        for term in row.terms:
            name = _text(term.get("name"))
            if categories.get(term["id"]) or not name or categories.get(name.lower()):
                continue
            try:
                term_uuid = uuid.UUID(term["id"])
            except ValueError:
                term_uuid = uuid.uuid4()
            slug = _free_slug(organisation, slugify(name)[:70] or "category")
            category = Category.objects.create(
                organisation=organisation,
                name=name[:80],
                slug=slug,
                order=order,
                hsds_id=term_uuid
                if not Category.objects.filter(
                    organisation=organisation, hsds_id=term_uuid
                ).exists()
                else uuid.uuid4(),
            )
            order += 1
            categories[term["id"]] = category
            categories[name.lower()] = category
    by_name = {
        c.name.lower(): c for c in Category.objects.filter(organisation=organisation)
    }
    now = timezone.now()
    for row in plan.rows:
        if row.action == "skip":
            continue
        values = {k: v for k, v in row.values.items() if k != "_categories"}
        service = row.service or Service(organisation=organisation, hsds_id=row.hsds_id)
        for name, value in values.items():
            setattr(service, name, value)
        service.last_modified = row.last_modified or now
        service.save()
        chosen = [by_name[n] for n in row.values["_categories"] if n in by_name]
        service.categories.set(chosen)
        service.refresh_search_key([c.name for c in chosen])
    return plan


def _free_slug(organisation: Organisation, slug: str) -> str:
    candidate, n = slug, 2
    while Category.objects.filter(organisation=organisation, slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate
