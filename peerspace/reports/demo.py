"""Demo stories, unit rates, income and saved reports, for `manage.py demo`."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from peerspace.accounts.models import Organisation, Site

from .models import Income, ReportTemplate, Story, UnitRate
from .periods import add_months

STORIES = [
    (
        "I hadn't left the house for months. The first week I just sat with a "
        "cup of tea. Now I help run the Tuesday sanding table.",
        "A woman in her fifties who comes to the Wigan workshop",
        ["less-isolated", "new-skills", "volunteering"],
    ),
    (
        "Someone here sat with me while I rang the debt people. I'd been too "
        "scared to open the letters. It's sorted now.",
        "A mum of three",
        ["money-sorted"],
    ),
    (
        "I sell the chairs I do up. It started here, now it's a little business "
        "and I'm coming off benefits.",
        "A woman who has been coming for two years",
        ["started-business", "into-work", "new-skills"],
    ),
    (
        "I used to ring the crisis line most weekends. I haven't needed to since "
        "the summer: Fridays I'm here instead.",
        "A regular at Leigh",
        ["fewer-crisis-visits", "better-health"],
    ),
    (
        "My daughter came to see the table I made. We hadn't spoken in a year.",
        "A grandmother",
        ["reconnected-family", "less-isolated"],
    ),
    (
        "Having people who know you, and notice when you're not right, makes you "
        "feel safer at home too.",
        "A woman who comes to the Wigan workshop",
        ["safer-at-home", "less-isolated"],
    ),
]

RATES = [
    (
        UnitRate.VISIT,
        Decimal("35.00"),
        "Example figure for the demo: use your commissioner's day-centre unit cost",
    ),
    (
        UnitRate.HOUR,
        Decimal("14.00"),
        "Example figure for the demo: hourly cost of a paid peer support worker",
    ),
    (
        UnitRate.HELPED_OUT,
        Decimal("12.50"),
        "Example figure for the demo: a volunteer's time at the Real Living Wage",
    ),
    (
        UnitRate.SIGNPOST_HELPED,
        Decimal("45.00"),
        "Example figure for the demo: a social prescribing contact's unit cost",
    ),
]


def make_demo(organisation: Organisation, sites: list[Site], rng: random.Random):
    """Idempotent enough for the demo: only adds what isn't there yet."""
    today = timezone.localdate()
    if not Story.objects.filter(organisation=organisation).exists():
        for i, (text, described_as, outcomes) in enumerate(STORIES * 2):
            date = today - dt.timedelta(days=rng.randrange(5, 360))
            consent = i % 4 != 3
            Story.objects.create(
                organisation=organisation,
                site=sites[i % len(sites)] if sites else None,
                date=date,
                text=text,
                described_as=described_as,
                consent_to_share=consent,
                consent_date=date + dt.timedelta(days=7) if consent else None,
                outcomes=outcomes,
            )
    for kind, rate, source in RATES:
        UnitRate.objects.get_or_create(
            organisation=organisation,
            kind=kind,
            defaults={"rate": rate, "source": source},
        )
    if not Income.objects.filter(organisation=organisation).exists():
        first = add_months(today.replace(day=1), -14)
        for n in range(15):
            month = add_months(first, n)
            Income.objects.create(
                organisation=organisation,
                month=month,
                kind=Income.STATUTORY,
                name="Council wellbeing grant",
                amount=Decimal(1500),
            )
            Income.objects.create(
                organisation=organisation,
                month=month,
                kind=Income.OTHER,
                name="Community fund",
                amount=Decimal(rng.randrange(1500, 2600)),
            )
            Income.objects.create(
                organisation=organisation,
                month=month,
                kind=Income.OTHER,
                name="Furniture sales",
                amount=Decimal(rng.randrange(150, 600)),
            )
    ReportTemplate.objects.get_or_create(
        organisation=organisation,
        name="Quarterly update",
        defaults={
            "funder": "The Community Fund",
            "narrative_heading": "What we did this quarter",
            "narrative": (
                "We kept both workshops open every week, started a Friday "
                "sewing group in Leigh, and held our monthly community "
                "safeguarding session with Community Corner."
            ),
        },
    )
    ReportTemplate.objects.get_or_create(
        organisation=organisation,
        name="Annual report for the council",
        defaults={
            "funder": "Wigan Council",
            "sections": ["headlines", "attendance", "demographics", "social_value"],
            "headings": {"headlines": "Outputs", "social_value": "Value for money"},
        },
    )
