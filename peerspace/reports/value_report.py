"""The social value section of a report: the table, what was counted, the rates
used and their sources, plain sentences a funder reads first, and a chart.

Counts of people are hidden when small, and every £ figure worked out from a
hidden count (its mean, its month's total, the return) is hidden with it, typed
counts of people (peer supporters, members) too: the rate is printed beside
the value, so £450 at £150 a peer supporter says "3" as plainly as the count.
Value from other typed lines (hours, crises helped through) is never hidden: it
is the group's own account of its work, not a count anyone could be
recognised from.
"""

import datetime as dt
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import charts
from .models import INCOME_BASIS, TYPED
from .periods import month_end
from .tables import (
    AS_AGREED,
    COUNT,
    PENCE,
    PERCENT,
    PERCENT1,
    QUANTITY,
    RATE,
    TEXT,
    Cell,
    Table,
)
from .value import ZERO, Framework, Row

CAVEAT = gettext_lazy(
    "These are estimates. They use the agreed rates shown, each with its "
    "source, the way People Focused Group in Doncaster and its commissioners "
    "valued their work. Citizens' mutual help has no perfect price: a cup of tea "
    "with someone who has been there too, or a friendship that keeps someone out "
    "of crisis, is worth more than any unit cost can say."
)
ROUNDING = gettext_lazy(
    "Every figure is worked out from unrounded amounts (a rate may be a fraction "
    "of a penny) and shown to the penny, half a penny rounding up; so a total "
    "can differ by a penny from the sum of the rounded figures above it."
)
BASIS_WORDS = {
    "statutory": gettext_lazy(
        "statutory funding (council, NHS and other public bodies)"
    ),
    INCOME_BASIS: gettext_lazy("our income"),
}


def _with_summary(monthly: list, n: int) -> list:
    mean = sum((v for v in monthly if v is not None), ZERO) / n
    return [*monthly, mean, mean * 12]


def _ratio(part, whole, scale: int = 1):
    return part * scale / whole if whole else None


def _span(months: list[dt.date]) -> str:
    first, last = months[0], months[-1]
    if first == last:
        return _month(first)
    return _("%(first)s to %(last)s") % {"first": _month(first), "last": _month(last)}


def _month(month: dt.date) -> str:
    """ "Apr 2025", in the report's language."""
    return formats.date_format(month, "M Y")


def year_label(framework: Framework, period) -> tuple[str, bool]:
    """The last column's heading, and whether it is a whole year of figures."""
    whole = (
        len(framework.months) == 12
        and period.start.day == 1
        and period.end == month_end(period.end)
    )
    return (_("Whole year") if whole else _("Year estimate (mean × 12)")), whole


def fill(section, framework: Framework, options) -> None:
    section.paragraphs.append(str(CAVEAT))
    if not framework.rows:
        empty = Table("social_value", _("Social value"), ["", _("Figure")])
        empty.add(_("No value lines set up yet"), Cell(None, TEXT))
        section.tables.append(empty)
        return
    threshold = options.threshold
    counts, count_cells = _counts_table(framework)
    counts.finish(threshold)
    table = _value_table(framework, options, count_cells)
    table.finish(threshold)
    table.summary = _sentences(table, framework, options)
    section.tables += [table, counts, _rates_table(framework)]
    for each in section.tables:
        each.landscape = True  # a column a month: see report.css
    _chart(section, framework, table)


def _counts_table(framework: Framework) -> tuple[Table, dict]:
    months = framework.months
    table = Table(
        "social_value_counts",
        _("What we counted"),
        ["", _("One unit is"), *(_month(m) for m in months), _("Mean month")],
    )
    cells: dict[tuple, list[Cell]] = {}
    for row in framework.rows:
        if row.line.of_people:
            monthly = [Cell(int(c), COUNT) for c in row.counts]
        else:
            monthly = [Cell(c, QUANTITY) for c in row.counts]
        mean = sum(row.counts, ZERO) / len(months)
        table.add(
            row.label,
            Cell(row.line.unit, TEXT),
            *monthly,
            Cell(mean, QUANTITY, depends_on=tuple(monthly)),
        )
        cells[row.key] = monthly
    records = [line for line in framework.lines if line.source != TYPED]
    typed = [line for line in framework.lines if line.source == TYPED]
    if records:
        table.notes.append(
            _("Counted from what we recorded at the time: %(lines)s.")
            % {
                "lines": "; ".join(
                    f"{line.name} ({line.get_source_display().lower()})"
                    for line in records
                )
            }
        )
    if typed:
        table.notes.append(
            _(
                "Typed in each month, or logged as it happened: %(lines)s. These "
                "are totals for the whole organisation, never about any one person."
            )
            % {"lines": ", ".join(line.name for line in typed)}
        )
    return table, cells


def _value_table(framework: Framework, options, count_cells: dict) -> Table:
    months, n = framework.months, len(framework.months)
    heading, whole_year = year_label(framework, options.period)
    table = Table(
        "social_value",
        _("Social value"),
        ["", *(_month(m) for m in months), _("Mean month"), heading],
    )
    month_cells: list[list[Cell]] = [[] for _month_ in months]
    for row in framework.rows:
        hideable = row.line.of_people
        cells = []
        for i, amount in enumerate(row.values()):
            depends = (count_cells[row.key][i],) if hideable else ()
            cells.append(Cell(amount, PENCE, depends_on=depends))
            month_cells[i].append(cells[-1])
        mean = _with_summary(row.values(), n)[-2:]
        summary = [Cell(v, PENCE, depends_on=tuple(cells)) for v in mean]
        table.add(row.label, *cells, *summary)

    def add_total(label: str, which: str) -> list[Cell]:
        monthly = framework.total(which)
        cells = [
            Cell(v, PENCE, depends_on=tuple(month_cells[i]))
            for i, v in enumerate(monthly)
        ]
        cells += [
            Cell(v, PENCE, depends_on=tuple(cells))
            for v in _with_summary(monthly, n)[-2:]
        ]
        return table.add(label, *cells)

    total = add_total(_("Total social value"), "amount")
    ranges = {}
    if framework.has_range:
        ranges["low"] = add_total(_("Total at the lowest rates"), "low")
        ranges["high"] = add_total(_("Total at the highest rates"), "high")

    statutory = _with_summary(framework.statutory, n)
    other = _with_summary(framework.other, n)
    income = [s + o for s, o in zip(statutory, other, strict=True)]
    table.add(_("Statutory income"), *(Cell(v, PENCE) for v in statutory))
    table.add(_("Other income"), *(Cell(v, PENCE) for v in other))
    table.add(_("Total income"), *(Cell(v, PENCE) for v in income))
    cost = income if options.cost_basis == INCOME_BASIS else statutory

    def against(cells: list[Cell], money: list, scale: int, kind: str) -> list[Cell]:
        return [
            Cell(_ratio(c.value, m, scale), kind, depends_on=(c,))
            for c, m in zip(cells, money, strict=True)
        ]

    table.add(
        _("Share paid for by statutory money"),
        *(
            Cell(_ratio(s, c.value, 100), PERCENT1, depends_on=(c,))
            for c, s in zip(total, statutory, strict=True)
        ),
    )
    table.add(return_label(options), *against(total, cost, 1, RATE))
    table.add(_("Return as a percentage"), *against(total, cost, 100, PERCENT))
    for which, cells in ranges.items():
        table.add(range_label(which), *against(cells, cost, 1, RATE))

    mean_month = ngettext(
        "Mean month: the period's total over its %(n)s month.",
        "Mean month: the period's total over its %(n)s months.",
        n,
    ) % {"n": n}
    year = (
        _("Whole year: the twelve months of this report added up.")
        if whole_year
        else _("Year estimate: the mean month × 12.")
    )
    per_pound = (
        _("Return per £1: social value ÷ all income; as a percentage, the same × 100.")
        if options.cost_basis == INCOME_BASIS
        else _(
            "Return per £1: social value ÷ statutory funding; as a percentage, "
            "the same × 100."
        )
    )
    share = _("Share paid for by statutory money: statutory income ÷ social value.")
    table.notes.append(" ".join([mean_month, year, per_pound, share]))
    table.notes.append(
        _(
            "Each month is valued at the rates in force on its first day (see "
            "“Rates and their sources”), so changing a rate later never changes "
            "a past report."
        )
    )
    table.notes.append(str(ROUNDING))
    for row, month in framework.unvalued():
        table.notes.append(
            _(
                "No rate was set for “%(line)s” in %(month)s: it is counted but "
                "not valued that month."
            )
            % {"line": row.label, "month": formats.date_format(month, "F Y")}
        )
    table.notes += framework.overlaps()
    p = options.period
    if p.start.day != 1 or p.end != month_end(p.end):
        table.notes.append(
            _(
                "The first and last months count records only for the days inside "
                "the period; typed figures and income are for whole months."
            )
        )
    if not options.all_sites:
        table.notes.append(
            _(
                "Lines counted from visits and signposting cover the chosen sites; "
                "typed figures, tallies, members and income are for the whole "
                "organisation."
            )
        )
    return table


def return_label(options) -> str:
    if options.cost_basis == INCOME_BASIS:
        return _("Return per £1 of all income")
    return _("Return per £1 of statutory funding")


def range_label(which: str) -> str:
    if which == "low":
        return _("Return per £1 at the lowest rates")
    return _("Return per £1 at the highest rates")


def _find(table: Table, label: str) -> list[Cell] | None:
    for row in table.rows:
        if row[0].value == label:
            return row[1:]
    return None


def _sentences(table: Table, framework: Framework, options) -> list[str]:
    """What the table says, in words, for the funder who reads this page first.
    Built from the finished cells, so a hidden figure is never put in words."""
    basis = options.cost_basis if options.cost_basis == INCOME_BASIS else "statutory"
    total = _find(table, _("Total social value"))
    per_pound = _find(table, return_label(options))
    year, mean, per = total[-1], total[-2], per_pound[-1]
    if any(c.hidden for c in (year, mean, per)):
        return [
            _(
                "Some figures are hidden so that no one can be recognised, so the "
                "totals are not put into words."
            )
        ]
    sentences = []
    if per.value is None:
        sentences.append(
            _(
                "No income was recorded for this period, so there is no return "
                "per £1 to show."
            )
            if basis == INCOME_BASIS
            else _(
                "No statutory income was recorded for this period, so there is no "
                "return per £1 to show."
            )
        )
    else:
        sentence = _(
            "For every £1 of %(basis)s, the work was worth %(value)s at the rates "
            "agreed with our funders."
        ) % {"basis": BASIS_WORDS[basis], "value": table.display(per)}
        low = _find(table, range_label("low"))
        high = _find(table, range_label("high"))
        if low and high and low[-1].value is not None:
            sentence += " " + _(
                "At the lowest and highest rates, between %(low)s and %(high)s."
            ) % {"low": table.display(low[-1]), "high": table.display(high[-1])}
        sentences.append(sentence)
    share = _find(table, _("Share paid for by statutory money"))[-1]
    if share.value is not None and not share.hidden:
        sentences.append(
            _("Statutory money paid for %(share)s of the value of the work.")
            % {"share": table.display(share)}
        )
    heading, whole_year = year_label(framework, options.period)
    n = len(framework.months)
    values = {"mean": table.display(mean), "year": table.display(year), "n": n}
    if whole_year:
        sentences.append(
            _(
                "In a typical month the work was worth %(mean)s; over a year, "
                "%(year)s (the twelve months of this report added up)."
            )
            % values
        )
    else:
        sentences.append(
            ngettext(
                "In a typical month the work was worth %(mean)s; over a year, "
                "%(year)s (a typical month × 12, as this report covers %(n)s "
                "month).",
                "In a typical month the work was worth %(mean)s; over a year, "
                "%(year)s (a typical month × 12, as this report covers %(n)s "
                "months).",
                n,
            )
            % values
        )
    return sentences


def _rates_table(framework: Framework) -> Table:
    table = Table(
        "social_value_rates",
        _("Rates and their sources"),
        [
            "",
            _("One unit is"),
            _("£ per unit"),
            _("Low"),
            _("High"),
            _("Used for"),
            _("Source"),
        ],
    )
    for row in framework.rows:
        for rate, months in _rate_spans(row, framework.months):
            table.add(
                row.label,
                Cell(row.line.unit, TEXT),
                Cell(rate.amount, AS_AGREED),
                Cell(rate.low, AS_AGREED),
                Cell(rate.high, AS_AGREED),
                Cell(_span(months), TEXT),
                Cell(rate.source, TEXT),
            )
    if not table.rows:
        table.add(_("No rates set for these months"), *(Cell(None, TEXT),) * 6)
    table.notes.append(
        _(
            "Rates are shown as agreed, to a fraction of a penny where they are; a "
            "dash means no low or high value was given."
        )
    )
    return table


def _rate_spans(row: Row, months: list[dt.date]):
    """Each rate the row used, with the months it was used for."""
    spans: list[tuple] = []
    for month, rate in zip(months, row.rates, strict=True):
        if rate is None:
            continue
        if spans and spans[-1][0].pk == rate.pk:
            spans[-1][1].append(month)
        else:
            spans.append((rate, [month]))
    return spans


def _chart(section, framework: Framework, table: Table) -> None:
    """Value by line by month, stacked; a month with a hidden figure is left
    out, so the bars never show what the table hides."""
    n = len(framework.months)
    by_line: dict[str, list[Decimal]] = {}
    for row, cells in zip(framework.rows, table.rows, strict=False):
        values = by_line.setdefault(row.line.name, [ZERO] * n)
        for i, cell in enumerate(cells[1 : n + 1]):
            values[i] += cell.value or ZERO
    shown = [
        not any(row[i + 1].hidden for row in table.rows[: len(framework.rows)])
        for i in range(n)
    ]
    series = [
        (name, [float(v) if shown[i] else None for i, v in enumerate(values)])
        for name, values in by_line.items()
    ]
    svg = charts.stacked_bar_chart(framework.months, series, ylabel=_("£ a month"))
    section.chart = charts.data_uri(svg)
    section.chart_alt = _(
        "A bar chart of social value by month, each bar made up of the value lines "
        "(%(lines)s). The same figures are in the table below it."
    ) % {"lines": ", ".join(by_line)}
