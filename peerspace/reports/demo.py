"""Demo stories, a social value framework, income and saved reports, for
`manage.py demo`."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from peerspace.accounts.models import Organisation, Site

from .models import (
    MEMBERS,
    TYPED,
    VISITS,
    Income,
    Rate,
    ReportTemplate,
    Story,
    Tally,
    ValueLevel,
    ValueLine,
    names_place,
)
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

EXAMPLE = "Example rate for the demo, to agree with your funder: "
# A framework like People Focused Group's: leadership hours at two levels,
# peer supporters at three, centre usage from the sign-in records, members, and
# crisis support logged as it happens.
FRAMEWORK = [
    # name, unit, source, counts people, quick tally, levels
    ("Leadership", "an hour", TYPED, False, False, ["Regular volunteers", "Paid team"]),
    (
        "Peer support",
        "a peer supporter that month",
        TYPED,
        True,
        False,
        ["Level 1", "Level 2", "Level 3"],
    ),
    ("Centre usage", "a use of the centre", VISITS, False, False, []),
    ("Membership network: registered", "a member", MEMBERS, False, False, []),
    ("Membership network: online group", "a member", TYPED, True, False, []),
    ("Crisis support", "a crisis helped through", TYPED, False, True, []),
]
# (line, level, months before this one it starts, £, low, high, source)
RATES = [
    (
        "Leadership",
        "Regular volunteers",
        24,
        "12.60",
        None,
        None,
        EXAMPLE + "an hour at the Real Living Wage (2024–25)",
    ),
    (
        "Leadership",
        "Paid team",
        24,
        "24.00",
        None,
        None,
        EXAMPLE + "an hour of a community support worker, with on-costs",
    ),
    (
        "Peer support",
        "Level 1",
        24,
        "85.00",
        None,
        None,
        EXAMPLE + "a month of peer support, someone who drops in and helps",
    ),
    (
        "Peer support",
        "Level 2",
        24,
        "150.00",
        None,
        None,
        EXAMPLE + "a month of peer support, a regular who runs a group",
    ),
    (
        "Peer support",
        "Level 3",
        24,
        "240.00",
        None,
        None,
        EXAMPLE + "a month of peer support, a trained peer supporter",
    ),
    (
        "Centre usage",
        None,
        24,
        "35.00",
        "28.00",
        "42.00",
        EXAMPLE + "a day-centre session (a unit-cost table such as PSSRU's)",
    ),
    (
        "Centre usage",
        None,
        7,
        "36.50",
        "29.00",
        "44.00",
        EXAMPLE + "a day-centre session, the newer unit-cost table",
    ),
    (
        "Membership network: registered",
        None,
        24,
        "0.4167",
        None,
        None,
        EXAMPLE + "£5 a member a year, by the month",
    ),
    (
        "Membership network: online group",
        None,
        24,
        "0.4167",
        None,
        None,
        EXAMPLE + "£5 a member a year, by the month",
    ),
    (
        "Crisis support",
        None,
        24,
        "180.00",
        "120.00",
        "350.00",
        EXAMPLE + "an avoided call-out of a crisis team",
    ),
]
TYPICAL = {
    ("Leadership", "Regular volunteers"): (55, 90),
    ("Leadership", "Paid team"): (60, 70),
    ("Peer support", "Level 1"): (9, 16),
    ("Peer support", "Level 2"): (5, 9),
    ("Peer support", "Level 3"): (5, 8),
    ("Membership network: online group", None): (110, 170),
}
CRISIS_KINDS = ["In person", "Phone call", "Online"]


def make_framework(organisation: Organisation, rng: random.Random) -> None:
    """The demo's social value framework and fifteen months of typed figures."""
    if ValueLine.objects.filter(organisation=organisation).exists():
        return
    today = timezone.localdate()
    this_month = today.replace(day=1)
    lines, levels = {}, {}
    for position, (name, unit, source, people, quick, names) in enumerate(FRAMEWORK):
        line = ValueLine.objects.create(
            organisation=organisation,
            name=name,
            unit=unit,
            source=source,
            counts_people=people,
            quick_tally=quick,
            tally_kinds=", ".join(CRISIS_KINDS) if quick else "",
            position=position,
        )
        lines[name] = line
        for n, level in enumerate(names):
            levels[(name, level)] = ValueLevel.objects.create(
                line=line, name=level, position=n
            )
    for name, level, back, amount, low, high, source in RATES:
        Rate.objects.create(
            line=lines[name],
            level=levels.get((name, level)),
            effective_from=add_months(this_month, -back),
            amount=Decimal(amount),
            low=Decimal(low) if low else None,
            high=Decimal(high) if high else None,
            source=source,
        )
    tallies = []
    for n in range(14, -1, -1):
        month = add_months(this_month, -n)
        if month < this_month:
            for (name, level), (low, high) in TYPICAL.items():
                tallies.append(
                    Tally(
                        line=lines[name],
                        level=levels.get((name, level)),
                        month=month,
                        count=Decimal(rng.randint(low, high)),
                    )
                )
        days = (today - month).days + 1 if month == this_month else 28
        for _ in range(rng.randint(3, 8) if month < this_month else 2):
            tallies.append(
                Tally(
                    line=lines["Crisis support"],
                    month=month,
                    date=month + dt.timedelta(days=rng.randrange(days)),
                    minutes=rng.choice([20, 30, 40, 45, 60, 90]),
                    kind=rng.choice(CRISIS_KINDS),
                )
            )
    Tally.objects.bulk_create(tallies)


def make_demo(organisation: Organisation, sites: list[Site], rng: random.Random):
    """Idempotent enough for the demo: only adds what isn't there yet."""
    today = timezone.localdate()
    if not Story.objects.filter(organisation=organisation).exists():
        for i, (text, described_as, outcomes) in enumerate(STORIES * 2):
            date = today - dt.timedelta(days=rng.randrange(5, 360))
            consent = i % 4 != 3
            # At the site her description names, if it names one.
            named = [site for site in sites if names_place(described_as, site.name)]
            site = sites[i % len(sites)] if sites else None
            Story.objects.create(
                organisation=organisation,
                site=named[0] if named else site,
                date=date,
                text=text,
                described_as=described_as,
                consent_to_share=consent,
                consent_date=date + dt.timedelta(days=7) if consent else None,
                outcomes=outcomes,
            )
    make_framework(organisation, rng)
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
