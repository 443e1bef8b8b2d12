"""Funder reports: saved templates, stories, and what social value is built from.

Reports read attendance, signposting and safeguarding; nothing imports this app.
What a report contains is computed in figures.py (social value in value.py);
these models hold only what the coordinator writes herself: templates, stories,
the social value framework (lines, levels, rates with their history, typed
counts and quick tallies) and income.
"""

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from peerspace.accounts.models import Organisation, Site
from peerspace.fields import EncryptedTextField

# The sections a report can have, in the order they print.
HEADLINES = "headlines"
ATTENDANCE = "attendance"
ACTIVITIES = "activities"
SIGNPOSTING = "signposting"
SAFEGUARDING = "safeguarding"
STORIES = "stories"
DEMOGRAPHICS = "demographics"
SOCIAL_VALUE = "social_value"
SECTIONS = [
    (HEADLINES, _("Headline figures")),
    (ATTENDANCE, _("Attendance over time")),
    (ACTIVITIES, _("Activities, and giving as well as receiving")),
    (SIGNPOSTING, _("Signposting")),
    (SAFEGUARDING, _("Community safeguarding")),
    (STORIES, _("Stories and outcomes")),
    (DEMOGRAPHICS, _("Who came")),
    (SOCIAL_VALUE, _("Social value")),
]
SECTION_KEYS = [key for key, _ in SECTIONS]
SECTION_TITLES = dict(SECTIONS)


def default_threshold() -> int:
    """Read when a report is made, so the setting needs no migration."""
    return settings.REPORT_SUPPRESSION_THRESHOLD


OUTCOMES = [
    ("into-work", _("Into work")),
    ("safer-at-home", _("Safer at home")),
    ("reconnected-family", _("Reconnected with family")),
    ("new-skills", _("New skills")),
    ("better-health", _("Better health")),
    ("less-isolated", _("Less isolated")),
    ("started-business", _("Started a business")),
    ("fewer-crisis-visits", _("Fewer visits to crisis services")),
    ("volunteering", _("Giving time to others")),
    ("money-sorted", _("Money worries eased")),
]
OUTCOME_LABELS = dict(OUTCOMES)

# What social value is set against in "return per £1".
STATUTORY_BASIS = "statutory"
INCOME_BASIS = "income"
COST_BASES = [
    (STATUTORY_BASIS, _("Statutory funding (council, NHS, public bodies)")),
    (INCOME_BASIS, _("All our income")),
]


def _default_sections() -> list[str]:
    return list(SECTION_KEYS)


class CoordinatedQuerySet(models.QuerySet):
    """Rows of the organisations where the user is a coordinator."""

    def for_user(self, user):
        from peerspace.permissions import COORDINATOR, org_ids

        return self.filter(organisation_id__in=org_ids(user, COORDINATOR))


class ReportTemplate(models.Model):
    """A funder's report, saved so that next quarter's is one click."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="report_templates"
    )
    name = models.CharField(
        _("Name of this report"),
        max_length=120,
        help_text=_("For example “Quarterly”."),
    )
    funder = models.CharField(_("Funder"), max_length=200, blank=True)
    sections = models.JSONField(default=_default_sections)
    # {section key: the funder's own heading}; a blank heading uses ours.
    headings = models.JSONField(default=dict, blank=True)
    narrative_heading = models.CharField(
        _("Heading for your own words"), max_length=120, default="What we did"
    )
    narrative = models.TextField(
        _("In your own words"),
        blank=True,
        max_length=20_000,
        help_text=(
            _(
                "What you'd like the funder to know: what we did, what changed, what "
                "we learnt. Printed after the contents. Don't write anyone's name."
            )
        ),
    )
    cost_basis = models.CharField(
        _("Return per £1 of"),
        max_length=10,
        choices=COST_BASES,
        default=STATUTORY_BASIS,
        help_text=_("What the funder asks the social value to be set against."),
    )
    threshold = models.PositiveSmallIntegerField(
        _("Hide numbers smaller than"),
        default=default_threshold,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text=(
            _(
                "So that no woman can be recognised, any count from 1 up to one less "
                "than this prints as “fewer than …”. Some funders ask for 10."
            )
        ),
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = CoordinatedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="report_template_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def chosen_sections(self) -> list[str]:
        """The sections in printing order, whatever order they were saved in."""
        chosen = set(self.sections or [])
        return [key for key in SECTION_KEYS if key in chosen]

    def heading_for(self, section: str) -> str:
        return (self.headings or {}).get(section, "").strip() or SECTION_TITLES[section]

    def copy(self, name: str) -> "ReportTemplate":
        return ReportTemplate.objects.create(
            organisation=self.organisation,
            name=name,
            funder="",
            sections=list(self.sections),
            headings=dict(self.headings),
            narrative_heading=self.narrative_heading,
            narrative=self.narrative,
            cost_basis=self.cost_basis,
            threshold=self.threshold,
        )


class ReportSettings(models.Model):
    """The organisation's logo for report covers (a small PNG or JPEG).

    Kept in the database and printed as a data: URI, so a PDF never fetches
    anything but our own static files.
    """

    organisation = models.OneToOneField(
        Organisation, models.CASCADE, related_name="report_settings"
    )
    logo = models.BinaryField(blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name_plural = "report settings"

    def __str__(self) -> str:
        return f"Report settings for {self.organisation}"

    @property
    def logo_data_uri(self) -> str:
        import base64

        if not self.logo or self.logo_type not in ("image/png", "image/jpeg"):
            return ""
        return f"data:{self.logo_type};base64," + base64.b64encode(
            bytes(self.logo)
        ).decode("ascii")


# Words that don't tell one place from another: "Leigh" is what names the
# Leigh workshop, so "a regular at Leigh" already says where she comes.
PLACE_WORDS_IN_COMMON = {
    "a", "an", "and", "at", "centre", "center", "church", "community", "drop",
    "group", "hall", "house", "hub", "in", "of", "on", "our", "project", "room",
    "rooms", "site", "space", "st", "the", "workshop",
}  # fmt: skip
WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def names_place(text: str, place: str) -> bool:
    """Whether text already says where: every word of the place's name that
    tells it apart ("Wigan" of "the Wigan workshop") is in the text."""
    said = set(WORDS.findall(text.casefold()))
    name = WORDS.findall(place.casefold())
    telling = [w for w in name if w not in PLACE_WORDS_IN_COMMON] or [
        w for w in name if w not in ("a", "an", "the", "our")
    ]
    return all(w in said for w in telling)


def with_place(text: str, place: str) -> str:
    """The text, then the place unless the text already names it: never "the
    Wigan workshop, Wigan"."""
    place = place.strip()
    if not place or names_place(text, place):
        return text
    return f"{text}, {place}" if text else place


class StoryQuerySet(CoordinatedQuerySet):
    def in_report(self, organisation, start: dt.date, end: dt.date, sites, all_sites):
        """Stories told in the period at these sites (or at no one site when the
        report covers every site)."""
        where = Q(site__in=sites)
        if all_sites:
            where |= Q(site__isnull=True)
        return self.filter(
            where, organisation=organisation, date__gte=start, date__lte=end
        )

    def shareable(self):
        return self.filter(consent_to_share=True)


class Story(models.Model):
    """Her story, in the words she approved. Shared only with her consent."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    site = models.ForeignKey(
        Site, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date = models.DateField(default=timezone.localdate)
    text = EncryptedTextField(
        _("Her words"),
        max_length=5000,
        help_text=_("As she said it and as she has read and approved it. No names."),
    )
    described_as = models.CharField(
        _("How she would like to be described"),
        max_length=120,
        blank=True,
        help_text=_("For example “a woman who comes to the Leigh workshop”."),
    )
    consent_to_share = models.BooleanField(
        _("She agrees we can share it in reports to funders"), default=False
    )
    consent_date = models.DateField(_("Date she agreed"), null=True, blank=True)
    outcomes = models.JSONField(_("What changed for her"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = StoryQuerySet.as_manager()

    DESCRIBED_BY_DEFAULT = _("A woman who comes to our workshop")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return f"Story of {self.date:%-d %b %Y}"

    def outcome_labels(self, leave_out=()) -> list[str]:
        return [
            OUTCOME_LABELS[o]
            for o in self.outcomes
            if o in OUTCOME_LABELS and o not in leave_out
        ]

    def credit(self) -> str:
        """Who told it and where, as printed under her words."""
        who = self.described_as.strip() or self.DESCRIBED_BY_DEFAULT
        return with_place(who, self.site.name if self.site else "")


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


# Where a value line's count comes from. The records sources are counted from
# what Peerspace already keeps, month by month, in SQL; TYPED lines are totals
# the coordinator types in each month, or logs as they happen (quick tallies).
TYPED = "typed"
VISITS = "visits"
PEOPLE = "people"
SESSIONS = "sessions"
HOURS = "hours"
HELPED_OUT = "helped-out"
SIGNPOSTS = "signposts"
SIGNPOSTS_HELPED = "signposts-helped"
MEMBERS = "members"
REFLECTION = "reflection"
COUNT_SOURCES = [
    (TYPED, _("Typed in each month, or logged as it happens")),
    (VISITS, _("Visits (named people and unnamed head-counts)")),
    (PEOPLE, _("Different people who came in the month")),
    (SESSIONS, _("Sessions held (with at least one visit)")),
    (HOURS, _("Hours signed in (from arrival to leaving)")),
    (HELPED_OUT, _("Visits when she helped out")),
    (SIGNPOSTS, _("Times information was given about another service")),
    (SIGNPOSTS_HELPED, _("Times we helped someone get in touch with a service")),
    (MEMBERS, _("Registered members at the end of the month")),
    (REFLECTION, _("Community safeguarding reflection sessions held")),
]
SOURCE_LABELS = dict(COUNT_SOURCES)
# Sources whose count is of people (so small numbers are hidden in reports).
PEOPLE_SOURCES = {VISITS, PEOPLE, HELPED_OUT, SIGNPOSTS, SIGNPOSTS_HELPED, MEMBERS}
# Pairs of sources that count some of the same records: valuing both counts
# that work twice.
OVERLAPS = {
    frozenset({VISITS, HELPED_OUT}): _("helped-out visits are visits too"),
    frozenset({VISITS, HOURS}): _("hours signed in are the time of the same visits"),
    frozenset({HELPED_OUT, HOURS}): _("hours signed in include helped-out visits"),
    frozenset({VISITS, PEOPLE}): _("people are counted from the same visits"),
    frozenset({PEOPLE, MEMBERS}): _("people who came are mostly registered members"),
    frozenset({SIGNPOSTS, SIGNPOSTS_HELPED}): _(
        "times we helped someone get in touch are times information was given"
    ),
    frozenset({VISITS, SESSIONS}): _("sessions are counted from the same visits"),
}

MONEY_PLACES = 4  # a rate may be a fraction of a penny, to a hundredth of one


class ValueLineQuerySet(CoordinatedQuerySet):
    def for_tallies(self, user):
        """Lines the team may log a quick tally for, in their organisations."""
        from peerspace.permissions import TEAM, org_ids

        return self.filter(
            organisation_id__in=org_ids(user, *TEAM), source=TYPED, quick_tally=True
        )


class ValueLine(models.Model):
    """One kind of work the organisation values: what a unit is, where its count
    comes from, and (optionally) levels with their own rates."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="value_lines"
    )
    name = models.CharField(
        _("Name"),
        max_length=80,
        help_text=_("As the report should call it: “Peer support”."),
    )
    unit = models.CharField(
        _("One unit is"),
        max_length=60,
        help_text=_("For example “an hour”, “a use of the centre”, “a crisis helped”."),
    )
    source = models.CharField(
        _("Where the count comes from"), max_length=20, choices=COUNT_SOURCES
    )
    counts_people = models.BooleanField(
        _("Each unit is a person"),
        default=False,
        help_text=(
            _(
                "For typed lines such as peer supporters or online members: small "
                "counts are then hidden in reports, so no one can be recognised."
            )
        ),
    )
    quick_tally = models.BooleanField(
        _("Can be logged as it happens"),
        default=False,
        help_text=_("“+1” from the door or a phone, with the date and no name."),
    )
    tally_kinds = models.CharField(
        _("Kinds to choose from when logging"),
        max_length=300,
        blank=True,
        help_text=_("Optional, separated by commas: “In person, Phone call, Online”."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    objects = ValueLineQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="value_line_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_typed(self) -> bool:
        return self.source == TYPED

    @property
    def of_people(self) -> bool:
        return self.source in PEOPLE_SOURCES or (self.is_typed and self.counts_people)

    def kinds(self) -> list[str]:
        return [k.strip() for k in self.tally_kinds.split(",") if k.strip()]


class ValueLevel(models.Model):
    """A level within a line (peer supporter level 1, 2, 3), each at its own rate."""

    line = models.ForeignKey(ValueLine, models.CASCADE, related_name="levels")
    name = models.CharField(_("Level"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "name"], name="value_level_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


def _money_field(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=MONEY_PLACES,
        validators=[MinValueValidator(Decimal("0"))],
        **kwargs,
    )


KEEP = object()  # set_from: keep the low and high values in force


class RateQuerySet(models.QuerySet):
    def in_force(self, line, level, month: dt.date) -> "Rate | None":
        return (
            self.filter(line=line, level=level, effective_from__lte=month)
            .order_by("-effective_from")
            .first()
        )

    def set_from(
        self, line, level, month: dt.date, amount, source: str, low=KEEP, high=KEEP
    ) -> bool:
        """The rate from this month on; True if that changed anything. Nothing
        changes when it is the rate already in force; a rate that starts this
        month is corrected in place."""
        month = first_of_month(month)
        current = self.in_force(line, level, month)
        same_amount = current is not None and current.amount == amount
        if low is KEEP:
            low = current.low if same_amount else None
        if high is KEEP:
            high = current.high if same_amount else None
        wanted = (amount, low, high, source)
        if (
            current is not None
            and (
                current.amount,
                current.low,
                current.high,
                current.source,
            )
            == wanted
        ):
            return False
        if current is None or current.effective_from != month:
            current = Rate(line=line, level=level, effective_from=month)
        current.amount, current.low, current.high, current.source = wanted
        current.save()
        return True


class Rate(models.Model):
    """What one unit is worth from a month on, and where the figure comes from.

    A month is valued at the rate in force on its first day, so changing a rate
    from next month never changes a report on the months before it.
    """

    line = models.ForeignKey(ValueLine, models.CASCADE, related_name="rates")
    level = models.ForeignKey(
        ValueLevel, models.CASCADE, null=True, blank=True, related_name="rates"
    )
    effective_from = models.DateField(
        _("From"), help_text=_("The first month this rate is used for.")
    )
    amount = _money_field(_("£ per unit"))
    low = _money_field(_("Low £"), null=True, blank=True)
    high = _money_field(_("High £"), null=True, blank=True)
    source = models.CharField(
        _("Where the figure comes from"),
        max_length=500,
        help_text=_("The published table or agreement, with its year."),
    )

    history = HistoricalRecords()
    objects = RateQuerySet.as_manager()

    class Meta:
        ordering = ["line", "level", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "level", "effective_from"],
                name="rate_once_a_month_for_a_level",
            ),
            models.UniqueConstraint(
                fields=["line", "effective_from"],
                condition=Q(level__isnull=True),
                name="rate_once_a_month_for_a_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} from {self.effective_from:%b %Y}"

    def save(self, *args, **kwargs):
        self.effective_from = first_of_month(self.effective_from)
        super().save(*args, **kwargs)

    @property
    def has_range(self) -> bool:
        return self.low is not None or self.high is not None


class TallyQuerySet(models.QuerySet):
    def monthly_totals(self):
        return self.filter(date__isnull=True)

    def quick(self):
        return self.filter(date__isnull=False)

    def set_total(self, line, level, month: dt.date, count, user=None) -> None:
        """The month's typed total (none, if count is None)."""
        existing = self.monthly_totals().filter(line=line, level=level, month=month)
        found = existing.first()
        if count is None:
            if found:
                found.delete()
            return
        if found is None:
            found = Tally(line=line, level=level, month=month)
        elif found.count == count:
            return
        found.count, found.recorded_by = count, user
        found.save()


class Tally(models.Model):
    """A typed count: the month's total for a line (and level), or one quick
    "+1" logged as it happened. Never about a named person."""

    line = models.ForeignKey(ValueLine, models.CASCADE, related_name="tallies")
    level = models.ForeignKey(
        ValueLevel, models.CASCADE, null=True, blank=True, related_name="tallies"
    )
    month = models.DateField()
    # The day for a quick tally; empty for the month's typed total.
    date = models.DateField(null=True, blank=True)
    count = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0"))],
    )
    minutes = models.PositiveIntegerField(
        _("How long (minutes)"), null=True, blank=True
    )
    kind = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = TallyQuerySet.as_manager()

    class Meta:
        ordering = ["month", "line", "level", "date", "id"]
        verbose_name_plural = "tallies"
        indexes = [models.Index(fields=["line", "month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "level", "month"],
                condition=Q(date__isnull=True),
                name="one_typed_total_a_month_for_a_level",
            ),
            models.UniqueConstraint(
                fields=["line", "month"],
                condition=Q(date__isnull=True, level__isnull=True),
                name="one_typed_total_a_month_for_a_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.month:%b %Y}"

    def save(self, *args, **kwargs):
        self.month = first_of_month(self.date or self.month)
        super().save(*args, **kwargs)


class IncomeQuerySet(models.QuerySet):
    def set_for(self, organisation, month: dt.date, kind: str, name: str, amount):
        """This month's amount from one source (none, if amount is None)."""
        found = list(
            self.filter(organisation=organisation, month=month, kind=kind, name=name)
        )
        keep = found[0] if found and amount is not None else None
        for extra in found:
            if extra is not keep:
                extra.delete()
        if amount is None:
            return
        if keep is None:
            keep = Income(organisation=organisation, month=month, kind=kind, name=name)
        elif keep.amount == amount:
            return
        keep.amount = amount
        keep.save()


class Income(models.Model):
    """Money in, by month and source, for the social value table."""

    STATUTORY = "statutory"
    OTHER = "other"
    KINDS = [
        (STATUTORY, _("Statutory (council, NHS, public bodies)")),
        (OTHER, _("Other (grants, trusts, trading, donations)")),
    ]

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="income"
    )
    month = models.DateField(
        help_text=_("Any day in the month: it is kept as the 1st.")
    )
    kind = models.CharField(_("Source"), max_length=10, choices=KINDS)
    name = models.CharField(
        _("Where it came from"),
        max_length=120,
        help_text=_("For example “Council grant”."),
    )
    amount = models.DecimalField(
        _("Amount (£)"),
        max_digits=11,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    history = HistoricalRecords()
    objects = IncomeQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "kind", "name"]
        verbose_name_plural = "income"
        indexes = [models.Index(fields=["organisation", "month"])]

    def __str__(self) -> str:
        return f"{self.name} {self.month:%b %Y}"

    def save(self, *args, **kwargs):
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)
