import datetime as dt

import pytest

from peerspace.reports.periods import Period, preset
from peerspace.reports.postcodes import district

D = dt.date


@pytest.mark.parametrize(
    "today, name, start, end",
    [
        # Quarters, on and either side of their boundaries.
        (D(2025, 4, 1), "this_quarter", D(2025, 4, 1), D(2025, 6, 30)),
        (D(2025, 3, 31), "this_quarter", D(2025, 1, 1), D(2025, 3, 31)),
        (D(2025, 4, 1), "last_quarter", D(2025, 1, 1), D(2025, 3, 31)),
        (D(2025, 1, 1), "last_quarter", D(2024, 10, 1), D(2024, 12, 31)),
        (D(2024, 12, 31), "this_quarter", D(2024, 10, 1), D(2024, 12, 31)),
        (D(2025, 7, 15), "last_quarter", D(2025, 4, 1), D(2025, 6, 30)),
        # Financial years run April to March.
        (D(2025, 3, 31), "this_fy", D(2024, 4, 1), D(2025, 3, 31)),
        (D(2025, 4, 1), "this_fy", D(2025, 4, 1), D(2026, 3, 31)),
        (D(2025, 4, 1), "last_fy", D(2024, 4, 1), D(2025, 3, 31)),
        (D(2025, 3, 31), "last_fy", D(2023, 4, 1), D(2024, 3, 31)),
        (D(2024, 2, 29), "this_fy", D(2023, 4, 1), D(2024, 3, 31)),
        # Calendar years.
        (D(2025, 1, 1), "this_year", D(2025, 1, 1), D(2025, 12, 31)),
        (D(2025, 1, 1), "last_year", D(2024, 1, 1), D(2024, 12, 31)),
        (D(2024, 12, 31), "this_year", D(2024, 1, 1), D(2024, 12, 31)),
    ],
)
def test_period_presets(today, name, start, end):
    assert preset(name, today) == Period(start, end)


def test_next_quarter_and_year_move_by_whole_months():
    q = Period(D(2024, 10, 1), D(2024, 12, 31))
    assert q.shifted(1) == Period(D(2025, 1, 1), D(2025, 3, 31))
    assert q.shifted(-1) == Period(D(2024, 7, 1), D(2024, 9, 30))
    fy = Period(D(2024, 4, 1), D(2025, 3, 31))
    assert fy.shifted(1) == Period(D(2025, 4, 1), D(2026, 3, 31))
    feb = Period(D(2024, 2, 1), D(2024, 2, 29))
    assert feb.shifted(1) == Period(D(2024, 3, 1), D(2024, 3, 31))


def test_custom_periods_move_by_their_own_length():
    p = Period(D(2025, 5, 10), D(2025, 5, 19))
    assert p.shifted(1) == Period(D(2025, 5, 20), D(2025, 5, 29))


def test_period_labels_and_months():
    assert Period(D(2025, 4, 1), D(2025, 6, 30)).label() == "April to June 2025"
    assert Period(D(2024, 4, 1), D(2025, 3, 31)).label() == "April 2024 to March 2025"
    assert Period(D(2025, 5, 1), D(2025, 5, 31)).label() == "May 2025"
    assert Period(D(2025, 5, 3), D(2025, 6, 2)).label() == "3 May 2025 to 2 June 2025"
    assert Period(D(2024, 11, 15), D(2025, 1, 2)).months() == [
        D(2024, 11, 1),
        D(2024, 12, 1),
        D(2025, 1, 1),
    ]


@pytest.mark.parametrize(
    "postcode, expected",
    [
        ("WN1 3AB", "WN1"),
        ("wn13ab", "WN1"),
        ("  M29 7aa ", "M29"),
        ("SW1A 1AA", "SW1A"),
        ("WN5", "WN5"),
        ("", ""),
        ("not sure", "?"),
        ("12345", "?"),
    ],
)
def test_postcode_districts(postcode, expected):
    assert district(postcode) == expected
