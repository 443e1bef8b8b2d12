"""A report's tables: what the PDF prints and what CSV and XLSX hold, cell for cell.

A table is built from raw figures, then `finish()` applies small-number
suppression once; after that every output (HTML, PDF, CSV, XLSX) reads the
same cells, so the spreadsheet can never show a number the PDF hides.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import tablib

from . import suppression

COUNT = "count"  # people or things, suppressible
NUMBER = "number"  # a count that is never about people (sessions held)
MONEY = "money"  # whole pounds in print
RATE = "rate"  # pounds and pence
PERCENT = "percent"
DECIMAL = "decimal"  # an average, to one place
TEXT = "text"


@dataclass
class Cell:
    value: object
    kind: str = COUNT
    hidden: str = ""  # suppression.PRIMARY or SECONDARY once finished
    # The cell this one is worked out from: hidden with it (an average, a share).
    depends_on: tuple[int, int] | None = None
    depends_on_also: tuple[int, int] | None = None

    @property
    def is_number(self) -> bool:
        return self.kind != TEXT and self.value is not None


@dataclass
class Table:
    key: str  # unique in a report: the download's file name
    title: str
    columns: list[str]  # the first is the row label's heading
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    total_row: bool = False
    total_col: bool = False
    # Extra (total, parts) groups by cell key (row, column) in the body.
    groups: list = field(default_factory=list)
    threshold: int = 5
    caption: str = ""
    finished: bool = False

    def add(self, label: str, *cells: Cell) -> None:
        self.rows.append([Cell(label, TEXT), *cells])

    def finish(self, threshold: int) -> "Table":
        if self.finished:
            return self
        self.finished = True
        self.threshold = threshold
        values, protected = {}, set()
        for r, row in enumerate(self.rows):
            for c, cell in enumerate(row[1:]):
                if cell.kind in (COUNT, NUMBER) and isinstance(cell.value, int):
                    values[(r, c)] = cell.value
                    if cell.kind == NUMBER:
                        protected.add((r, c))
        n_cols = len(self.columns) - 1
        groups = suppression.grid_groups(
            len(self.rows),
            n_cols,
            total_row=self.total_row,
            total_col=self.total_col,
        )
        groups += self.groups
        hidden = suppression.suppress(values, groups, threshold, protected)
        for (r, c), status in hidden.items():
            self.rows[r][c + 1].hidden = status
        for row in self.rows:
            for cell in row[1:]:
                for source in (cell.depends_on, cell.depends_on_also):
                    if source and not cell.hidden:
                        r, c = source
                        if self.rows[r][c + 1].hidden:
                            cell.hidden = suppression.SECONDARY
        if hidden:
            self.notes.append(suppression_note(threshold, hidden.values()))
        return self

    def display(self, cell: Cell) -> str:
        return display(cell, self.threshold)

    def html_rows(self) -> list[list[tuple[str, bool, str]]]:
        """Rows of (text, is_number, column heading) for the template."""
        return [
            [
                (self.display(cell), cell.kind != TEXT, column)
                for cell, column in zip(row, self.columns, strict=False)
            ]
            for row in self.rows
        ]

    def dataset(self) -> tablib.Dataset:
        """The same cells for a spreadsheet: numbers as numbers, hidden as text."""
        data = tablib.Dataset(headers=self.columns, title=self.title[:31])
        for row in self.rows:
            data.append([spreadsheet_value(cell, self.threshold) for cell in row])
        return data


def suppression_note(threshold: int, statuses) -> str:
    note = (
        f"So that no one can be recognised, counts from 1 to {threshold - 1} "
        f"show as “fewer than {threshold}”."
    )
    if suppression.SECONDARY in set(statuses):
        note += (
            " Where a hidden count could be worked out from a total, another "
            "figure is also hidden and shows as “not shown”."
        )
    return note


def _q(value, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def display(cell: Cell, threshold: int) -> str:
    if cell.hidden:
        return suppression.label(cell.hidden, threshold)
    value = cell.value
    if value is None:
        return "–"
    if cell.kind == TEXT:
        return str(value)
    if cell.kind in (COUNT, NUMBER):
        return f"{value:,}"
    if cell.kind == MONEY:
        return f"£{_q(value, '1'):,}"
    if cell.kind == RATE:
        return f"£{_q(value, '0.01'):,}"
    if cell.kind == PERCENT:
        return f"{_q(value, '1')}%"
    if cell.kind == DECIMAL:
        return f"{_q(value, '0.1'):,}"
    return str(value)


def spreadsheet_value(cell: Cell, threshold: int):
    if cell.hidden:
        return suppression.label(cell.hidden, threshold)
    if cell.value is None:
        return ""
    if cell.kind == TEXT:
        return str(cell.value)
    if cell.kind in (MONEY, RATE):
        return float(_q(cell.value, "0.01"))
    if cell.kind == PERCENT:
        return float(_q(cell.value, "0.1"))
    if cell.kind == DECIMAL:
        return float(_q(cell.value, "0.1"))
    return cell.value
