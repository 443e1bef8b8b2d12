"""A report's tables: what the PDF prints and what CSV and XLSX hold, cell for cell.

A table is built from raw figures, then `finish()` applies small-number
suppression once; after that every output (HTML, PDF, CSV, XLSX) reads the
same cells, so the spreadsheet can never show a number the PDF hides.
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import tablib
from django.utils import formats, translation
from django.utils.translation import gettext as _

from . import suppression

COUNT = "count"  # people or things, suppressible
NUMBER = "number"  # a count that is never about people (sessions held)
QUANTITY = "quantity"  # typed or measured (hours), to two places at most
PENCE = "pence"  # money, to the penny
RATE = "rate"  # pounds and pence per £1
AS_AGREED = "as-agreed"  # a unit rate as typed, to a fraction of a penny
PERCENT = "percent"  # whole per cent
PERCENT1 = "percent1"  # to one place
DECIMAL = "decimal"  # an average, to one place
TEXT = "text"

# Every figure is rounded once, here, half up (so £0.125 shows as £0.13); the
# spreadsheet cell holds the same rounded number the page prints.
PLACES = {
    PENCE: "0.01",
    RATE: "0.01",
    PERCENT: "1",
    PERCENT1: "0.1",
    DECIMAL: "0.1",
    QUANTITY: "0.01",
}


@dataclass(eq=False)  # compared and hashed by identity: a cell is its own key
class Cell:
    value: object
    kind: str = COUNT
    hidden: str = ""  # suppression.PRIMARY or SECONDARY once finished
    # The cells this one is worked out from (an average, a share): hidden with
    # any of them. Cells, not positions, so rows can be reordered safely.
    depends_on: tuple["Cell", ...] = ()

    @property
    def is_number(self) -> bool:
        return self.kind != TEXT and self.value is not None


# A printed page's room for a table, to judge how many columns fit across it
# (see Table.blocks): the text's width in mm, the table's font size in points
# and a cell's padding (both sides) in mm, as report.css sets them.
PORTRAIT = (180, 9, 4)
LANDSCAPE = (273, 7.5, 2.4)
# DejaVu Sans: a digit is 0.64 em wide, a bold letter of a heading about 0.7.
DIGIT_EM, HEADING_EM = 0.64, 0.7
MM_PER_POINT = 25.4 / 72
# Row labels wrap: they are judged on this many characters at most.
WRAPPED_CHARACTERS = 24
# On a landscape page the row labels take this share of the width (report.css).
LABEL_SHARE = 0.24


@dataclass
class Block:
    """Some of a table's columns, printed as a table of their own: the row
    labels, then as many columns as fit across the page."""

    columns: list[str]
    rows: list[list[tuple[str, bool]]]
    first: bool


@dataclass
class Table:
    key: str  # unique in a report: the download's file name
    title: str
    columns: list[str]  # the first is the row label's heading
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    total_row: bool = False
    total_col: bool = False
    # Extra (total, parts) groups of cells that add up, besides the grid's
    # total row and column: [(total cell, [part cells])].
    groups: list[tuple[Cell, list[Cell]]] = field(default_factory=list)
    threshold: int = 5
    caption: str = ""
    # Plain sentences printed under the table, before its notes.
    summary: list[str] = field(default_factory=list)
    finished: bool = False
    landscape: bool = False  # printed on a landscape page

    def add(self, label: str, *cells: Cell) -> list[Cell]:
        """Add a row; returns its figures (without the label), column by column,
        for other cells to depend on or add up to."""
        self.rows.append([Cell(label, TEXT), *cells])
        return list(cells)

    def finish(self, threshold: int) -> "Table":
        if self.finished:
            return self
        self.finished = True
        self.threshold = threshold
        body = [row[1:] for row in self.rows]
        values = {
            cell: cell.value
            for row in body
            for cell in row
            if cell.kind in (COUNT, NUMBER) and isinstance(cell.value, int)
        }
        protected = {cell for cell in values if cell.kind == NUMBER}
        grid = suppression.grid_groups(
            len(self.rows),
            len(self.columns) - 1,
            total_row=self.total_row,
            total_col=self.total_col,
        )
        groups = [
            (body[r][c], [body[pr][pc] for pr, pc in parts]) for (r, c), parts in grid
        ]
        groups += self.groups
        hidden = suppression.suppress(values, groups, threshold, protected)
        for cell, status in hidden.items():
            cell.hidden = status
        # A cell worked out from a hidden one is hidden too, however deep.
        changed = True
        while changed:
            changed = False
            for row in body:
                for cell in row:
                    if not cell.hidden and any(s.hidden for s in cell.depends_on):
                        cell.hidden = suppression.SECONDARY
                        changed = True
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

    def blocks(self, for_print: bool = False) -> list[Block]:
        """The table as the page shows it: whole on screen (it scrolls
        sideways in its own box); on paper in blocks one under another, each
        starting with the row labels, so no column is ever cut off at the
        page's edge however many months it has."""
        rows = self.html_rows()
        rest = list(range(1, len(self.columns)))
        groups = self._print_groups(rows, rest) if for_print and rest else [rest]
        return [
            Block(
                [self.columns[0], *(self.columns[i] for i in group)],
                [[row[0], *(row[i] for i in group)] for row in rows],
                first=n == 0,
            )
            for n, group in enumerate(groups)
        ]

    def _print_groups(self, rows, columns: list[int]) -> list[list[int]]:
        width, points, padding = LANDSCAPE if self.landscape else PORTRAIT
        mm = points * MM_PER_POINT

        def needs(i: int) -> float:
            """A column's width in mm: its widest figure (figures never wrap),
            or its longest word (text and headings wrap between words)."""
            longest = max(
                (
                    len(text) if number else longest_word(text)
                    for text, number, _column in (row[i] for row in rows)
                ),
                default=0,
            )
            heading = longest_word(self.columns[i])
            return max(longest * DIGIT_EM, heading * HEADING_EM) * mm + padding

        if self.landscape:
            room = width * (1 - LABEL_SHARE)
        else:
            labels = max(len(str(row[0][0])) for row in rows) if rows else 0
            room = width - min(labels, WRAPPED_CHARACTERS) * DIGIT_EM * mm - padding
        widths = {i: needs(i) for i in columns}
        for count in range(1, len(columns) + 1):
            size = math.ceil(len(columns) / count)
            groups = [columns[i : i + size] for i in range(0, len(columns), size)]
            # Columns in a block share its room equally (a fixed layout), so
            # the widest sets the pace.
            if all(len(g) * max(widths[i] for i in g) <= room for g in groups):
                return groups
        return [[i] for i in columns]

    def dataset(self) -> tablib.Dataset:
        """The same cells for a spreadsheet: numbers as numbers, hidden as text."""
        data = tablib.Dataset(headers=self.columns, title=self.title)
        for row in self.rows:
            data.append([spreadsheet_value(cell, self.threshold) for cell in row])
        return data


def longest_word(text: str) -> int:
    return max((len(word) for word in str(text).split()), default=0)


def suppression_note(threshold: int, statuses) -> str:
    note = _(
        "So that no one can be recognised, counts from 1 to %(largest)s show as "
        "“fewer than %(n)s”."
    ) % {"largest": threshold - 1, "n": threshold}
    if suppression.SECONDARY in set(statuses):
        note += " " + _(
            "Where a hidden count could be worked out from a total, another figure "
            "is also hidden and shows as “not shown”."
        )
    return note


def _q(value, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def as_agreed(value) -> Decimal:
    """A rate as typed: no trailing noughts past the pence (£0.125, £14.00)."""
    value = Decimal(value).normalize()
    return value if -value.as_tuple().exponent > 2 else _q(value, "0.01")


def plain(value: Decimal) -> Decimal:
    """37.50 as 37.5 and 40.00 as 40 (never 4E+1)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def rounded(cell: Cell):
    """The number a cell shows, rounded as printed (kept as Decimal)."""
    if cell.kind == AS_AGREED:
        return as_agreed(cell.value)
    if cell.kind in PLACES:
        value = _q(cell.value, PLACES[cell.kind])
        return plain(value) if cell.kind == QUANTITY else value
    return cell.value


def display(cell: Cell, threshold: int) -> str:
    if cell.hidden:
        return suppression.label(cell.hidden, threshold)
    value = cell.value
    if value is None:
        return "–"
    if cell.kind == TEXT:
        return str(value)
    value = rounded(cell)
    if cell.kind in (PENCE, RATE, AS_AGREED):
        return f"£{_number(value)}"
    if cell.kind in (PERCENT, PERCENT1):
        return f"{_number(value)}%"
    if cell.kind == QUANTITY:
        return _number(value, "f")
    return _number(value)


def _number(value, spec: str = "") -> str:
    """1,234.5 in English (UK, the default); in another language with its own
    separators ("1 234,5" in Polish)."""
    english = f"{value:,{spec}}"
    if (translation.get_language() or "en").startswith("en"):
        return english
    decimal, thousands = (
        formats.get_format("DECIMAL_SEPARATOR"),
        formats.get_format("THOUSAND_SEPARATOR"),
    )
    return "".join(
        thousands if c == "," else decimal if c == "." else c for c in english
    )


def spreadsheet_value(cell: Cell, threshold: int):
    if cell.hidden:
        return suppression.label(cell.hidden, threshold)
    if cell.value is None:
        return ""
    if cell.kind == TEXT:
        return str(cell.value)
    return rounded(cell)
