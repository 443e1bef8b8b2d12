"""The hand-worked social value framework, shared by the table's tests and the
screens' (its figures are written out in test_reports_social_value.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from attendance.models import Session, Visit
from peerspace.reports.models import (
    TYPED,
    VISITS,
    Income,
    Rate,
    Tally,
    ValueLevel,
    ValueLine,
)
from tests.reports.reports_helpers import APRIL, JUNE, MAY


@pytest.fixture
def framework(org, site, other_org, other_site):
    """The known quarter, with things around it that must not count."""

    def line(name, unit, source=TYPED, people=False, levels=(), **kw):
        made = ValueLine.objects.create(
            organisation=org,
            name=name,
            unit=unit,
            source=source,
            counts_people=people,
            position=ValueLine.objects.filter(organisation=org).count(),
            **kw,
        )
        return made, [
            ValueLevel.objects.create(line=made, name=n, position=i)
            for i, n in enumerate(levels)
        ]

    def rate(line, level, amount, source, month=dt.date(2025, 1, 1), **kw):
        Rate.objects.create(
            line=line,
            level=level,
            effective_from=month,
            amount=Decimal(amount),
            source=source,
            **kw,
        )

    def typed(line, level, counts):
        for month, count in zip((APRIL, MAY, JUNE), counts, strict=True):
            if count is not None:
                Tally.objects.create(
                    line=line, level=level, month=month, count=Decimal(count)
                )

    leadership, (volunteers, paid) = line(
        "Leadership", "an hour", levels=["Volunteers", "Paid team"]
    )
    rate(leadership, volunteers, "12.60", "RLW")
    rate(leadership, paid, "24.125", "Pay")
    typed(leadership, volunteers, ["40", "37.5", "42"])
    typed(leadership, paid, ["64", "60", "70"])
    peers, (level1, level2) = line(
        "Peer support", "a peer supporter", people=True, levels=["Level 1", "Level 2"]
    )
    rate(peers, level1, "85", "PS1")
    rate(peers, level2, "150", "PS2")
    rate(peers, level2, "160", "PS2 new", month=JUNE)
    typed(peers, level1, [12, 10, 11])
    typed(peers, level2, [6, 7, 5])
    usage, _ = line("Centre usage", "a use of the centre", source=VISITS)
    rate(usage, None, "12.345", "Day centre")
    for day, visits in ((APRIL, 100), (MAY, 80), (JUNE, 90)):
        session = Session.objects.create(site=site, date=day.replace(day=10))
        Visit.objects.bulk_create([Visit(session=session) for _ in range(visits)])
    members, _ = line("Online members", "a member", people=True)
    rate(members, None, "0.4167", "£5 a year")
    typed(members, None, [143, 150, 161])
    crisis, _ = line("Crisis support", "a crisis helped through", quick_tally=True)
    rate(crisis, None, "180", "Crisis", low=Decimal(120), high=Decimal(350))
    for day, count in [
        *((APRIL.replace(day=d), 1) for d in (2, 9, 9, 20, 30)),
        (MAY.replace(day=3), 1),
        (MAY.replace(day=31), 1),
        *((JUNE.replace(day=d), 1) for d in (1, 5, 12, 19)),
        (JUNE.replace(day=30), 2),
        # Just outside the quarter.
        (dt.date(2025, 3, 31), 1),
        (dt.date(2025, 7, 1), 1),
    ]:
        Tally.objects.create(line=crisis, date=day, count=count, minutes=40)
    typed(crisis, None, [None, 3, None])
    for month, kind, name, amount in (
        (APRIL, Income.STATUTORY, "Council", "1000"),
        (MAY, Income.STATUTORY, "Council", "1000"),
        (JUNE, Income.STATUTORY, "Council", "1500.25"),
        (APRIL, Income.OTHER, "Lottery", "500"),
        (JUNE, Income.OTHER, "Lottery", "750.50"),
    ):
        Income.objects.create(
            organisation=org, month=month, kind=kind, name=name, amount=Decimal(amount)
        )
    # Another organisation's framework and visits never count.
    theirs = ValueLine.objects.create(
        organisation=other_org, name="Centre usage", unit="a use", source=VISITS
    )
    Rate.objects.create(
        line=theirs, effective_from=APRIL, amount=Decimal(99), source="Theirs"
    )
    elsewhere = Session.objects.create(site=other_site, date=MAY)
    Visit.objects.bulk_create([Visit(session=elsewhere) for _ in range(50)])
    Income.objects.create(
        organisation=other_org,
        month=MAY,
        kind=Income.STATUTORY,
        name="Council",
        amount=Decimal(5),
    )
    return {"leadership": leadership, "paid": paid, "usage": usage, "crisis": crisis}
