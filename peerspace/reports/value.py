"""Social value month by month, the way People Focused Group counts it.

Each value line's count for a month (from Peerspace's own records, or typed in
and tallied) times the rate in force on the month's first day, summed per
month, set against the money that came in.

Amounts stay exact (Decimal, unrounded) all the way through: a rate may be a
fraction of a penny, and every total, mean and return is worked out from the
unrounded values. Rounding happens once, at display, to the penny, half up
(tables.display and tables.spreadsheet_value), so the HTML, PDF, CSV and XLSX
all show the same figures.

Counts from records are aggregated in the database, one query per kind of
record, whatever the number of months, lines or visits.
"""

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FloatField, Func, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from peerspace.accounts.models import Organisation

from .models import (
    HELPED_OUT,
    HOURS,
    MEMBERS,
    OVERLAPS,
    PEOPLE,
    REFLECTION,
    SESSIONS,
    SIGNPOSTS,
    SIGNPOSTS_HELPED,
    TYPED,
    VISITS,
    Income,
    Rate,
    Tally,
    ValueLevel,
    ValueLine,
)
from .periods import add_months, month_end

ZERO = Decimal(0)
SESSION_SOURCES = {VISITS, SESSIONS, HOURS, HELPED_OUT}


class StaySeconds(Func):
    """Seconds from arrival to leaving, in the database's own date functions
    (Django's portable duration arithmetic runs a Python function per row on
    SQLite, which is most of a year's report)."""

    output_field = FloatField()

    def __init__(self, **extra):
        super().__init__(F("left_at"), F("arrived_at"), **extra)

    def as_sql(self, compiler, connection, **extra):
        left, _ = compiler.compile(self.source_expressions[0])
        arrived, _ = compiler.compile(self.source_expressions[1])
        if connection.vendor == "sqlite":
            sql = f"((julianday({left}) - julianday({arrived})) * 86400.0)"
        else:
            sql = f"EXTRACT(EPOCH FROM ({left} - {arrived}))"
        return sql, []


def session_rows(visits) -> list[dict]:
    """Visits, helping out and time signed in, one row per session: what
    attendance over time and social value add up (a few hundred rows a year,
    however many visits)."""
    return list(
        visits.values("session_id", "session__date", "session__site")
        .annotate(
            visits=Count("id"),
            helped=Count("id", filter=Q(helped_out=True)),
            stay=Sum(StaySeconds(), filter=Q(left_at__gt=F("arrived_at"))),
        )
        .order_by()
    )


def month_of(value) -> dt.date:
    """TruncMonth gives a date, or a datetime on some backends."""
    return value.date() if isinstance(value, dt.datetime) else value


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass
class Row:
    """One line of the table: a value line, or one level of it."""

    line: ValueLine
    level: ValueLevel | None
    counts: list[Decimal]  # by month
    rates: list[Rate | None]  # in force on each month's first day
    # Typed lines only: the month's typed total (None if none was typed) and
    # what was logged as quick tallies; counts = typed + tallied.
    typed: list[Decimal | None] = field(default_factory=list)
    tallied: list[Decimal] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.line.name}: {self.level.name}" if self.level else self.line.name

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.line.pk, self.level.pk if self.level else None)

    def values(self, which: str = "amount") -> list[Decimal | None]:
        """£ by month at the agreed ("amount"), "low" or "high" rates; None
        for a month with no rate (counted but not valued)."""
        out = []
        for count, rate in zip(self.counts, self.rates, strict=True):
            if rate is None:
                out.append(None)
                continue
            amount = getattr(rate, which)
            out.append(count * (rate.amount if amount is None else amount))
        return out


@dataclass
class Framework:
    organisation: Organisation
    months: list[dt.date]
    lines: list[ValueLine]
    rows: list[Row]
    statutory: list[Decimal]
    other: list[Decimal]

    def total(self, which: str = "amount") -> list[Decimal]:
        totals = [ZERO] * len(self.months)
        for row in self.rows:
            for i, value in enumerate(row.values(which)):
                if value is not None:
                    totals[i] += value
        return totals

    @property
    def has_range(self) -> bool:
        return any(
            r is not None and r.has_range for row in self.rows for r in row.rates
        )

    def unvalued(self) -> list[tuple[Row, dt.date]]:
        """Months with a count but no rate in force."""
        return [
            (row, month)
            for row in self.rows
            for month, count, rate in zip(
                self.months, row.counts, row.rates, strict=True
            )
            if rate is None and count
        ]

    def overlaps(self) -> list[str]:
        return overlap_warnings(self.lines)

    def row(self, line: ValueLine, level: ValueLevel | None = None) -> Row:
        key = (line.pk, level.pk if level else None)
        return next(r for r in self.rows if r.key == key)


def overlap_warnings(lines: list[ValueLine]) -> list[str]:
    """Plain warnings where two lines would count the same records."""
    warnings = []
    records = [line for line in lines if line.source != TYPED]
    for i, a in enumerate(records):
        for b in records[i + 1 :]:
            if a.source == b.source:
                why = gettext("they count the same records")
            else:
                why = OVERLAPS.get(frozenset({a.source, b.source}))
            if why:
                warnings.append(
                    gettext(
                        "“%(first)s” and “%(second)s” count some of the same work "
                        "(%(why)s), so valuing both may count it twice."
                    )
                    % {"first": a.name, "second": b.name, "why": why}
                )
    return warnings


def _rates_by_key(organisation, last_month: dt.date) -> dict:
    by_key: dict[tuple[int, int | None], list[Rate]] = defaultdict(list)
    for rate in Rate.objects.filter(
        line__organisation=organisation, effective_from__lte=last_month
    ).order_by("effective_from"):
        by_key[(rate.line_id, rate.level_id)].append(rate)
    return by_key


def _in_force(rates: list[Rate], month: dt.date) -> Rate | None:
    i = bisect.bisect_right([r.effective_from for r in rates], month)
    return rates[i - 1] if i else None


def _records(
    organisation,
    sources: set[str],
    months: list[dt.date],
    visits,
    rows: Callable[[], list[dict]],
    signposts,
) -> dict[str, dict[dt.date, Decimal]]:
    """Counts by source and month, one query per kind of record used."""
    counts: dict[str, dict[dt.date, Decimal]] = {
        s: defaultdict(Decimal) for s in sources
    }
    if sources & SESSION_SOURCES:
        seconds: dict[dt.date, float] = defaultdict(float)
        for row in rows():
            m = row["session__date"].replace(day=1)
            for source, value in (
                (VISITS, row["visits"]),
                (HELPED_OUT, row["helped"]),
                (SESSIONS, 1),
            ):
                if source in counts:
                    counts[source][m] += value
            seconds[m] += row["stay"] or 0.0
        if HOURS in counts:
            # To the whole minute: the database's date arithmetic is a float.
            for m, total in seconds.items():
                counts[HOURS][m] = Decimal(round(total / 60)) / 60
    if PEOPLE in counts:
        for row in (
            visits.filter(person__isnull=False)
            .annotate(m=TruncMonth("session__date"))
            .values("m")
            .annotate(n=Count("person", distinct=True))
            .order_by()
        ):
            counts[PEOPLE][month_of(row["m"])] = Decimal(row["n"])
    if sources & {SIGNPOSTS, SIGNPOSTS_HELPED}:
        for row in (
            signposts.annotate(m=TruncMonth("date"))
            .values("m")
            .annotate(
                times=Count("id"), helped=Count("id", filter=Q(helped_to_contact=True))
            )
            .order_by()
        ):
            for source, key in ((SIGNPOSTS, "times"), (SIGNPOSTS_HELPED, "helped")):
                if source in counts:
                    counts[source][month_of(row["m"])] = Decimal(row[key])
    if MEMBERS in counts:
        from attendance.models import Person

        ends = {}
        for i, month in enumerate(months):
            end = timezone.make_aware(
                dt.datetime.combine(add_months(month, 1), dt.time())
            )
            ends[f"m{i}"] = Count(
                "id",
                filter=Q(created__lt=end)
                & (Q(erased_at__isnull=True) | Q(erased_at__gte=end)),
            )
        found = Person.objects.filter(organisation=organisation).aggregate(**ends)
        for i, month in enumerate(months):
            counts[MEMBERS][month] = Decimal(found[f"m{i}"])
    if REFLECTION in counts:
        from safeguarding.models import ReflectionSession

        held = ReflectionSession.objects.held_between(
            organisation, months[0], month_end(months[-1])
        )
        for row in (
            ReflectionSession.objects.filter(pk__in=held.values("pk"))
            .annotate(m=TruncMonth("date"))
            .values("m")
            .annotate(n=Count("id"))
            .order_by()
        ):
            counts[REFLECTION][month_of(row["m"])] = Decimal(row["n"])
    return counts


def default_visits(organisation, months: list[dt.date]):
    from attendance.models import Visit

    return Visit.objects.filter(
        session__site__organisation=organisation,
        session__date__gte=months[0],
        session__date__lte=month_end(months[-1]),
    )


def default_signposts(organisation, months: list[dt.date]):
    from signposting.models import Signpost

    return Signpost.objects.filter(organisation=organisation).between(
        months[0], month_end(months[-1])
    )


def build(
    organisation: Organisation,
    months: list[dt.date],
    *,
    visits=None,
    rows: Callable[[], list[dict]] | None = None,
    signposts=None,
) -> Framework:
    """The framework's rows for these months. Without querysets, records are
    counted for the whole organisation and the whole of each month."""
    if visits is None:
        visits = default_visits(organisation, months)
    if rows is None:

        def rows() -> list[dict]:
            return session_rows(visits)

    if signposts is None:
        signposts = default_signposts(organisation, months)
    lines = list(
        ValueLine.objects.filter(organisation=organisation).prefetch_related("levels")
    )
    rates = _rates_by_key(organisation, months[-1])
    records = _records(
        organisation,
        {line.source for line in lines} - {TYPED},
        months,
        visits,
        rows,
        signposts,
    )
    typed: dict[tuple, dict[dt.date, dict]] = defaultdict(dict)
    if any(line.source == TYPED for line in lines):
        for row in (
            Tally.objects.filter(
                line__organisation=organisation,
                month__gte=months[0],
                month__lte=months[-1],
            )
            .values("line_id", "level_id", "month")
            .annotate(
                typed=Sum("count", filter=Q(date__isnull=True)),
                tallied=Sum("count", filter=Q(date__isnull=False)),
            )
            .order_by()
        ):
            typed[(row["line_id"], row["level_id"])][row["month"]] = row
    table = []
    for line in lines:
        levels = list(line.levels.all()) if line.source == TYPED else []
        for level in levels or [None]:
            key = (line.pk, level.pk if level else None)
            own = rates.get(key) or rates.get((line.pk, None), [])
            row = Row(line, level, [], [_in_force(own, m) for m in months])
            if line.source == TYPED:
                for m in months:
                    found = typed[key].get(m, {})
                    row.typed.append(found.get("typed"))
                    row.tallied.append(found.get("tallied") or ZERO)
                    row.counts.append((found.get("typed") or ZERO) + row.tallied[-1])
            else:
                row.counts = [records[line.source].get(m, ZERO) for m in months]
            table.append(row)
    income = {
        Income.STATUTORY: defaultdict(Decimal),
        Income.OTHER: defaultdict(Decimal),
    }
    for row in (
        Income.objects.filter(
            organisation=organisation, month__gte=months[0], month__lte=months[-1]
        )
        .values("kind", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        income[row["kind"]][row["month"]] += row["total"]
    return Framework(
        organisation,
        months,
        lines,
        table,
        statutory=[income[Income.STATUTORY][m] for m in months],
        other=[income[Income.OTHER][m] for m in months],
    )


def data_months(organisation: Organisation) -> tuple[dt.date, dt.date] | None:
    """The first and last month with anything to value: typed counts, tallies,
    income, or (for lines counted from records) visits and signposts."""
    from attendance.models import Visit
    from signposting.models import Signpost

    firsts, lasts = [], []
    for qs, field_name in (
        (Tally.objects.filter(line__organisation=organisation), "month"),
        (Income.objects.filter(organisation=organisation), "month"),
    ):
        found = qs.aggregate(first=Min(field_name), last=Max(field_name))
        if found["first"]:
            firsts.append(found["first"])
            lasts.append(found["last"])
    sources = set(
        ValueLine.objects.filter(organisation=organisation).values_list(
            "source", flat=True
        )
    )
    if sources & (SESSION_SOURCES | {PEOPLE, MEMBERS}):
        found = Visit.objects.filter(
            session__site__organisation=organisation
        ).aggregate(first=Min("session__date"), last=Max("session__date"))
        if found["first"]:
            firsts.append(found["first"])
            lasts.append(found["last"])
    if sources & {SIGNPOSTS, SIGNPOSTS_HELPED}:
        found = Signpost.objects.filter(organisation=organisation).aggregate(
            first=Min("date"), last=Max("date")
        )
        if found["first"]:
            firsts.append(found["first"])
            lasts.append(found["last"])
    if not firsts:
        return None
    return min(firsts).replace(day=1), max(lasts).replace(day=1)
