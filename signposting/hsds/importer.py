"""What importing records would do (a dry run), and doing it all or nothing.

Each service keeps the whole record it came from. A detail a coordinator has
edited here is never overwritten by an import: the preview says the directory
has something else, and the edit stays.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from peerspace.accounts.models import Organisation

from ..models import Category, Feed, Service
from .export import FLAG_TERMS, STATUSES
from .reading import (
    TRACKED,
    carried,
    current,
    edited_here,
    last_modified,
    plain,
    read_service,
    text,
)
from .schema import type_problems
from .shapes import Batch

MAX_ERRORS = 50


def label(field_name: str) -> str:
    if field_name == "categories":
        return _("Categories")
    return str(capfirst(Service._meta.get_field(field_name).verbose_name))


@dataclass
class Row:
    """One record of the file and what importing it would do."""

    number: int
    hsds_id: uuid.UUID
    record: dict  # as it came (a summary, for a list page)
    values: dict
    terms: list[dict]
    last_modified: dt.datetime | None
    action: str = ""  # "add", "change" or "skip"
    service: Service | None = None
    merged: dict = field(default_factory=dict)  # the record to keep
    carried: set[str] = field(default_factory=set)
    changes: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)
    wanted: set[str] = field(default_factory=set)  # category names, lower case
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    organisation: Organisation
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)
    # Details kept as they came though Peerspace has no place to show them.
    kept_as_they_came: list[str] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    feed: Feed | None = None
    vanished: list[Service] = field(default_factory=list)

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

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.new_categories or self.vanished)


def _label(number: int, record: dict) -> str:
    name = record.get("name")
    if isinstance(name, str) and name.strip():
        return _("Record %(number)s (“%(name)s”)") % {
            "number": number,
            "name": name.strip()[:60],
        }
    return _("Record %(number)s") % {"number": number}


def _parse(number: int, record, seen: dict, partial: bool) -> tuple[Row | None, list]:
    if not isinstance(record, dict):
        return None, [
            _("Record %(number)s isn't a service (it should be a JSON object).")
            % {"number": number}
        ]
    where = _label(number, record)
    required = ("id",) if partial else ("id", "name", "status")
    errors = [
        _("%(where)s has no %(key)s, which every service must have.")
        % {"where": where, "key": key}
        for key in required
        if record.get(key) in (None, "")
    ]
    if errors:
        return None, errors
    try:
        hsds_id = uuid.UUID(str(record["id"]))
    except ValueError:
        return None, [
            _("%(where)s: its id “%(id)s” isn't a UUID.")
            % {"where": where, "id": str(record["id"])[:40]}
        ]
    if hsds_id in seen:
        return None, [
            _(
                "%(where)s: the id %(id)s is used twice in this file (records "
                "%(first)s and %(number)s). Each service needs its own id."
            )
            % {"where": where, "id": hsds_id, "first": seen[hsds_id], "number": number}
        ]
    seen[hsds_id] = number
    if "status" in record and record["status"] not in STATUSES:
        errors.append(
            _("%(where)s: status “%(status)s” should be one of %(statuses)s.")
            % {
                "where": where,
                "status": str(record["status"])[:30],
                "statuses": ", ".join(STATUSES),
            }
        )
    errors += [f"{where}: {p}." for p in type_problems(record, "service")[:10]]
    if errors:
        return None, errors
    try:
        values, terms = read_service(record, FLAG_TERMS)
        modified = last_modified(record.get("last_modified"))
    except ValueError as e:
        return None, [f"{where}: {e}."]
    row = Row(number, hsds_id, record, values, terms, modified)
    row.carried = set(TRACKED) if not partial else carried(record)
    row.notes = _fit(where, values, row.carried)
    errors = _field_errors(where, values, row.carried)
    return (None, errors) if errors else (row, [])


def _fit(where: str, values: dict, fields: set[str]) -> list[str]:
    """Shorten what's too long to show here (the record keeps it whole)."""
    notes = []
    for name in fields - {"name", "categories"}:
        limit = getattr(Service._meta.get_field(name), "max_length", None)
        value = values.get(name)
        if limit and isinstance(value, str) and len(value) > limit:
            values[name] = value[: limit - 1] + "…"
            notes.append(
                _(
                    "%(where)s: %(field)s is longer than we can show (%(count)s "
                    "characters). It's kept in full and exported as it came."
                )
                % {"where": where, "field": label(name), "count": f"{len(value):,}"}
            )
    return notes


def _field_errors(where: str, values: dict, fields: set[str]) -> list[str]:
    """The same checks as the form: lengths, email, web address, ages."""
    names = [f for f in fields if f != "categories"]
    try:
        Service(**{f: values[f] for f in names}).clean_fields(
            exclude=[f.name for f in Service._meta.fields if f.name not in names]
        )
    except ValidationError as e:
        return [
            f"{where}: {label(name)}: {m}"
            for name, messages in e.message_dict.items()
            for m in messages
        ]
    return []


def _merge_record(old: dict, new: dict, batch: Batch) -> dict:
    merged = {**old, **new} if batch.partial else dict(new)
    for key in batch.merge_by_id:
        if key not in new or not isinstance(old.get(key), list):
            continue
        incoming = {str(i.get("id")): i for i in new[key] if isinstance(i, dict)}
        kept = [
            incoming.pop(str(i.get("id")), i) if isinstance(i, dict) else i
            for i in old[key]
        ]
        merged[key] = kept + list(incoming.values())
    return merged


def _location_records(organisation: Organisation, batch: Batch) -> list:
    """A location document updates the held services that are at it."""
    records, errors = [], []
    held = Service.objects.filter(organisation=organisation).exclude(hsds_record={})
    for location in batch.locations:
        found = False
        for service in held:
            sals = service.hsds_record.get("service_at_locations")
            if not isinstance(sals, list):
                continue
            updated = [
                {**sal, "location": {**sal["location"], **location}}
                if isinstance(sal, dict)
                and isinstance(sal.get("location"), dict)
                and sal["location"].get("id") == location.get("id")
                else sal
                for sal in sals
            ]
            if updated != sals:
                found = True
                records.append(
                    {"id": str(service.hsds_id), "service_at_locations": updated}
                )
        if not found:
            name = location.get("name")
            errors.append(
                _(
                    "The location “%(name)s” isn't where any of your imported "
                    "services are, so there's nothing to update. Import the "
                    "services first."
                )
                % {"name": name}
                if isinstance(name, str)
                else _(
                    "The location isn't where any of your imported services are, "
                    "so there's nothing to update. Import the services first."
                )
            )
    return records, errors


def plan_import(
    organisation: Organisation,
    records: list,
    feed: Feed | None = None,
    complete: bool = False,
) -> ImportPlan:
    """What importing would do, with every error found. Changes nothing.
    `complete`: the records are everything the feed has, so a service of the
    feed that isn't among them has gone from it."""
    batch = records if isinstance(records, Batch) else Batch(records)
    plan = ImportPlan(organisation, feed=feed, terms=batch.terms)
    plan.notes, plan.unlinked = list(batch.notes), list(batch.unlinked)
    items = list(batch)
    if batch.locations:
        extra, plan.errors = _location_records(organisation, batch)
        items += extra
    seen: dict[uuid.UUID, int] = {}
    for number, record in enumerate(items, start=1):
        row, errors = _parse(number, record, seen, batch.partial)
        plan.errors += errors
        if row:
            plan.rows.append(row)
            plan.notes += row.notes
        if len(plan.errors) >= MAX_ERRORS:
            plan.errors.append(_("…and maybe more. Fix these and try again."))
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
    for term in batch.terms:
        _want_term(plan, categories, term)
    kept = set()
    for row in plan.rows:
        row.wanted = {n for t in row.terms if (n := _want_term(plan, categories, t))}
        service = row.service = existing.get(row.hsds_id)
        row.merged = _merge_record(
            service.hsds_record if service else {}, row.record, batch
        )
        kept |= {k for k in row.record if not _shown(k)}
        if service is None:
            if batch.partial and not (row.values["name"] and "status" in row.record):
                plan.errors.append(
                    _(
                        "%(record)s: we don't have this service yet, and the file "
                        "doesn't give its name and status."
                    )
                    % {"record": _label(row.number, row.record)}
                )
            row.action = "add"
            continue
        _compare(row, service)
    if feed is not None and complete:
        present = {r.hsds_id for r in plan.rows}
        plan.vanished = [
            s
            for s in Service.objects.filter(organisation=organisation, feed=feed)
            if s.hsds_id not in present and s.missing_from_feed is None
        ]
    plan.kept_as_they_came = sorted(kept)
    return plan


def _shown(key: str) -> bool:
    """Whether Peerspace shows (and can edit) what a record key holds."""
    from .reading import SOURCES

    return key in {"id", "last_modified"} or any(key in s for s in SOURCES.values())


def _compare(row: Row, service: Service) -> None:
    edited = edited_here(service)
    baseline = service.hsds_baseline or {}
    for name in sorted(row.carried, key=TRACKED.index):
        new = sorted(row.wanted) if name == "categories" else plain(row.values[name])
        if name in edited:
            if new != baseline.get(name) and new != current(service, name):
                row.kept_edits.append(label(name))
        elif current(service, name) != new:
            row.changes.append(label(name))
    if service.missing_from_feed and row.record.get("status", "active") == "active":
        row.changes.append(_("Back in the directory"))
    if not row.changes and service.hsds_record and row.merged != service.hsds_record:
        differing = sorted(
            k
            for k in set(row.merged) | set(service.hsds_record)
            if row.merged.get(k) != service.hsds_record.get(k) and not _shown(k)
        )
        if differing:
            row.changes.append(
                _("Other details: %(fields)s") % {"fields": ", ".join(differing)}
            )
    row.action = "change" if row.changes else "skip"


def _category_lookup(organisation: Organisation) -> dict:
    lookup = {}
    for category in Category.objects.filter(organisation=organisation):
        lookup[str(category.hsds_id)] = category
        lookup.setdefault(category.name.lower(), category)
    return lookup


def _want_term(plan: ImportPlan, categories: dict, term: dict) -> str:
    """The (lower case) category name a taxonomy term becomes."""
    name = text(term.get("name"))[:80]
    category = categories.get(str(term.get("id"))) or categories.get(name.lower())
    if category is not None:
        return category.name.lower()
    if name and name.lower() not in {n.lower() for n in plan.new_categories}:
        plan.new_categories.append(name)
    return name.lower()


@transaction.atomic
def apply_import(plan: ImportPlan) -> ImportPlan:
    """Add and update everything in the plan, or nothing if anything fails."""
    if not plan.ok:
        raise ValueError("This plan has errors")
    organisation = plan.organisation
    Category.objects.seed(organisation)
    _add_categories(plan, [*plan.terms, *(t for r in plan.rows for t in r.terms)])
    by_name = {
        c.name.lower(): c for c in Category.objects.filter(organisation=organisation)
    }
    now = timezone.now()
    for row in plan.rows:
        if (
            row.action == "skip"
            and row.service
            and row.merged == row.service.hsds_record
        ):
            continue
        service = row.service or Service(organisation=organisation, hsds_id=row.hsds_id)
        edited = edited_here(service) if row.service else set()
        baseline = dict(service.hsds_baseline or {})
        for name in row.carried:
            new = row.values.get(name)
            if name == "categories":
                new = sorted(row.wanted)
            baseline[name] = plain(new)
            if name not in edited and name != "categories":
                setattr(service, name, new)
        service.hsds_record = row.merged
        service.hsds_baseline = baseline
        service.last_modified = row.last_modified or now
        if plan.feed is not None:
            service.feed, service.missing_from_feed = plan.feed, None
        service.save()
        if "categories" in row.carried and "categories" not in edited:
            chosen = [by_name[n] for n in row.wanted if n in by_name]
            service.categories.set(chosen)
        service.refresh_search_key()
    today = timezone.localdate()
    Service.objects.filter(pk__in=[s.pk for s in plan.vanished]).update(
        missing_from_feed=today
    )
    return plan


def _add_categories(plan: ImportPlan, terms: list[dict]) -> None:
    organisation = plan.organisation
    categories = _category_lookup(organisation)
    order = Category.objects.filter(organisation=organisation).count()
    for term in terms:
        name = text(term.get("name"))[:80]
        if (
            not name
            or categories.get(str(term.get("id")))
            or categories.get(name.lower())
        ):
            continue
        try:
            term_uuid = uuid.UUID(str(term.get("id")))
        except ValueError:
            term_uuid = uuid.uuid4()
        if Category.objects.filter(
            organisation=organisation, hsds_id=term_uuid
        ).exists():
            term_uuid = uuid.uuid4()
        category = Category.objects.create(
            organisation=organisation,
            name=name,
            slug=_free_slug(organisation, slugify(name)[:70] or "category"),
            order=order,
            hsds_id=term_uuid,
            hsds_record=term,
        )
        order += 1
        categories[str(term.get("id"))] = categories[name.lower()] = category


def _free_slug(organisation: Organisation, slug: str) -> str:
    candidate, n = slug, 2
    while Category.objects.filter(organisation=organisation, slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate
