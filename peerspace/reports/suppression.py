"""Small-number suppression, so that no woman can be recognised from a report.

Primary: a count from 1 to threshold - 1 prints as "fewer than 5". Nought stays
nought (there is no one to recognise) and money is never hidden.

Secondary: where cells add up to a total that is shown, one hidden cell could
be worked out by subtraction. So while a group has exactly one hidden part and
its total is shown, the smallest other non-zero part is hidden too (or the
total itself when every other part is nought). A cell hidden this way is not
small, so it prints as "not shown", never as "fewer than 5". Hiding one cell
can expose another group (a cell is in its row and its column), so this repeats
until nothing changes.
"""

from collections.abc import Hashable, Iterable, Mapping

from django.utils.translation import gettext as _

PRIMARY = "primary"
SECONDARY = "secondary"

Group = tuple[Hashable, list[Hashable]]  # (total cell, the cells adding up to it)


def suppress(
    values: Mapping[Hashable, int],
    groups: Iterable[Group] = (),
    threshold: int = 5,
    protected: Iterable[Hashable] = (),
) -> dict[Hashable, str]:
    """Which cells to hide: {cell: PRIMARY or SECONDARY}.

    `values` are the counts by cell key; `protected` cells are counts of
    things, not people (sessions held, say), and are never hidden.
    """
    protected = set(protected)
    hidden: dict[Hashable, str] = {
        key: PRIMARY
        for key, value in values.items()
        if key not in protected and 0 < value < threshold
    }
    groups = [(total, list(parts)) for total, parts in groups]
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            if total in hidden:
                continue
            hidden_parts = [p for p in parts if p in hidden]
            if len(hidden_parts) != 1:
                continue
            candidates = [
                p
                for p in parts
                if p not in hidden and p not in protected and values.get(p, 0) > 0
            ]
            if candidates:
                # Smallest first; ties broken by position, so output is stable.
                pick = min(candidates, key=lambda p: (values[p], parts.index(p)))
            elif total not in protected:
                pick = total
            else:  # pragma: no cover - a protected total over people's counts
                continue
            hidden[pick] = SECONDARY
            changed = True
    return hidden


def label(status: str | None, threshold: int) -> str:
    if status == PRIMARY:
        return _("fewer than %(n)s") % {"n": threshold}
    if status == SECONDARY:
        return _("not shown")
    return ""


def grid_groups(
    n_rows: int, n_cols: int, *, total_row: bool, total_col: bool
) -> list[Group]:
    """The (total, parts) groups of a grid whose last row and/or last column
    are totals; cells are keyed (row, column)."""
    groups: list[Group] = []
    body_rows = n_rows - 1 if total_row else n_rows
    body_cols = n_cols - 1 if total_col else n_cols
    if total_col:
        for r in range(n_rows):
            groups.append(((r, n_cols - 1), [(r, c) for c in range(body_cols)]))
    if total_row:
        for c in range(n_cols):
            groups.append(((n_rows - 1, c), [(r, c) for r in range(body_rows)]))
    return groups
