import datetime as dt

from django.urls import reverse

from attendance.models import Person, Session, Visit
from peerspace.reports.suppression import (
    PRIMARY,
    SECONDARY,
    grid_groups,
    label,
    suppress,
)
from peerspace.reports.tables import COUNT, NUMBER, Cell, Table
from tests.helpers import pdf_text
from tests.reports.reports_helpers import END, START

QUARTER = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}


def test_counts_from_one_to_four_are_hidden_and_nought_stays():
    values = {"a": 0, "b": 1, "c": 4, "d": 5, "e": 120}
    assert suppress(values) == {"b": PRIMARY, "c": PRIMARY}


def test_the_threshold_can_be_changed():
    values = {"a": 5, "b": 9, "c": 10}
    assert suppress(values, threshold=10) == {"a": PRIMARY, "b": PRIMARY}


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    # 3 could be worked out as 40 - 20 - 9 - 8: the 8 is hidden too.
    values = {"a": 3, "b": 20, "c": 9, "d": 8, "total": 40}
    hidden = suppress(values, [("total", ["a", "b", "c", "d"])])
    assert hidden == {"a": PRIMARY, "d": SECONDARY}


def test_secondary_suppression_skips_noughts():
    values = {"a": 2, "b": 0, "c": 30, "d": 11, "total": 43}
    hidden = suppress(values, [("total", ["a", "b", "c", "d"])])
    assert hidden == {"a": PRIMARY, "d": SECONDARY}


def test_when_every_other_part_is_nought_the_total_is_hidden():
    values = {"a": 0, "b": 3, "total": 3}
    # The total is itself small here, so primary suppression already hides it.
    assert suppress(values, [("total", ["a", "b"])]) == {"b": PRIMARY, "total": PRIMARY}
    values = {"a": 0, "b": 3, "total": 3}
    hidden = suppress(values, [("total", ["a", "b"])], threshold=3)
    assert hidden == {}
    values = {"a": 0, "b": 2, "total": 2}
    assert suppress(values, [("total", ["a", "b"])], threshold=3) == {
        "b": PRIMARY,
        "total": PRIMARY,
    }


def test_a_hidden_total_needs_nothing_more():
    values = {"a": 1, "b": 2, "total": 3}
    assert suppress(values, [("total", ["a", "b"])]) == {
        "a": PRIMARY,
        "b": PRIMARY,
        "total": PRIMARY,
    }


def test_two_hidden_parts_protect_each_other():
    values = {"a": 1, "b": 2, "c": 50, "total": 53}
    assert suppress(values, [("total", ["a", "b", "c"])]) == {
        "a": PRIMARY,
        "b": PRIMARY,
    }


def test_secondary_suppression_follows_through_rows_and_columns():
    #          x    y   total
    # r1       2   10    12
    # r2       9   20    29
    # total   11   30    41
    grid = [[2, 10, 12], [9, 20, 29], [11, 30, 41]]
    values = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row)}
    groups = grid_groups(3, 3, total_row=True, total_col=True)
    hidden = suppress(values, groups)
    assert hidden[(0, 0)] == PRIMARY
    # Its row partner and its column partner, then the cell that closes the
    # square, so no row or column has a single hidden cell.
    assert hidden[(0, 1)] == SECONDARY
    assert hidden[(1, 0)] == SECONDARY
    assert hidden[(1, 1)] == SECONDARY
    for total, parts in groups:
        if total not in hidden:
            assert sum(p in hidden for p in parts) != 1


def test_protected_counts_are_never_hidden():
    values = {"sessions": 3, "a": 2, "b": 40, "total": 42}
    hidden = suppress(values, [("total", ["a", "b"])], protected=["sessions", "b"])
    # b can't be hidden, so the total is.
    assert hidden == {"a": PRIMARY, "total": SECONDARY}


def test_labels_are_honest_about_why():
    assert label(PRIMARY, 5) == "fewer than 5"
    assert label(SECONDARY, 5) == "not shown"
    assert label(PRIMARY, 10) == "fewer than 10"


def test_a_table_hides_averages_worked_out_from_a_hidden_count():
    table = Table("t", "T", ["", "Here"])
    visits = table.add("Visits", Cell(3))
    table.add("Sessions", Cell(2, NUMBER))
    table.add("Average", Cell(1.5, "decimal", depends_on=(visits[0],)))
    table.finish(5)
    assert [table.display(row[1]) for row in table.rows] == [
        "fewer than 5",
        "2",
        "not shown",
    ]
    assert any("fewer than 5" in note for note in table.notes)


def test_a_worked_out_cell_follows_its_source_when_rows_are_reordered():
    """Dependencies and groups name cells, not positions: with the rows in
    another order, the same cells are hidden."""
    table = Table("t", "T", ["", "Here"])
    (helped,) = table.add("Helped out", Cell(3))
    (others,) = table.add("Did not", Cell(12))
    (everyone,) = table.add("Everyone", Cell(15))
    share = Cell(20, "percent", depends_on=(helped,))
    table.add("Share who helped", Cell(20, "percent", depends_on=(share,)))
    table.add("Share, again", share)
    table.groups = [(everyone, [helped, others])]
    table.rows.reverse()
    table.finish(5)
    shown = {row[0].value: table.display(row[1]) for row in table.rows}
    assert shown == {
        "Share, again": "not shown",
        "Share who helped": "not shown",
        "Everyone": "15",
        "Did not": "not shown",
        "Helped out": "fewer than 5",
    }


def test_a_table_with_totals_suppresses_secondarily_and_says_so():
    table = Table("t", "T", ["Age", "People"], total_row=True)
    table.add("Under 25", Cell(4, COUNT))
    table.add("25 to 64", Cell(30, COUNT))
    table.add("65 or over", Cell(12, COUNT))
    table.add("All", Cell(46, COUNT))
    table.finish(5)
    shown = [table.display(row[1]) for row in table.rows]
    assert shown == ["fewer than 5", "30", "not shown", "46"]
    assert "“not shown”" in table.notes[-1]
    assert table.dataset().dict[0]["People"] == "fewer than 5"


def test_small_numbers_are_hidden_in_the_pdf(alice_client, org, site, tmp_path):
    session = Session.objects.create(site=site, date=dt.date(2025, 5, 6))
    for i in range(3):
        Visit.objects.create(
            person=Person.objects.create(
                organisation=org, known_as=f"P{i}", age_band="25-34"
            ),
            session=session,
        )
    for i in range(9):
        Visit.objects.create(
            person=Person.objects.create(
                organisation=org, known_as=f"Q{i}", age_band="45-54"
            ),
            session=session,
        )
    response = alice_client.get(
        reverse("reports:pdf"), {"sections": ["demographics"], **QUARTER}
    )
    text = pdf_text(response.content, tmp_path)
    flat = " ".join(text.split())
    assert "25 to 34 fewer than 5" in flat
    # 12 - 3 would give the 9 away: hidden too, honestly labelled.
    assert "45 to 54 not shown" in flat
    assert "All people supported 12" in flat
    assert "counts from 1 to 4" in text
