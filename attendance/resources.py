"""People and visits as spreadsheets (CSV/XLSX), through django-import-export.

Every resource is made for one organisation (``organisation=...``): it exports
only that organisation's rows and can only ever write to them. An ``id`` in an
import that isn't one of this organisation's people is a row error, never an
update of somebody else's record.

Imported people are added with ``form_complete=False``, so they show on "forms
to finish": a spreadsheet can't tell us she has agreed to how we use her
information, so the team goes through the full form with her on her next visit.
Imported visits are recorded as ``Visit.PAPER`` (entered from a paper record).
"""

import datetime as dt
import re
import uuid
from collections import defaultdict

import tablib
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources

from peerspace.accounts.models import Site
from peerspace.fields import parse_id
from peerspace.spreadsheets import as_typed
from peerspace.text import fold

from .forms import PersonForm
from .models import (
    AGE_BANDS,
    HEARD_ABOUT_US,
    SPREADSHEET_DETAILS,
    Activity,
    Person,
    Session,
    Visit,
)

PERSON_FIELDS = SPREADSHEET_DETAILS
PERSON_COLUMNS = ["id", *PERSON_FIELDS]

VISIT_COLUMNS = [
    "date",
    "site",
    "person_id",
    "known_as",
    "activity",
    "helped_out",
    "method",
    "arrived",
    "left",
]


def cell_text(value) -> str:
    """A cell as trimmed text, without the apostrophe our exports add."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return as_typed(str(value)).strip()


def _heading_key(heading) -> str:
    return re.sub(r"[^a-z0-9]+", "_", cell_text(heading).lower()).strip("_")


def _choice_value(text: str, choices: list[tuple[str, str]]) -> str:
    """Accept either our code ("25-34") or its words ("25 to 34")."""
    key = fold(text)
    for code, label in choices:
        if key in (fold(code), fold(label)):
            return code
    return text


class OrganisationResource(resources.ModelResource):
    """One organisation's rows, with headings matched forgivingly."""

    columns: list[str] = []
    # Other headings people use in their spreadsheets, normalised as keys.
    aliases: dict[str, str] = {}

    def __init__(self, *, organisation, user=None, batch: str = ""):
        super().__init__()
        self.organisation = organisation
        self.user = user
        # The upload's token: the same file confirmed twice (two tabs, a
        # resubmitted form) can't add the same rows twice.
        self.batch = batch
        # Row number (1 = first row under the headings) -> a note for the preview.
        self.notes: dict[int, str] = {}
        self.ignored_columns: list[str] = []

    def prepare(self, dataset: tablib.Dataset) -> None:
        """Rename the file's headings to our columns, or say why they don't fit."""
        found: dict[str, str] = {}
        headers = []
        for i, heading in enumerate(dataset.headers or []):
            key = _heading_key(heading)
            key = self.aliases.get(key, key)
            if key in self.columns:
                if key in found:
                    raise ValidationError(
                        f"There are two {key} columns (“{found[key]}” and "
                        f"“{cell_text(heading)}”). Please keep just one."
                    )
                found[key] = cell_text(heading)
                headers.append(key)
            else:
                if cell_text(heading):
                    self.ignored_columns.append(cell_text(heading))
                headers.append(f"_ignored_{i}")
        self.check_columns(found)
        dataset.headers = headers

    def check_columns(self, found: dict[str, str]) -> None:
        raise NotImplementedError

    def columns_message(self, missing: str) -> str:
        return (
            f"We couldn't find {missing}. The first row of the file should be the "
            f"column headings: {', '.join(self.columns)}. Download an export to "
            "see the layout."
        )

    def describe(self, row) -> str:
        """Who or what a row is about, for the preview."""
        raise NotImplementedError

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence here, in case rows were
        # inserted with explicit ids. We never do that, and on PostgreSQL the
        # reset could hand out an id another transaction is about to use.
        pass


class PersonImportForm(PersonForm):
    """The person form's checks, for one row of a spreadsheet."""

    # A spreadsheet row has no emergency contacts.
    with_contacts = False

    class Meta(PersonForm.Meta):
        fields = PERSON_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["known_as"].error_messages["required"] = (
            "Every person needs a name: what she'd like us to call her."
        )
        for name, choices in (
            ("age_band", AGE_BANDS),
            ("heard_about_us", HEARD_ABOUT_US),
        ):
            self.fields[name].error_messages["invalid_choice"] = (
                "Please use one of: "
                + ", ".join(str(label) for _, label in choices)
                + " (or leave it blank)."
            )

    def clean(self):
        # No agreement check: a spreadsheet can't record that she agreed. New
        # people are "forms to finish", so it's asked when she next comes in.
        return forms.ModelForm.clean(self)


class PersonResource(OrganisationResource):
    age_band = fields.Field(attribute="age_band", column_name="age_band")
    heard_about_us = fields.Field(
        attribute="heard_about_us", column_name="heard_about_us"
    )

    columns = PERSON_COLUMNS
    aliases = {
        "person_id": "id",
        "name": "known_as",
        "first_name": "known_as",
        "what_would_you_like_us_to_call_you": "known_as",
        "phone_number": "phone",
        "telephone": "phone",
        "mobile": "phone",
        "email_address": "email",
        "post_code": "postcode",
        "age": "age_band",
        "how_did_you_hear_about_us": "heard_about_us",
    }

    class Meta:
        model = Person
        fields = PERSON_COLUMNS
        export_order = PERSON_COLUMNS
        import_id_fields = ["id"]
        skip_diff = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._names: dict[str, list[int]] | None = None

    def get_queryset(self):
        return (
            Person.objects.filter(organisation=self.organisation)
            .defer("anything_to_know")
            .in_name_order()
        )

    def check_columns(self, found):
        if "known_as" not in found and "id" not in found:
            raise ValidationError(self.columns_message("a known_as column"))

    def describe(self, row) -> str:
        name = cell_text(row.get("known_as")) or cell_text(row.get("full_name"))
        return name or (f"id {cell_text(row.get('id'))}" if row.get("id") else "")

    def dehydrate_age_band(self, person):
        return person.get_age_band_display() if person.age_band else ""

    def dehydrate_heard_about_us(self, person):
        return person.get_heard_about_us_display() if person.heard_about_us else ""

    def get_or_init_instance(self, instance_loader, row):
        raw = cell_text(row.get("id"))
        if not raw:
            person = Person(
                organisation=self.organisation,
                form_complete=False,
                created_by=self.user,
            )
            return person, True
        pk = parse_id(raw)
        person = self.get_queryset().filter(pk=pk).first() if pk else None
        if person is None:
            # Never fall through to "new person with this id": save() with an
            # explicit pk would update whichever row has it, in any organisation.
            raise ValidationError(
                {
                    "id": f"No person with id {raw} in your organisation. Leave id "
                    "blank to add someone new."
                }
            )
        return person, False

    def after_init_instance(self, instance, new, row, **kwargs):
        if new and self.batch:
            # Unique, like the token on the registration form: a second run of
            # the same upload fails on it instead of adding everyone again.
            instance.registration_token = uuid.uuid5(
                uuid.NAMESPACE_URL,
                f"peerspace:import:{self.batch}:{kwargs['row_number']}",
            )

    def import_instance(self, instance, row, **kwargs):
        present = [name for name in PERSON_FIELDS if name in row]
        data = {}
        for name in present:
            value = row[name]
            if name == "phone" and isinstance(value, int | float):
                # Excel drops the leading 0 of a UK number typed into a cell.
                value = str(int(value))
                value = "0" + value if len(value) == 10 else value
            text = cell_text(value)
            if name == "age_band":
                text = _choice_value(text, AGE_BANDS)
            elif name == "heard_about_us":
                text = _choice_value(text, HEARD_ABOUT_US)
            data[name] = text
        form = PersonImportForm(data, instance=instance, organisation=self.organisation)
        keep = set(present)
        if instance.pk is None:
            keep.add("known_as")
        for name in list(form.fields):
            if name not in keep:
                del form.fields[name]
        before = {name: getattr(instance, name) for name in PERSON_FIELDS}
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        instance._changed = [
            name for name in PERSON_FIELDS if getattr(instance, name) != before[name]
        ]
        if instance.pk is None:
            same = self._existing_names().get(fold(instance.known_as), [])
            if same:
                ids = ", ".join(str(pk) for pk in same[:5])
                self.notes[kwargs["row_number"]] = (
                    f"There's already someone called {instance.known_as} (id {ids}). "
                    "If this is her, put her id in the id column to update her "
                    "instead of adding her again."
                )
        elif not instance._changed:
            self.notes[kwargs["row_number"]] = "Nothing has changed."

    def _existing_names(self) -> dict[str, list[int]]:
        if self._names is None:
            self._names = defaultdict(list)
            for pk, known_as in self.get_queryset().values_list("pk", "known_as"):
                self._names[fold(known_as)].append(pk)
        return self._names

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return instance.pk is not None and not instance._changed


YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p"]


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_time(value) -> dt.time | None:
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    text = cell_text(value).upper()
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).time().replace(second=0)
        except ValueError:
            continue
    return None


class VisitResource(OrganisationResource):
    date = fields.Field(column_name="date")
    site = fields.Field(column_name="site")
    person_id = fields.Field(column_name="person_id")
    known_as = fields.Field(column_name="known_as")
    activity = fields.Field(column_name="activity")
    helped_out = fields.Field(column_name="helped_out")
    method = fields.Field(column_name="method")
    arrived = fields.Field(column_name="arrived")
    left = fields.Field(column_name="left")

    columns = VISIT_COLUMNS
    aliases = {
        "name": "known_as",
        "her_name": "known_as",
        "full_name": "known_as",
        "person": "known_as",
        "helped": "helped_out",
        "volunteered": "helped_out",
        "arrived_at": "arrived",
        "time_in": "arrived",
        "left_at": "left",
        "time_out": "left",
    }

    class Meta:
        model = Visit
        fields = VISIT_COLUMNS
        export_order = VISIT_COLUMNS
        import_id_fields = []
        force_init_instance = True
        skip_diff = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._people = None
        self._sites = None
        self._activities = None
        self._sessions: dict[tuple[int, dt.date], Session] = {}
        self._present: dict[int, set[int]] = {}

    def get_queryset(self):
        return (
            Visit.objects.filter(session__site__organisation=self.organisation)
            .select_related("session__site", "person", "activity")
            .defer("person__anything_to_know")
            .order_by("session__date", "session__site__name", "arrived_at", "id")
        )

    def check_columns(self, found):
        if "date" not in found:
            raise ValidationError(self.columns_message("a date column"))
        if "person_id" not in found and "known_as" not in found:
            raise ValidationError(
                self.columns_message("a person_id or known_as (name) column")
            )

    def describe(self, row) -> str:
        name = cell_text(row.get("known_as"))
        if not name and cell_text(row.get("person_id")):
            name = f"person_id {cell_text(row.get('person_id'))}"
        return " · ".join(
            p
            for p in (cell_text(row.get("date")), cell_text(row.get("site")), name)
            if p
        )

    # Export

    def dehydrate_date(self, visit):
        return visit.session.date.isoformat()

    def dehydrate_site(self, visit):
        return visit.session.site.name

    def dehydrate_person_id(self, visit):
        return visit.person_id or ""

    def dehydrate_known_as(self, visit):
        return visit.person.known_as if visit.person else ""

    def dehydrate_activity(self, visit):
        return visit.activity.name if visit.activity else ""

    def dehydrate_helped_out(self, visit):
        return "yes" if visit.helped_out else "no"

    def dehydrate_method(self, visit):
        return visit.get_method_display()

    def dehydrate_arrived(self, visit):
        return f"{timezone.localtime(visit.arrived_at):%H:%M}"

    def dehydrate_left(self, visit):
        return f"{timezone.localtime(visit.left_at):%H:%M}" if visit.left_at else ""

    # Import

    def _index(self):
        if self._people is None:
            by_id, by_name = {}, defaultdict(list)
            people = Person.objects.filter(organisation=self.organisation).only(
                "id", "known_as", "full_name"
            )
            for person in people:
                by_id[person.pk] = person
                for key in {fold(person.known_as), fold(person.full_name)} - {""}:
                    by_name[key].append(person)
            self._people = (by_id, by_name)
            self._sites = defaultdict(list)
            for site in Site.objects.filter(organisation=self.organisation):
                self._sites[fold(site.name)].append(site)
            self._activities = {
                fold(a.name): a
                for a in Activity.objects.filter(organisation=self.organisation)
            }
        return self._people

    def _find_person(self, row, errors) -> Person | None:
        by_id, by_name = self._index()
        raw_id = cell_text(row.get("person_id"))
        name = " ".join(cell_text(row.get("known_as")).split())
        if raw_id:
            person = by_id.get(parse_id(raw_id))
            if person is None:
                errors["person_id"] = (
                    f"No person with id {raw_id} in your organisation. Import people "
                    "first, or check the id."
                )
            elif name and fold(name) not in (
                fold(person.known_as),
                fold(person.full_name),
            ):
                errors["known_as"] = (
                    f"person_id {raw_id} is {person.known_as}, but this row says "
                    f"{name}. Please check which is right."
                )
            return person
        matches = by_name.get(fold(name), [])
        if not matches:
            errors["known_as"] = (
                f"No one called {name} in your organisation. Import people first, "
                "or add her person_id."
            )
            return None
        if len(matches) > 1:
            ids = ", ".join(str(p.pk) for p in matches[:5])
            errors["known_as"] = (
                f"{len(matches)} people are called {name} (ids {ids}). Put the right "
                "one's id in the person_id column."
            )
            return None
        return matches[0]

    def _find_site(self, row, errors) -> Site | None:
        self._index()
        name = cell_text(row.get("site"))
        all_sites = [s for sites in self._sites.values() for s in sites]
        names = ", ".join(sorted(s.name for s in all_sites))
        if not name:
            if len(all_sites) == 1:
                return all_sites[0]
            errors["site"] = f"Please say which site: {names}."
            return None
        found = self._sites.get(fold(name), [])
        if len(found) != 1:
            errors["site"] = f"No site called {name}. Your sites are: {names}."
            return None
        return found[0]

    def _session(self, site: Site, date: dt.date) -> Session:
        key = (site.pk, date)
        if key not in self._sessions:
            session = Session.objects.on(site, date)
            self._sessions[key] = session
            self._present[session.pk] = set(
                session.visits.filter(person__isnull=False).values_list(
                    "person_id", flat=True
                )
            )
        return self._sessions[key]

    def import_instance(self, instance, row, **kwargs):
        number = kwargs["row_number"]
        instance._skip = False
        if not cell_text(row.get("person_id")) and not cell_text(row.get("known_as")):
            self.notes[number] = (
                "No name or person_id: unnamed visits (head counts) aren't imported."
            )
            instance._skip = True
            return
        errors: dict[str, str] = {}
        date = _parse_date(row.get("date"))
        if date is None:
            errors["date"] = (
                "Please write the date like 2025-03-14 or 14/03/2025."
                if cell_text(row.get("date"))
                else "Every visit needs a date."
            )
        elif date > timezone.localdate():
            errors["date"] = "That date is in the future."
        site = self._find_site(row, errors)
        person = self._find_person(row, errors)

        activity = None
        activity_name = cell_text(row.get("activity"))
        if activity_name:
            activity = self._activities.get(fold(activity_name))
            if activity is None:
                errors["activity"] = (
                    f"No activity called {activity_name}. Add it on the Activities "
                    "page first, or leave this blank."
                )

        helped = cell_text(row.get("helped_out")).lower()
        if isinstance(row.get("helped_out"), bool):
            helped = "yes" if row["helped_out"] else "no"
        if helped not in YES | NO:
            errors["helped_out"] = "Please put yes or no (or leave it blank)."

        times = {}
        for column in ("arrived", "left"):
            times[column] = None
            if cell_text(row.get(column)):
                times[column] = _parse_time(row.get(column))
                if times[column] is None:
                    errors[column] = (
                        "Please write the time like 10:30 (or leave it blank)."
                    )
        if times["arrived"] and times["left"] and times["left"] < times["arrived"]:
            errors["left"] = "She can't have left before she arrived. Check the times."

        if errors:
            raise ValidationError(errors)

        session = self._session(site, date)
        if person.pk in self._present[session.pk]:
            self.notes[number] = "Already recorded: she's down for this session."
            instance._skip = True
            return
        # Like a paper sheet: no time means she came when the session opened,
        # and a past day's visit is over.
        arrived = times["arrived"] or session.opens or dt.time(10, 0)
        if times["left"] and not times["arrived"]:
            arrived = min(arrived, times["left"])
        instance.arrived_at = timezone.make_aware(dt.datetime.combine(date, arrived))
        if times["left"]:
            instance.left_at = timezone.make_aware(
                dt.datetime.combine(date, times["left"])
            )
        elif date < timezone.localdate():
            instance.left_at = instance.arrived_at
        instance.person = person
        instance.session = session
        instance.activity = activity
        instance.helped_out = helped in YES
        instance.method = Visit.PAPER
        instance.signed_in_by = self.user

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return instance._skip

    def after_save_instance(self, instance, row, **kwargs):
        self._present[instance.session_id].add(instance.person_id)
