"""Report periods: quarters, financial years (April to March), calendar years.

Quarters are the financial year's quarters, which are also the calendar's:
April–June, July–September, October–December, January–March.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PRESETS = [
    ("this_quarter", gettext_lazy("This quarter")),
    ("last_quarter", gettext_lazy("Last quarter")),
    ("this_fy", gettext_lazy("This financial year")),
    ("last_fy", gettext_lazy("Last financial year")),
    ("this_year", gettext_lazy("This calendar year")),
    ("last_year", gettext_lazy("Last calendar year")),
    ("custom", gettext_lazy("Choose dates")),
]
PRESET_LABELS = dict(PRESETS)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        s, e = self.start, self.end
        day = formats.date_format
        if s.day == 1 and e == month_end(e):
            if (s.year, s.month) == (e.year, e.month):
                return day(s, "F Y")
            first = day(s, "F" if s.year == e.year else "F Y")
            return _("%(first)s to %(last)s") % {"first": first, "last": day(e, "F Y")}
        return _("%(first)s to %(last)s") % {
            "first": day(s, "j F Y"),
            "last": day(e, "j F Y"),
        }

    def months(self) -> list[dt.date]:
        """The first day of each calendar month the period touches."""
        months = []
        month = self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    def shifted(self, direction: int) -> "Period":
        """The period before (-1) or after (+1): whole months move by whole
        months (next quarter, next year), other periods by their own length."""
        s, e = self.start, self.end
        if s.day == 1 and e == month_end(e):
            n = (e.year - s.year) * 12 + e.month - s.month + 1
            start = add_months(s, n * direction)
            return Period(start, month_end(add_months(start, n - 1)))
        delta = dt.timedelta(days=self.days * direction)
        return Period(s + delta, e + delta)


def add_months(day: dt.date, n: int) -> dt.date:
    """The first of the month n months after day's month."""
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def fy_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def preset(name: str, today: dt.date) -> Period:
    if name == "this_quarter":
        start = quarter_start(today)
        return Period(start, month_end(add_months(start, 2)))
    if name == "last_quarter":
        start = add_months(quarter_start(today), -3)
        return Period(start, month_end(add_months(start, 2)))
    if name == "this_fy":
        start = fy_start(today)
        return Period(start, dt.date(start.year + 1, 3, 31))
    if name == "last_fy":
        start = fy_start(today).replace(year=fy_start(today).year - 1)
        return Period(start, dt.date(start.year + 1, 3, 31))
    if name == "this_year":
        return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    if name == "last_year":
        return Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    raise ValueError(f"Unknown period {name!r}")
