"""Numbers on the social value screens, shown the way the report shows them,
and a report's tables as the page shows them."""

from decimal import Decimal

from django import template

from ..tables import AS_AGREED, QUANTITY, Block, Cell, Table, display

register = template.Library()


@register.filter
def quantity(value) -> str:
    """A count as typed: 12, 37.5 (never 37.50 or 4E+1)."""
    if value is None or value == "":
        return "–"
    return display(Cell(Decimal(value), QUANTITY), 0)


@register.filter
def pounds(value) -> str:
    """A rate as agreed, to a fraction of a penny where it is one."""
    if value is None or value == "":
        return "–"
    return display(Cell(Decimal(value), AS_AGREED), 0)


@register.filter
def blocks(table: Table, for_print) -> list[Block]:
    """Whole on screen; in blocks of columns that fit across a printed page."""
    return table.blocks(for_print=bool(for_print))
