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

CAVEAT = (
    "These are estimates. They use the agreed rates shown, each with its "
    "source, the way People Focused Group in Doncaster and its commissioners "
    "valued their work. Citizens' mutual help has no perfect price: a cup of tea "
    "with someone who has been there too, or a friendship that keeps someone out "
    "of crisis, is worth more than any unit cost can say."
)
ROUNDING = (
    "Every figure is worked out from unrounded amounts (a rate may be a fraction "
    "of a penny) and shown to the penny, half a penny rounding up; so a total "
    "can differ by a penny from the sum of the rounded figures above it."
)
BASIS_WORDS = {
    "statutory": "statutory funding (council, NHS and other public bodies)",
    INCOME_BASIS: "our income",
}


def _with_summary(monthly: list, n: int) -> list:
    mean = sum((v for v in monthly if v is not None), ZERO) / n
    return [*monthly, mean, mean * 12]


def _ratio(part, whole, scale: int = 1):
    return part * scale / whole if whole else None


def _span(months: list[dt.date]) -> str:
    first, last = months[0], months[-1]
    return f"{first:%b %Y}" if first == last else f"{first:%b %Y} to {last:%b %Y}"


def year_label(framework: Framework, period) -> tuple[str, bool]:
    """The last column's heading, and whether it is a whole year of figures."""
    whole = (
        len(framework.months) == 12
        and period.start.day == 1
        and period.end == month_end(period.end)
    )
    return ("Whole year" if whole else "Year estimate (mean × 12)"), whole


def fill(section, framework: Framework, options) -> None:
    section.paragraphs.append(CAVEAT)
    if not framework.rows:
        empty = Table("social_value", "Social value", ["", "Figure"])
        empty.add("No value lines set up yet", Cell(None, TEXT))
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
        "What we counted",
        ["", "One unit is", *(f"{m:%b %Y}" for m in months), "Mean month"],
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
            "Counted from what we recorded at the time: "
            + "; ".join(
                f"{line.name} ({line.get_source_display().lower()})" for line in records
            )
            + "."
        )
    if typed:
        table.notes.append(
            "Typed in each month, or logged as it happened: "
            + ", ".join(line.name for line in typed)
            + ". These are totals for the whole organisation, never about any "
            "one person."
        )
    return table, cells


def _value_table(framework: Framework, options, count_cells: dict) -> Table:
    months, n = framework.months, len(framework.months)
    heading, whole_year = year_label(framework, options.period)
    table = Table(
        "social_value",
        "Social value",
        ["", *(f"{m:%b %Y}" for m in months), "Mean month", heading],
    )
    month_cells: list[list[Cell]] = [[] for _ in months]
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

    total = add_total("Total social value", "amount")
    ranges = {}
    if framework.has_range:
        ranges["low"] = add_total("Total at the lowest rates", "low")
        ranges["high"] = add_total("Total at the highest rates", "high")

    statutory = _with_summary(framework.statutory, n)
    other = _with_summary(framework.other, n)
    income = [s + o for s, o in zip(statutory, other, strict=True)]
    table.add("Statutory income", *(Cell(v, PENCE) for v in statutory))
    table.add("Other income", *(Cell(v, PENCE) for v in other))
    table.add("Total income", *(Cell(v, PENCE) for v in income))
    cost = income if options.cost_basis == INCOME_BASIS else statutory
    basis = "all income" if options.cost_basis == INCOME_BASIS else "statutory funding"

    def against(cells: list[Cell], money: list, scale: int, kind: str) -> list[Cell]:
        return [
            Cell(_ratio(c.value, m, scale), kind, depends_on=(c,))
            for c, m in zip(cells, money, strict=True)
        ]

    table.add(
        "Share paid for by statutory money",
        *(
            Cell(_ratio(s, c.value, 100), PERCENT1, depends_on=(c,))
            for c, s in zip(total, statutory, strict=True)
        ),
    )
    table.add(f"Return per £1 of {basis}", *against(total, cost, 1, RATE))
    table.add("Return as a percentage", *against(total, cost, 100, PERCENT))
    for which, cells in ranges.items():
        word = "lowest" if which == "low" else "highest"
        table.add(
            f"Return per £1 at the {word} rates",
            *against(cells, cost, 1, RATE),
        )

    table.notes.append(
        "Mean month: the period's total over its "
        f"{n} month{'s' if n != 1 else ''}. "
        + (
            "Whole year: the twelve months of this report added up. "
            if whole_year
            else "Year estimate: the mean month × 12. "
        )
        + f"Return per £1: social value ÷ {basis}; as a percentage, the same × 100. "
        "Share paid for by statutory money: statutory income ÷ social value."
    )
    table.notes.append(
        "Each month is valued at the rates in force on its first day (see “Rates "
        "and their sources”), so changing a rate later never changes a past report."
    )
    table.notes.append(ROUNDING)
    for row, month in framework.unvalued():
        table.notes.append(
            f"No rate was set for “{row.label}” in {month:%B %Y}: it is counted "
            "but not valued that month."
        )
    table.notes += framework.overlaps()
    p = options.period
    if p.start.day != 1 or p.end != month_end(p.end):
        table.notes.append(
            "The first and last months count records only for the days inside the "
            "period; typed figures and income are for whole months."
        )
    if not options.all_sites:
        table.notes.append(
            "Lines counted from visits and signposting cover the chosen sites; "
            "typed figures, tallies, members and income are for the whole "
            "organisation."
        )
    return table


def _find(table: Table, label: str) -> list[Cell] | None:
    for row in table.rows:
        if row[0].value == label:
            return row[1:]
    return None


def _sentences(table: Table, framework: Framework, options) -> list[str]:
    """What the table says, in words, for the funder who reads this page first.
    Built from the finished cells, so a hidden figure is never put in words."""
    basis = options.cost_basis if options.cost_basis == INCOME_BASIS else "statutory"
    total = _find(table, "Total social value")
    per_pound = next(
        row[1:] for row in table.rows if str(row[0].value).startswith("Return per £1")
    )
    year, mean, per = total[-1], total[-2], per_pound[-1]
    if any(c.hidden for c in (year, mean, per)):
        return [
            "Some figures are hidden so that no one can be recognised, so the "
            "totals are not put into words."
        ]
    sentences = []
    if per.value is None:
        sentences.append(
            f"No {'income' if basis == INCOME_BASIS else 'statutory income'} was "
            "recorded for this period, so there is no return per £1 to show."
        )
    else:
        sentence = (
            f"For every £1 of {BASIS_WORDS[basis]}, the work was worth "
            f"{table.display(per)} at the rates agreed with our funders."
        )
        low = _find(table, per_pound_label(table, "lowest"))
        high = _find(table, per_pound_label(table, "highest"))
        if low and high and low[-1].value is not None:
            sentence += (
                f" At the lowest and highest rates, between {table.display(low[-1])}"
                f" and {table.display(high[-1])}."
            )
        sentences.append(sentence)
    share = _find(table, "Share paid for by statutory money")[-1]
    if share.value is not None and not share.hidden:
        sentences.append(
            f"Statutory money paid for {table.display(share)} of the value of the work."
        )
    heading, whole_year = year_label(framework, options.period)
    n = len(framework.months)
    sentences.append(
        f"In a typical month the work was worth {table.display(mean)}; over a "
        f"year, {table.display(year)} "
        + (
            "(the twelve months of this report added up)."
            if whole_year
            else f"(a typical month × 12, as this report covers {n} "
            f"month{'s' if n != 1 else ''})."
        )
    )
    return sentences


def per_pound_label(table: Table, word: str) -> str:
    for row in table.rows:
        label = str(row[0].value)
        if label.startswith("Return per £1") and label.endswith(f"{word} rates"):
            return label
    return ""


def _rates_table(framework: Framework) -> Table:
    table = Table(
        "social_value_rates",
        "Rates and their sources",
        ["", "One unit is", "£ per unit", "Low", "High", "Used for", "Source"],
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
        table.add("No rates set for these months", *(Cell(None, TEXT),) * 6)
    table.notes.append(
        "Rates are shown as agreed, to a fraction of a penny where they are; a "
        "dash means no low or high value was given."
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
    svg = charts.stacked_bar_chart(framework.months, series, ylabel="£ a month")
    section.chart = charts.data_uri(svg)
    section.chart_alt = (
        "A bar chart of social value by month, each bar made up of the value lines "
        f"({', '.join(by_line)}). The same figures are in the table below it."
    )
