"""The social value table, worked out by hand."""

import datetime as dt
from decimal import Decimal

from attendance.models import Session, Visit
from peerspace.reports.figures import Options, build_report
from peerspace.reports.models import Income, UnitRate
from peerspace.reports.periods import Period


def test_the_social_value_arithmetic_on_a_worked_example(org, site):
    """Two months: 100 and 60 visits at £12.50, 4 and 0 helped signposts at
    £30, statutory £2,000 a month, other £500 then £1,500."""
    for month, n_visits in ((dt.date(2025, 1, 1), 100), (dt.date(2025, 2, 1), 60)):
        session = Session.objects.create(site=site, date=month.replace(day=7))
        Visit.objects.bulk_create([Visit(session=session) for _ in range(n_visits)])
    from signposting.models import Service, Signpost

    service = Service.objects.create(organisation=org, name="Advice")
    for _ in range(4):
        Signpost.objects.create(
            organisation=org, date=dt.date(2025, 1, 9), helped_to_contact=True
        ).services.set([service])
    UnitRate.objects.create(
        organisation=org, kind=UnitRate.VISIT, rate=Decimal("12.50"), source="A"
    )
    UnitRate.objects.create(
        organisation=org, kind=UnitRate.SIGNPOST_HELPED, rate=Decimal("30"), source="B"
    )
    for month, other in ((dt.date(2025, 1, 1), 500), (dt.date(2025, 2, 1), 1500)):
        Income.objects.create(
            organisation=org,
            month=month,
            kind=Income.STATUTORY,
            name="Council",
            amount=Decimal(2000),
        )
        Income.objects.create(
            organisation=org,
            month=month,
            kind=Income.OTHER,
            name="Trust",
            amount=Decimal(other),
        )
    report = build_report(
        Options(
            organisation=org,
            period=Period(dt.date(2025, 1, 1), dt.date(2025, 2, 28)),
            sites=[site],
            all_sites=True,
            sections=["social_value"],
        )
    )
    table = report.tables()["social_value"]
    rows = {r[0].value: [c.value for c in r[1:]] for r in table.rows}
    d = Decimal
    assert rows["Council (statutory)"] == [2000, 2000, 2000, 24000]
    assert rows["Trust (other)"] == [500, 1500, 1000, 12000]
    assert rows["Total income"] == [2500, 3500, 3000, 36000]
    assert rows["Financial return (other income as % of statutory)"] == [25, 75, 50, 50]
    visits_row = next(k for k in rows if k.startswith("A day-centre visit"))
    # 100 × £12.50 = £1,250; 60 × £12.50 = £750; mean £1,000; year £12,000.
    assert rows[visits_row] == [1250, 750, 1000, 12000]
    helped_row = next(k for k in rows if k.startswith("Signposting with help"))
    assert rows[helped_row] == [120, 0, 60, 720]
    assert rows["Total social return"] == [1370, 750, 1060, 12720]
    cost = rows["Cost as % of value (statutory ÷ social return)"]
    assert [round(v, 2) for v in cost] == [
        d("145.99"),
        d("266.67"),
        d("188.68"),
        d("188.68"),
    ]
    # Full-year social return ÷ full-year statutory funding: 12,720 / 24,000.
    assert rows["Social return per £1 of statutory funding"][-1] == d("0.53")
    assert table.display(table.rows[-1][-1]) == "£0.53"
    assert table.columns == ["", "Jan 2025", "Feb 2025", "Mean month", "Full year"]
    assert "no perfect price" in report.sections[0].paragraphs[-1]


def test_hours_of_peer_support_are_time_signed_in(org, site):
    session = Session.objects.create(site=site, date=dt.date(2025, 3, 4))
    arrived = dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.UTC)
    Visit.objects.bulk_create(
        [
            Visit(session=session, arrived_at=arrived, left_at=arrived + length)
            for length in (dt.timedelta(minutes=90), dt.timedelta(hours=3))
        ]
        # Never signed out: no hours counted, but still a visit.
        + [Visit(session=session, arrived_at=arrived)]
    )
    UnitRate.objects.create(
        organisation=org, kind=UnitRate.HOUR, rate=Decimal("10"), source="C"
    )
    report = build_report(
        Options(
            organisation=org,
            period=Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
            sites=[site],
            all_sites=True,
            sections=["social_value"],
        )
    )
    units = report.tables()["social_value_units"]
    assert [c.value for c in units.rows[0][1:]] == [Decimal("4.5")] * 2
    value = report.tables()["social_value"].rows[2]
    assert value[0].value.startswith("An hour of peer support")
    assert value[1].value == Decimal("45.0")
