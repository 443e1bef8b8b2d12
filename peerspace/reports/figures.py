"""Every figure in a funder report, counted in SQL with a fixed number of queries.

Definitions (also printed in the report where they matter):

- A *visit* is one person (named, or an unnamed head-count) at one session.
- *People supported*: different named people with at least one visit in the
  period at the chosen sites. Unnamed head-counts are counted as visits only.
- *New people*: people supported whose first ever visit to the organisation (at
  any site) falls in the period. *Returning people*: people supported whose
  first visit was before it. New + returning = people supported.
- *Sessions held*: sessions with at least one visit.
- *Average people per session*: visits (with head-counts) over sessions held.

The number of queries doesn't depend on how many people or visits there are:
nothing here loops over visits or people in Python.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from attendance.models import AGE_BANDS, Person, Visit
from peerspace import crypto
from peerspace.accounts.models import Organisation, Site

from . import charts, value, value_report
from .models import (
    ACTIVITIES,
    ATTENDANCE,
    DEMOGRAPHICS,
    HEADLINES,
    OUTCOME_LABELS,
    OUTCOMES,
    SAFEGUARDING,
    SECTION_TITLES,
    SIGNPOSTING,
    SOCIAL_VALUE,
    STATUTORY_BASIS,
    STORIES,
    ReportSettings,
    Story,
)
from .periods import Period
from .postcodes import district
from .tables import (
    DECIMAL,
    NUMBER,
    PERCENT,
    TEXT,
    Cell,
    Table,
)

# Weeks for a period up to this long, months beyond.
WEEKLY_UP_TO_DAYS = 120
SOCIAL_VALUE_CAVEAT = gettext_lazy(
    "These are estimates. They use the unit costs shown, each with its source, "
    "the way People Focused Group in Doncaster and its commissioners valued their "
    "work. Citizens' mutual help has no perfect price: a cup of tea with someone "
    "who has been there too, or a friendship that keeps someone out of crisis, is "
    "worth more than any unit cost can say."
)


@dataclass
class Options:
    organisation: Organisation
    period: Period
    sites: list[Site]
    all_sites: bool
    sections: list[str]
    threshold: int = 5
    title: str = "Report"
    funder: str = ""
    headings: dict = field(default_factory=dict)
    narrative_heading: str = ""
    narrative: str = ""
    cost_basis: str = STATUTORY_BASIS

    def heading(self, key: str) -> str:
        return (self.headings or {}).get(key, "").strip() or SECTION_TITLES[key]

    def use_template(self, template) -> None:
        """A saved report's sections, words and settings."""
        self.sections = template.chosen_sections()
        self.threshold = template.threshold
        self.cost_basis = template.cost_basis
        self.title = template.name
        self.funder = template.funder
        self.headings = template.headings
        self.narrative_heading = template.narrative_heading
        self.narrative = template.narrative


@dataclass
class Section:
    key: str
    heading: str
    tables: list[Table] = field(default_factory=list)
    chart: str = ""  # data: URI of an SVG
    chart_alt: str = ""
    paragraphs: list[str] = field(default_factory=list)
    stories: list[dict] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"


@dataclass
class Report:
    options: Options
    sections: list[Section]
    generated: dt.datetime
    logo: str = ""
    # Things the coordinator should know before sending it: shown on the
    # preview, never in the PDF.
    warnings: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, Table]:
        return {t.key: t for s in self.sections for t in s.tables}


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


class Builder:
    def __init__(self, options: Options):
        self.o = options
        self.site_ids = [s.pk for s in options.sites]
        self.multi = len(options.sites) > 1
        p = options.period
        self.visits = Visit.objects.filter(
            session__site_id__in=self.site_ids,
            session__date__gte=p.start,
            session__date__lte=p.end,
        )
        self._by_site = None
        self._sessions = None
        # For the coordinator's eyes on the preview, never printed.
        self.warnings: list[str] = []

    # Shared by several sections: every site's figures and all sites' in one
    # pass over the period's visits, and one more for returning people.
    def came_before(self):
        """People who came to the organisation before the period: the rest of
        those who come in it are new. (Less to read than everyone's first
        visit: only the visits before the period, and no grouping.)"""
        return Visit.objects.filter(
            session__site__organisation=self.o.organisation,
            session__date__lt=self.o.period.start,
        ).values("person")

    def _wheres(self) -> dict:
        """All sites (None), and each site on its own when there are several."""
        wheres = {None: None}
        if self.multi:
            wheres.update((pk, Q(session__site_id=pk)) for pk in self.site_ids)
        return wheres

    def _figures(self) -> dict:
        """{site id, or None for all sites: {"people": …, "new": …, …}}."""
        if self._by_site is None:
            wheres = self._wheres()
            counts, returning, names = {}, {}, {}
            for n, (key, where) in enumerate(wheres.items()):

                def only(q: Q | None = None, where=where) -> Q | None:
                    return where & q if where and q else (where or q)

                helped = Q(helped_out=True)
                for name, count in (
                    ("visits", Count("id", filter=only())),
                    ("people", Count("person", distinct=True, filter=only())),
                    ("unnamed", Count("id", filter=only(Q(person__isnull=True)))),
                    ("helped", Count("person", distinct=True, filter=only(helped))),
                    ("helped_visits", Count("id", filter=only(helped))),
                ):
                    counts[f"{name}_{n}"] = count
                    names[f"{name}_{n}"] = (key, name)
                returning[f"returning_{n}"] = Count(
                    "person", distinct=True, filter=where
                )
                names[f"returning_{n}"] = (key, "returning")
            found = self.visits.aggregate(**counts)
            found |= self.visits.filter(person__in=self.came_before()).aggregate(
                **returning
            )
            by_site: dict = {key: {} for key in wheres}
            for alias, value in found.items():
                key, name = names[alias]
                by_site[key][name] = value
            held: dict[int | None, int] = {}
            for row in self.sessions():
                for key in (None, row["session__site"]):
                    held[key] = held.get(key, 0) + 1
            for key, figures in by_site.items():
                figures["new"] = figures["people"] - figures["returning"]
                figures["sessions"] = held.get(key, 0)
            if not self.multi:
                by_site.update(dict.fromkeys(self.site_ids, by_site[None]))
            self._by_site = by_site
        return self._by_site

    def overall(self) -> dict:
        return self._figures()[None]

    def sessions(self) -> list[dict]:
        if self._sessions is None:
            self._sessions = value.session_rows(self.visits)
        return self._sessions

    def build(self) -> Report:
        makers = {
            HEADLINES: self.headlines,
            ATTENDANCE: self.attendance,
            ACTIVITIES: self.activities,
            SIGNPOSTING: self.signposting,
            SAFEGUARDING: self.safeguarding,
            STORIES: self.stories,
            DEMOGRAPHICS: self.demographics,
            SOCIAL_VALUE: self.social_value,
        }
        sections = []
        for key in self.o.sections:
            section = Section(key, self.o.heading(key))
            makers[key](section)
            for table in section.tables:
                table.finish(self.o.threshold)
            sections.append(section)
        settings = ReportSettings.objects.filter(
            organisation=self.o.organisation
        ).first()
        return Report(
            self.o,
            sections,
            generated=timezone.localtime(),
            logo=settings.logo_data_uri if settings else "",
            warnings=self.warnings,
        )

    def headlines(self, section: Section) -> None:
        by_site = self._figures()
        columns = [by_site[pk] for pk in self.site_ids]
        names = [s.name for s in self.o.sites]
        if self.multi:
            columns.append(self.overall())
            names.append(_("All sites"))
        table = Table("headlines", _("Headline figures"), ["", *names])
        people = table.add(_("People supported"), *(Cell(c["people"]) for c in columns))
        new = table.add(_("New people"), *(Cell(c["new"]) for c in columns))
        returning = table.add(
            _("Returning people"), *(Cell(c["people"] - c["new"]) for c in columns)
        )
        visits = table.add(_("Visits"), *(Cell(c["visits"]) for c in columns))
        unnamed = table.add(
            _("Unnamed head-counts"), *(Cell(c["unnamed"]) for c in columns)
        )
        table.add(_("Sessions held"), *(Cell(c["sessions"], NUMBER) for c in columns))
        table.add(
            _("Average people per session"),
            *(
                Cell(
                    Decimal(c["visits"]) / c["sessions"] if c["sessions"] else None,
                    DECIMAL,
                    depends_on=(visits[i],),
                )
                for i, c in enumerate(columns)
            ),
        )
        # New + returning = supported, in every column.
        table.groups = [
            (total, [n, r]) for total, n, r in zip(people, new, returning, strict=True)
        ]
        if self.multi:
            # Visits and head-counts add up across sites (people don't: one
            # woman may come to both).
            for row in (visits, unnamed):
                table.groups.append((row[-1], row[:-1]))
        table.notes.append(
            _(
                "People supported are different named people who came at least once. "
                "New people came to us for the first time in this period; returning "
                "people first came before it. Visits include unnamed head-counts."
            )
        )
        if self.multi:
            table.notes.append(
                _("Someone who came to more than one site counts once in “All sites”.")
            )
        section.tables.append(table)

    def attendance(self, section: Section) -> None:
        p = self.o.period
        weekly = p.days <= WEEKLY_UP_TO_DAYS
        counts: dict[tuple[dt.date, int], int] = {}
        for row in self.sessions():
            day = row["session__date"]
            if weekly:
                bucket = day - dt.timedelta(days=day.weekday())
            else:
                bucket = day.replace(day=1)
            key = (bucket, row["session__site"])
            counts[key] = counts.get(key, 0) + row["visits"]
        if weekly:
            first = p.start - dt.timedelta(days=p.start.weekday())
            buckets = []
            while first <= p.end:
                buckets.append(first)
                first += dt.timedelta(days=7)
        else:
            buckets = p.months()
        unit = _("Week starting") if weekly else _("Month")
        names = [s.name for s in self.o.sites]
        table = Table(
            "attendance",
            _("Visits by week") if weekly else _("Visits by month"),
            [unit, *names, *([_("All sites")] if self.multi else [])],
            total_row=True,
            total_col=self.multi,
        )
        for bucket in buckets:
            values = [counts.get((bucket, pk), 0) for pk in self.site_ids]
            if self.multi:
                values.append(sum(values))
            table.add(
                formats.date_format(bucket, "j M Y" if weekly else "F Y"),
                *(Cell(v) for v in values),
            )
        totals = [sum(counts.get((b, pk), 0) for b in buckets) for pk in self.site_ids]
        if self.multi:
            totals.append(sum(totals))
        table.add(_("Whole period"), *(Cell(v) for v in totals))
        if weekly and (buckets[0] < p.start or buckets[-1] + dt.timedelta(6) > p.end):
            table.notes.append(
                _("The first and last weeks count only the days inside the period.")
            )
        section.tables.append(table)
        # Drawn after suppression so the chart hides what the table hides.
        table.finish(self.o.threshold)
        series = []
        for i, name in enumerate(names):
            values = [
                None if row[i + 1].hidden else row[i + 1].value
                for row in table.rows[:-1]
            ]
            series.append((name, values))
        svg = charts.line_chart(
            buckets,
            series,
            ylabel=_("Visits"),
            date_format="%-d %b" if weekly else "%b %Y",
        )
        section.chart = charts.data_uri(svg)
        alt = (
            _(
                "A line chart of visits by week at %(sites)s. The same figures "
                "are in the table below it."
            )
            if weekly
            else _(
                "A line chart of visits by month at %(sites)s. The same figures "
                "are in the table below it."
            )
        )
        section.chart_alt = alt % {"sites": ", ".join(names)}
        if any(cell.hidden for row in table.rows for cell in row):
            section.paragraphs.append(
                _("Where a figure is hidden in the table, the chart leaves a gap.")
            )

    def activities(self, section: Section) -> None:
        overall = self.overall()
        rows = list(
            self.visits.values("activity__name")
            .annotate(visits=Count("id"), people=Count("person", distinct=True))
            .order_by("-visits", "activity__name")
        )
        table = Table(
            "activities", _("Activities"), [_("Activity"), _("Visits"), _("People")]
        )
        for row in rows:
            table.add(
                row["activity__name"] or _("Not recorded"),
                Cell(row["visits"]),
                Cell(row["people"]),
            )
        all_visits, _people = table.add(
            _("All activities"), Cell(overall["visits"]), Cell(overall["people"])
        )
        table.groups = [(all_visits, [row[1] for row in table.rows[:-1]])]
        table.notes.append(
            _(
                "Someone who did more than one activity counts once in each, and once "
                "in “All activities”."
            )
        )
        section.tables.append(table)

        giving = Table("giving", _("Giving as well as receiving"), ["", _("Figure")])
        (helped,) = giving.add(
            _("People who helped out at least once"), Cell(overall["helped"])
        )
        giving.add(
            _("Share of people supported"),
            Cell(
                _pct(overall["helped"], overall["people"]),
                PERCENT,
                depends_on=(helped,),
            ),
        )
        giving.add(_("Visits when someone helped out"), Cell(overall["helped_visits"]))
        giving.notes.append(
            _(
                "“There are times I can give support, there are times I need it.” "
                "Helping out means running a group, teaching a skill or making the "
                "tea. We count it in aggregate only, never who helped whom."
            )
        )
        section.tables.append(giving)

    def _signposts(self):
        from signposting.models import Signpost

        p = self.o.period
        signposts = Signpost.objects.filter(organisation=self.o.organisation).between(
            p.start, p.end
        )
        if not self.o.all_sites:
            signposts = signposts.filter(site_id__in=self.site_ids)
        return signposts

    def signposting(self, section: Section) -> None:
        signposts = self._signposts()
        counts = signposts.counts()
        table = Table("signposting", _("Information given"), ["", _("Times")])
        (times,) = table.add(_("Times information was given"), Cell(counts["times"]))
        (helped,) = table.add(
            _("Times we helped someone get in touch"), Cell(counts["helped"])
        )
        table.add(
            _("Share with help to get in touch"),
            Cell(
                _pct(counts["helped"], counts["times"]),
                PERCENT,
                depends_on=(helped, times),
            ),
        )
        section.tables.append(table)
        by_category = Table(
            "signposting_categories",
            _("Information given by category"),
            ["", _("Times")],
        )
        for row in signposts.counts_by_category():
            by_category.add(row["name"], Cell(row["times"]))
        if not by_category.rows:
            by_category.add(_("No information given in this period"), Cell(None, TEXT))
        by_category.notes.append(
            _("A conversation about services in two categories counts in both.")
        )
        section.tables.append(by_category)

    def safeguarding(self, section: Section) -> None:
        from safeguarding.models import ReflectionSession, WorryReview

        p, org = self.o.period, self.o.organisation
        held = ReflectionSession.objects.held_between(org, p.start, p.end).count()
        summary = WorryReview.objects.for_organisation_between(
            org, p.start, p.end
        ).summary()
        table = Table("safeguarding", _("Community safeguarding"), ["", _("Count")])
        table.add(_("Reflection sessions held"), Cell(held, NUMBER))
        table.add(_("Worries talked through"), Cell(summary["worries"]))
        table.add(_("Formal referrals made"), Cell(summary["referrals"]))
        section.tables.append(table)
        labels = dict(WorryReview.REFERRAL_TO)
        kinds = Table(
            "referrals",
            _("Formal referrals by kind"),
            [_("Referred to"), _("Referrals")],
        )
        by_kind = summary["referrals_by_kind"]
        for kind, label in labels.items():
            kinds.add(label, Cell(by_kind.get(kind, 0)))
        if by_kind.get(""):
            kinds.add(_("Not recorded"), Cell(by_kind[""]))
        kinds.add(_("All formal referrals"), Cell(summary["referrals"]))
        kinds.total_row = True
        section.tables.append(kinds)
        section.paragraphs.append(
            _(
                "Counts only, for the whole organisation (not split by site). Once a "
                "month we meet with our partner group to talk through worries about "
                "women's safety and wellbeing, starting with what's strong, and decide "
                "together whether anything more is needed. A formal referral is one "
                "made to another service, with her knowledge wherever it is safe."
            )
        )

    def stories(self, section: Section) -> None:
        p, threshold = self.o.period, self.o.threshold
        in_period = Story.objects.in_report(
            self.o.organisation, p.start, p.end, self.site_ids, self.o.all_sites
        )
        tags = {key: 0 for key, _ in OUTCOMES}
        n_stories = 0
        for outcomes in in_period.values_list("outcomes", flat=True):
            n_stories += 1
            for key in set(outcomes or []):
                if key in tags:
                    tags[key] += 1
        table = Table("outcomes", _("What changed"), [_("Outcome"), _("Stories")])
        cells = {}
        for key, n in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0])):
            (cells[key],) = table.add(OUTCOME_LABELS[key], Cell(n))
        table.finish(threshold)
        # A change whose count is hidden isn't named beside her words either:
        # the quotes tagged with it could be counted. Her words still print;
        # they are what she agreed to share.
        hidden = {key for key, cell in cells.items() if cell.hidden}
        unreadable = 0
        for story in (
            in_period.shareable().select_related("site").order_by("date", "id")
        ):
            if isinstance(story.text, crypto.Unreadable):
                # A funder's copy never holds "can't be read": leave it out and
                # tell the coordinator on the preview.
                unreadable += 1
                continue
            section.stories.append(
                {
                    "text": story.text,
                    "credit": story.credit(),
                    "date": story.date,
                    "outcomes": story.outcome_labels(leave_out=hidden),
                }
            )
        if unreadable:
            self.warnings.append(
                ngettext(
                    "%(n)s story couldn't be read and is left out: tell whoever "
                    "looks after the server.",
                    "%(n)s stories couldn't be read and are left out: tell "
                    "whoever looks after the server.",
                    unreadable,
                )
                % {"n": unreadable}
            )
        if 0 < n_stories < threshold:
            told = _("From fewer than %(n)s stories recorded in the period.") % {
                "n": threshold
            }
        else:
            told = ngettext(
                "From %(n)s story recorded in the period.",
                "From %(n)s stories recorded in the period.",
                n_stories,
            ) % {"n": n_stories}
        table.notes.insert(
            0,
            told
            + " "
            + _(
                "One story can tell of more than one change. Only stories she "
                "agreed we could share are printed, in the words she approved."
            ),
        )
        if hidden and section.stories:
            table.notes.insert(
                1,
                _(
                    "Beside each story we name only the changes counted in full "
                    "here, so that a hidden count can't be worked out from them."
                ),
            )
        section.tables.append(table)

    def demographics(self, section: Section) -> None:
        supported = Person.objects.filter(
            pk__in=self.visits.filter(person__isnull=False).values("person")
        )
        people = self.overall()["people"]
        # Age band and postcode in one query (one pass over the period's
        # visits, not two): a row for each pair that occurs, so hardly more
        # rows than there are postcodes.
        bands: dict[str, int] = {}
        districts: dict[str, int] = {}
        for band, postcode, n in (
            supported.values_list("age_band", "postcode")
            .annotate(n=Count("id"))
            .order_by()
        ):
            bands[band] = bands.get(band, 0) + n
            key = district(postcode)
            districts[key] = districts.get(key, 0) + n
        ages = Table("age", _("Age"), [_("Age"), _("People")], total_row=True)
        for key, label in AGE_BANDS:
            ages.add(label, Cell(bands.get(key, 0)))
        ages.add(_("Not given"), Cell(bands.get("", 0)))
        ages.add(_("All people supported"), Cell(people))
        section.tables.append(ages)

        places = Table(
            "postcode_districts",
            _("Where people live (postcode district)"),
            [_("Postcode district"), _("People")],
            total_row=True,
        )
        for key in sorted(k for k in districts if k not in ("", "?")):
            places.add(key, Cell(districts[key]))
        places.add(_("Not given"), Cell(districts.get("", 0)))
        if districts.get("?"):
            places.add(_("Not a postcode we recognise"), Cell(districts["?"]))
        places.add(_("All people supported"), Cell(people))
        section.tables.append(places)
        section.paragraphs.append(
            _(
                "Only from what people chose to tell us: every question is optional, "
                "and “not given” is counted honestly."
            )
        )

    def social_value(self, section: Section) -> None:
        p = self.o.period
        framework = value.build(
            self.o.organisation,
            p.months(),
            visits=self.visits,
            rows=self.sessions,
            signposts=self._signposts(),
        )
        value_report.fill(section, framework, self.o)


def build_report(options: Options) -> Report:
    return Builder(options).build()
