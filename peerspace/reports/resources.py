"""The social value framework in and out of a spreadsheet (CSV or XLSX),
through django-import-export, with the checks of the people and visits imports.
Report tables themselves are written by peerspace.spreadsheets.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Sum

from attendance.resources import OrganisationResource, cell_text
from peerspace.text import fold

from .models import (
    MONEY_PLACES,
    TYPED,
    Income,
    Rate,
    Tally,
    ValueLevel,
    ValueLine,
)
from .tables import plain

# The social value framework as one spreadsheet, month by month. A value row
# fills month, line, level, count, rate and source (with the optional columns
# after them); an income row fills month, income and amount. The same layout
# comes out of the export, so a file exported from one organisation imports
# into another (or an empty one) and gives the same table.
VALUE_COLUMNS = [
    "month",
    "line",
    "level",
    "count",
    "rate",
    "source",
    "low",
    "high",
    "unit",
    "people",
    "income",
    "amount",
    "income_name",
]
INCOME_KINDS = {
    "statutory": "statutory",
    "statutory funding": "statutory",
    "statutory income": "statutory",
    "other": "other",
    "other income": "other",
}
INCOME_NAMES = {"statutory": "Statutory income", "other": "Other income"}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d", "%m/%Y", "%d/%m/%Y", "%b %Y", "%B %Y"]


def parse_month(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = cell_text(value)
    for fmt in MONTH_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    return None


def parse_amount(value, places: int, column: str, errors: dict) -> Decimal | None:
    """A number as typed (never through binary floating point), or None if
    the cell is empty; a problem goes into errors."""
    if isinstance(value, float):
        value = repr(value)
    text = cell_text(value).replace(",", "").replace("£", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors[column] = f"“{text}” isn't a number."
        return None
    if not number.is_finite() or number < 0:
        errors[column] = "Please give a number of nought or more."
        return None
    if -number.normalize().as_tuple().exponent > places:
        errors[column] = f"Up to {places} decimal places, please."
        return None
    if number.adjusted() >= 10:
        errors[column] = "That number is too big."
        return None
    return number


class SocialValueResource(OrganisationResource):
    """One organisation's social value framework, in and out.

    Typed counts and income are saved row by row; rates are worked out once
    every row has been read (after_import), month by month in order, so a rate
    starts only in the months where it changes whatever the order of the rows.
    """

    columns = VALUE_COLUMNS
    aliases = {
        "value_line": "line",
        "what": "line",
        "units": "count",
        "number": "count",
        "rate_per_unit": "rate",
        "unit_rate": "rate",
        "rate_source": "source",
        "counts_people": "people",
        "income_type": "income",
        "income_source": "income",
        "amount_per_month": "amount",
        "funder": "income_name",
    }

    class Meta:
        model = Tally
        fields = VALUE_COLUMNS
        import_id_fields = []
        skip_diff = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lines: dict[str, ValueLine] | None = None
        self._levels: dict[int, dict[str, ValueLevel]] = {}
        self._typed: dict | None = None
        self._quick: dict = {}
        self._seen: dict[tuple, int] = {}
        # {(line, level): {month: ((amount, low, high, source), row number)}}
        self._wanted_rates: dict[tuple, dict[dt.date, tuple]] = defaultdict(dict)
        # Row number -> what the preview should call it, where the usual
        # new/update/skip would mislead (a row that only sets a rate).
        self.labels: dict[int, str] = {}

    def check_columns(self, found):
        if "month" not in found:
            raise ValidationError(self.columns_message("a month column"))
        if "line" not in found and "income" not in found:
            raise ValidationError(self.columns_message("a line or an income column"))

    def describe(self, row) -> str:
        what = cell_text(row.get("line"))
        if cell_text(row.get("level")):
            what += ": " + cell_text(row.get("level"))
        if not what and cell_text(row.get("income")):
            what = (
                cell_text(row.get("income_name")) or cell_text(row.get("income"))
            ) + " income"
        return " · ".join(p for p in (cell_text(row.get("month")), what) if p)

    # Export

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        from .value import build, data_months, months_between

        data = tablib.Dataset(headers=VALUE_COLUMNS)
        found = data_months(self.organisation)
        if found is None:
            return data
        framework = build(self.organisation, months_between(*found))
        for i, month in enumerate(framework.months):
            for row in framework.rows:
                rate = row.rates[i]
                data.append(
                    [
                        f"{month:%Y-%m}",
                        row.line.name,
                        row.level.name if row.level else "",
                        plain(row.counts[i]),
                        plain(rate.amount) if rate else "",
                        rate.source if rate else "",
                        plain(rate.low) if rate and rate.low is not None else "",
                        plain(rate.high) if rate and rate.high is not None else "",
                        row.line.unit,
                        "yes" if row.line.of_people else "no",
                        "",
                        "",
                        "",
                    ]
                )
        for income in Income.objects.filter(organisation=self.organisation).order_by(
            "month", "kind", "name"
        ):
            data.append(
                [f"{income.month:%Y-%m}", *[""] * 9, income.kind, income.amount]
                + [income.name]
            )
        return data

    # Import

    def _line(self, name: str) -> ValueLine | None:
        if self._lines is None:
            self._lines = {
                fold(line.name): line
                for line in ValueLine.objects.filter(organisation=self.organisation)
            }
        return self._lines.get(fold(name))

    def _once(self, key: tuple, number: int, what: str) -> None:
        if self._seen.setdefault(key, number) != number:
            raise ValidationError(
                f"An earlier row already gives {what}. Please keep just one."
            )

    def get_or_init_instance(self, instance_loader, row):
        number = self._number
        errors: dict[str, str] = {}
        month = parse_month(row.get("month"))
        if month is None:
            errors["month"] = (
                "Please write the month like 2025-04."
                if cell_text(row.get("month"))
                else "Every row needs a month."
            )
        line_name = " ".join(cell_text(row.get("line")).split())
        income = cell_text(row.get("income"))
        if line_name and income:
            errors["income"] = (
                "A row is either a value line or income: this one has both. Put "
                "income on a row of its own."
            )
        elif not line_name and not income:
            errors["line"] = "Please give a line (what was counted) or an income."
        if income and not errors:
            return self._income(row, month, number)
        if errors:
            raise ValidationError(errors)
        return self._value(row, month, line_name, number)

    def _income(self, row, month: dt.date, number: int):
        errors: dict[str, str] = {}
        kind = INCOME_KINDS.get(fold(cell_text(row.get("income"))))
        if kind is None:
            errors["income"] = "Please put statutory or other."
        amount = parse_amount(row.get("amount"), 2, "amount", errors)
        if amount is None and "amount" not in errors:
            errors["amount"] = "Every income row needs an amount."
        if errors:
            raise ValidationError(errors)
        name = " ".join(cell_text(row.get("income_name")).split())[:120]
        name = name or INCOME_NAMES[kind]
        self._once(
            ("income", month, kind, fold(name)), number, f"{name} for {month:%B %Y}"
        )
        income = Income.objects.filter(
            organisation=self.organisation, month=month, kind=kind, name=name
        ).first()
        new = income is None
        income = income or Income(organisation=self.organisation, month=month)
        income.kind, income.name = kind, name
        income._unchanged = not new and income.amount == amount
        income.amount = amount
        return income, new

    def _value(self, row, month: dt.date, name: str, number: int):
        errors: dict[str, str] = {}
        line = self._line(name)
        level_name = " ".join(cell_text(row.get("level")).split())[:60]
        count = parse_amount(row.get("count"), 2, "count", errors)
        rate = parse_amount(row.get("rate"), MONEY_PLACES, "rate", errors)
        low = parse_amount(row.get("low"), MONEY_PLACES, "low", errors)
        high = parse_amount(row.get("high"), MONEY_PLACES, "high", errors)
        source = " ".join(cell_text(row.get("source")).split())
        people = cell_text(row.get("people")).lower()
        if people not in YES | NO:
            errors["people"] = "Please put yes or no (or leave it blank)."
        if rate is None and (low is not None or high is not None):
            errors["rate"] = "A low or high value needs the rate itself as well."
        if rate is not None and not source:
            errors["source"] = (
                "Please say where the rate comes from (the published table or "
                "agreement, with its year)."
            )
        if len(source) > 500:
            errors["source"] = "Please keep the source under 500 characters."
        if rate is not None and low is not None and low > rate:
            errors["low"] = "The low value is more than the rate."
        if rate is not None and high is not None and high < rate:
            errors["high"] = "The high value is less than the rate."
        if line is not None and not line.is_typed and level_name:
            errors["level"] = (
                f"“{line.name}” is counted from your records, so it has no levels."
            )
        of_people = line.of_people if line else people in YES
        if count is not None and of_people and count != count.to_integral_value():
            errors["count"] = "This counts people: please give a whole number."
        if errors:
            raise ValidationError(errors)
        what = f"{name}{': ' + level_name if level_name else ''}"
        self._once(
            ("value", month, fold(name), fold(level_name)),
            number,
            f"{what} for {month:%B %Y}",
        )
        tally = Tally(month=month)
        tally._plan = {
            "name": name,
            "level": level_name,
            "unit": " ".join(cell_text(row.get("unit")).split())[:60] or "unit",
            "people": people in YES,
            "count": count,
            "rate": (rate, low, high, source) if rate is not None else None,
        }
        existing = None
        if line is not None and line.is_typed:
            level = self._level(line, level_name)
            if not level_name or level is not None:
                key = (line.pk, level.pk if level else None, month)
                existing = self._known()[0].get(key)
        if existing is not None:
            existing._plan = tally._plan
            return existing, False
        return tally, True

    def import_row(self, row, instance_loader, **kwargs):
        self._number = kwargs.get("row_number", 0)
        return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """Everything was read in get_or_init_instance; only what's typed in
        counts here, against what's already been logged as it happened."""
        number = kwargs["row_number"]
        if isinstance(instance, Income):
            if instance._unchanged:
                self.labels[number] = "No change"
            return
        plan = instance._plan
        line = self._line(plan["name"])
        notes = []
        if line is None:
            notes.append(f"A new line, “{plan['name']}”, typed in each month.")
        elif not line.is_typed and plan["count"] is not None:
            notes.append(
                f"“{line.name}” is counted from your records, so this count is "
                "left aside."
            )
            plan["count"] = None
        if plan["count"] is not None and instance.pk is not None:
            tallied = self._tallied(instance)
            if plan["count"] < tallied:
                raise ValidationError(
                    {
                        "count": f"{plain(tallied)} were already logged as they "
                        "happened this month: the count can't be fewer."
                    }
                )
        if notes:
            self.notes[number] = " ".join(notes)

    def _known(self) -> tuple[dict, dict]:
        """The typed totals there already are, and what was logged as it
        happened, by (line, level, month): two queries for the whole file."""
        if self._typed is None:
            tallies = Tally.objects.filter(line__organisation=self.organisation)
            self._typed = {
                (t.line_id, t.level_id, t.month): t for t in tallies.monthly_totals()
            }
            self._quick = {
                (row["line_id"], row["level_id"], row["month"]): row["total"]
                for row in tallies.quick()
                .values("line_id", "level_id", "month")
                .annotate(total=Sum("count"))
                .order_by()
            }
        return self._typed, self._quick

    def _tallied(self, instance) -> Decimal:
        key = (instance.line_id, instance.level_id, instance.month)
        return self._known()[1].get(key, Decimal(0))

    def _level(self, line: ValueLine, name: str, create: bool = False):
        if line.pk not in self._levels:
            self._levels[line.pk] = {fold(lv.name): lv for lv in line.levels.all()}
        levels = self._levels[line.pk]
        if not name or fold(name) in levels or not create:
            return levels.get(fold(name)) if name else None
        level = ValueLevel.objects.create(line=line, name=name, position=len(levels))
        levels[fold(name)] = level
        return level

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        if isinstance(instance, Income):
            return instance._unchanged
        plan = instance._plan
        if plan["count"] is None:
            # Nothing to save now; the rate, if any, is set after every row.
            self._resolve(instance, plan)
            self._want_rate(instance, plan)
            self.labels[self._number] = "Rate" if plan["rate"] else "No change"
            return True
        return False

    def save_instance(self, instance, is_create, row, **kwargs):
        if isinstance(instance, Income):
            instance.save()
            return
        plan = instance._plan
        self._resolve(instance, plan)
        self._want_rate(instance, plan)
        typed = plan["count"] - self._tallied(instance)
        if not is_create and instance.count == typed:
            self.labels[self._number] = "No change"
            return
        instance.count = typed
        instance.recorded_by = self.user
        instance.save()

    def _resolve(self, instance, plan) -> None:
        """Find or make the line and level a row is about."""
        line = self._line(plan["name"])
        if line is None:
            line = ValueLine.objects.create(
                organisation=self.organisation,
                name=plan["name"][:80],
                unit=plan["unit"],
                source=TYPED,
                counts_people=plan["people"],
                position=len(self._lines),
            )
            self._lines[fold(line.name)] = line
        level = self._level(line, plan["level"], create=True) if line.is_typed else None
        instance.line, instance.level = line, level

    def _want_rate(self, instance, plan) -> None:
        if plan["rate"] is not None:
            key = (instance.line_id, instance.level_id)
            self._wanted_rates[key][instance.month] = (plan["rate"], self._number)

    def after_import(self, dataset, result, **kwargs):
        """Set each line's rates month by month, oldest first: a rate is added
        only from a month where it differs from the one already in force."""
        lines = {line.pk: line for line in self._lines.values()} if self._lines else {}
        for (line_id, level_id), wanted in self._wanted_rates.items():
            line = lines[line_id]
            level = ValueLevel.objects.filter(pk=level_id).first() if level_id else None
            for month in sorted(wanted):
                (amount, low, high, source), number = wanted[month]
                if not Rate.objects.set_from(
                    line, level, month, amount, source, low=low, high=high
                ):
                    continue
                note = f"£{plain(amount)} a unit from {month:%B %Y}."
                self.notes[number] = f"{self.notes.get(number, '')} {note}".strip()
                if self.labels.get(number) == "No change":
                    self.labels[number] = "Rate"
