"""Funder reports: saved templates, stories, and what social value is built from.

Reports read attendance, signposting and safeguarding; nothing imports this app.
What a report contains is computed in figures.py; these models hold only what
the coordinator writes herself: templates, stories, unit rates and income.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
    (HEADLINES, "Headline figures"),
    (ATTENDANCE, "Attendance over time"),
    (ACTIVITIES, "Activities, and giving as well as receiving"),
    (SIGNPOSTING, "Signposting"),
    (SAFEGUARDING, "Community safeguarding"),
    (STORIES, "Stories and outcomes"),
    (DEMOGRAPHICS, "Who came"),
    (SOCIAL_VALUE, "Social value"),
]
SECTION_KEYS = [key for key, _ in SECTIONS]
SECTION_TITLES = dict(SECTIONS)


def default_threshold() -> int:
    """Read when a report is made, so the setting needs no migration."""
    return settings.REPORT_SUPPRESSION_THRESHOLD


OUTCOMES = [
    ("into-work", "Into work"),
    ("safer-at-home", "Safer at home"),
    ("reconnected-family", "Reconnected with family"),
    ("new-skills", "New skills"),
    ("better-health", "Better health"),
    ("less-isolated", "Less isolated"),
    ("started-business", "Started a business"),
    ("fewer-crisis-visits", "Fewer visits to crisis services"),
    ("volunteering", "Giving time to others"),
    ("money-sorted", "Money worries eased"),
]
OUTCOME_LABELS = dict(OUTCOMES)


def _default_sections() -> list[str]:
    return list(SECTION_KEYS)


class ReportTemplateQuerySet(models.QuerySet):
    def for_user(self, user):
        from peerspace.permissions import COORDINATOR, org_ids

        return self.filter(organisation_id__in=org_ids(user, COORDINATOR))


class ReportTemplate(models.Model):
    """A funder's report, saved so that next quarter's is one click."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="report_templates"
    )
    name = models.CharField(
        "Name of this report", max_length=120, help_text="For example “Quarterly”."
    )
    funder = models.CharField("Funder", max_length=200, blank=True)
    sections = models.JSONField(default=_default_sections)
    # {section key: the funder's own heading}; a blank heading uses ours.
    headings = models.JSONField(default=dict, blank=True)
    narrative_heading = models.CharField(
        "Heading for your own words", max_length=120, default="What we did"
    )
    narrative = models.TextField(
        "In your own words",
        blank=True,
        max_length=20_000,
        help_text=(
            "What you'd like the funder to know: what we did, what changed, what "
            "we learnt. Printed after the contents. Don't write anyone's name."
        ),
    )
    threshold = models.PositiveSmallIntegerField(
        "Hide numbers smaller than",
        default=default_threshold,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text=(
            "So that no woman can be recognised, any count from 1 up to one less "
            "than this prints as “fewer than …”. Some funders ask for 10."
        ),
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = ReportTemplateQuerySet.as_manager()

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


class StoryQuerySet(models.QuerySet):
    def for_user(self, user):
        from peerspace.permissions import COORDINATOR, org_ids

        return self.filter(organisation_id__in=org_ids(user, COORDINATOR))

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
        "Her words",
        max_length=5000,
        help_text="As she said it and as she has read and approved it. No names.",
    )
    described_as = models.CharField(
        "How she would like to be described",
        max_length=120,
        blank=True,
        help_text="For example “a woman who comes to the Leigh workshop”.",
    )
    consent_to_share = models.BooleanField(
        "She agrees we can share it in reports to funders", default=False
    )
    consent_date = models.DateField("Date she agreed", null=True, blank=True)
    outcomes = models.JSONField("What changed for her", default=list, blank=True)
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

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return f"Story of {self.date:%-d %b %Y}"

    def outcome_labels(self) -> list[str]:
        return [OUTCOME_LABELS[o] for o in self.outcomes if o in OUTCOME_LABELS]


class UnitRate(models.Model):
    """What one unit of our work is worth, and where that figure comes from."""

    VISIT = "visit"
    HOUR = "hour"
    HELPED_OUT = "helped-out"
    SIGNPOST = "signpost"
    SIGNPOST_HELPED = "signpost-helped"
    REFLECTION = "reflection"
    KINDS = [
        (VISIT, "A day-centre visit (one person, one day)"),
        (HOUR, "An hour of peer support (time signed in)"),
        (HELPED_OUT, "A visit when she helped out (volunteering)"),
        (SIGNPOST, "Information given about another service"),
        (SIGNPOST_HELPED, "Signposting with help to get in touch"),
        (REFLECTION, "A community safeguarding reflection session"),
    ]
    UNITS = {
        VISIT: "visit",
        HOUR: "hour",
        HELPED_OUT: "visit",
        SIGNPOST: "time",
        SIGNPOST_HELPED: "time",
        REFLECTION: "session",
    }

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="unit_rates"
    )
    kind = models.CharField("What we count", max_length=20, choices=KINDS)
    label = models.CharField(
        "Name in the report",
        max_length=120,
        blank=True,
        help_text="Leave blank to use the description of what we count.",
    )
    rate = models.DecimalField(
        "£ per unit",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    source = models.CharField(
        "Where the figure comes from",
        max_length=500,
        help_text="For example the commissioner's unit cost, or a published study.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"], name="one_rate_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.label or self.get_kind_display()

    @property
    def unit(self) -> str:
        return self.UNITS[self.kind]


class Income(models.Model):
    """Money in, by month and source, for the social value table."""

    STATUTORY = "statutory"
    OTHER = "other"
    KINDS = [
        (STATUTORY, "Statutory (council, NHS, public bodies)"),
        (OTHER, "Other (grants, trusts, trading, donations)"),
    ]

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="income"
    )
    month = models.DateField(help_text="Any day in the month: it is kept as the 1st.")
    kind = models.CharField("Source", max_length=10, choices=KINDS)
    name = models.CharField(
        "Where it came from", max_length=120, help_text="For example “Council grant”."
    )
    amount = models.DecimalField(
        "Amount (£)",
        max_digits=11,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "kind", "name"]
        verbose_name_plural = "income"
        indexes = [models.Index(fields=["organisation", "month"])]

    def __str__(self) -> str:
        return f"{self.name} {self.month:%b %Y}"

    def save(self, *args, **kwargs):
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)
