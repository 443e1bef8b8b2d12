import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from attendance.models import Activity, EmergencyContact, Person, Session, Visit
from peerspace.reports.models import (
    SIGNPOSTS_HELPED,
    VISITS,
    Income,
    Rate,
    ReportTemplate,
    Story,
    ValueLine,
)
from safeguarding.models import ReflectionSession, Worry, WorryReview
from signposting.models import Category, Service, Signpost

# The quarter the known dataset is built around (April to June 2025).
START = dt.date(2025, 4, 1)
END = dt.date(2025, 6, 30)
APRIL, MAY, JUNE = START, dt.date(2025, 5, 1), dt.date(2025, 6, 1)

# Distinctive enough that finding any of them in a PDF can only be a leak.
FIRST_NAMES = [
    "Zephyrine",
    "Quillonette",
    "Marigoldia",
    "Brunhildea",
    "Octaviana",
    "Perpetuella",
    "Seraphinette",
    "Wilhelmiona",
    "Ysoldabelle",
    "Gwendolyth",
]
SURNAMES = ["Quartermaine", "Fothergillian", "Ravenscroftley", "Abernethyque"]
SECRET_NOTE = "Xylophonist allergic to tangerines"
SECRET_ADDRESS = "17 Periwinkle Crescent"
WORRY_TEXT = "Landlord Thistlewaite keeps calling round"
STORY_SECRET = "Unshared story about Ottoline's kitchen"


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def make_known(org, site, site2, other_org, other_site) -> dict:
    """Two sites, a quarter of visits and a few before and after it, signposting,
    safeguarding, stories and social value; everything either nought or at
    least five so no figure is hidden. Another organisation's data alongside."""
    rng = random.Random(7)
    quilting = Activity.objects.create(organisation=org, name="Quilting")
    wood = Activity.objects.create(organisation=org, name="Woodworking")
    bands = ["25-34"] * 12 + ["45-54"] * 15 + [""] * 13
    postcodes = ["WN1 3AB"] * 10 + ["wn5 9xy"] * 8 + ["M29 7AA"] * 7 + [""] * 15
    people = []
    for i in range(40):
        person = Person.objects.create(
            organisation=org,
            known_as=FIRST_NAMES[i % 10] + ("" if i < 10 else str(i)),
            full_name=f"{FIRST_NAMES[i % 10]} {SURNAMES[i % 4]}",
            address=f"{i} {SECRET_ADDRESS}",
            postcode=postcodes[i],
            age_band=bands[i],
            phone=f"07700 9{i:05d}",
            anything_to_know=SECRET_NOTE,
        )
        EmergencyContact.objects.create(
            person=person, name="Hortensia Blackwoodley", phone="07700 900000"
        )
        people.append(person)
    # People 0-14 first came before the quarter; 15-39 first came in it.
    sessions = {}
    for day in days(dt.date(2025, 3, 1), dt.date(2025, 7, 31)):
        for s, weekdays in ((site, (1, 3)), (site2, (2, 4))):
            if day.weekday() in weekdays:
                sessions[(s.pk, day)] = Session.objects.create(site=s, date=day)
    visits = []
    for (site_pk, day), session in sessions.items():
        for i, person in enumerate(people):
            home = site.pk if i % 2 == 0 else site2.pk
            if i >= 15 and day < START:
                continue
            chance = 0.6 if site_pk == home else 0.08
            if rng.random() < chance:
                arrived = aware(day, 10, rng.randrange(0, 60))
                visits.append(
                    Visit(
                        person=person,
                        session=session,
                        arrived_at=arrived,
                        left_at=arrived + dt.timedelta(minutes=90),
                        activity=quilting if i % 3 else wood,
                        helped_out=i % 4 == 0 and rng.random() < 0.5,
                    )
                )
        if day.day in (2, 16):  # a visiting group who'd rather not give names
            visits += [
                Visit(session=session, arrived_at=aware(day, 11)) for _ in range(6)
            ]
    Visit.objects.bulk_create(visits)

    # Someone else's people and visits must never count.
    stranger = Person.objects.create(organisation=other_org, known_as="Outsider")
    elsewhere = Session.objects.create(site=other_site, date=dt.date(2025, 5, 6))
    Visit.objects.create(person=stranger, session=elsewhere)
    Visit.objects.bulk_create([Visit(session=elsewhere) for _ in range(7)])

    Category.objects.seed(org)
    money = Category.objects.get(organisation=org, slug="money-and-debt")
    housing = Category.objects.get(organisation=org, slug="housing")
    debt = Service.objects.create(organisation=org, name="Debt Advice")
    debt.categories.set([money])
    both = Service.objects.create(organisation=org, name="Housing and Money")
    both.categories.set([money, housing])
    for n in range(12):
        signpost = Signpost.objects.create(
            organisation=org,
            date=START + dt.timedelta(days=n * 7),
            site=site if n % 2 else site2,
            person=people[n],
            helped_to_contact=n < 5,
        )
        signpost.services.set([debt] if n < 6 else [both])
    Signpost.objects.create(
        organisation=org, date=START - dt.timedelta(days=3), site=site
    ).services.set([debt])

    sally = get_user_model().objects.create_user(username="sally-r")
    reflection = [
        ReflectionSession.objects.create(host=org, date=day, created_by=sally)
        for day in (dt.date(2025, 4, 8), dt.date(2025, 5, 13), dt.date(2025, 6, 10))
    ]
    ReflectionSession.objects.create(
        host=org, date=dt.date(2025, 3, 11), created_by=sally
    )
    for n in range(12):
        worry = Worry.objects.create(
            organisation=org,
            person=people[n] if n % 2 else None,
            about_initials="" if n % 2 else "Q.F.",
            raised_by=sally,
            raised_at=aware(dt.date(2025, 4, 1), 12),
            what_worries_us=WORRY_TEXT,
            her_wishes="To stay with her sister Hyacinthia",
        )
        decision, to = WorryReview.KEEP_IN_TOUCH, ""
        if n < 5:
            decision, to = WorryReview.REFERRAL, "adult-social-care"
        elif n < 10:
            decision, to = WorryReview.REFERRAL, "other"
        WorryReview.objects.create(
            session=reflection[n % 3],
            worry=worry,
            notes="Discussed Ravenscroftley family",
            decision=decision,
            referral_to=to,
            referral_to_other="Thistlewaite Advocacy Project" if to == "other" else "",
            reference="REF-998877",
            reviewed_by=sally,
        )

    for n in range(6):
        Story.objects.create(
            organisation=org,
            site=site,
            date=dt.date(2025, 5, 1) + dt.timedelta(days=n),
            text=f"Coming here gave me my confidence back, number {n}.",
            described_as="A woman who comes to the Wigan workshop",
            consent_to_share=True,
            consent_date=dt.date(2025, 5, 20),
            outcomes=["less-isolated", "new-skills"],
        )
    Story.objects.create(
        organisation=org,
        site=site,
        date=dt.date(2025, 5, 2),
        text=STORY_SECRET,
        consent_to_share=False,
        outcomes=["less-isolated"],
    )

    for n, (name, source, amount, where) in enumerate(
        [
            ("Centre usage", VISITS, "25.00", "Commissioner's day-centre unit cost"),
            (
                "Helped to get in touch",
                SIGNPOSTS_HELPED,
                "40.00",
                "Local social prescribing unit cost",
            ),
        ]
    ):
        line = ValueLine.objects.create(
            organisation=org, name=name, unit="a time", source=source, position=n
        )
        Rate.objects.create(
            line=line,
            effective_from=dt.date(2024, 4, 1),
            amount=Decimal(amount),
            source=where,
        )
    for month in (dt.date(2025, 4, 1), dt.date(2025, 5, 1), dt.date(2025, 6, 1)):
        Income.objects.create(
            organisation=org,
            month=month,
            kind=Income.STATUTORY,
            name="Council grant",
            amount=Decimal("1000"),
        )
        Income.objects.create(
            organisation=org,
            month=month,
            kind=Income.OTHER,
            name="Lottery",
            amount=Decimal("1500"),
        )
    template = ReportTemplate.objects.create(
        organisation=org,
        name="Quarterly",
        funder="The Community Fund",
        narrative_heading="What we did this quarter",
        narrative="We opened on Fridays in Leigh.",
        headings={"headlines": "Our numbers"},
    )
    return {
        "template": template,
        "people": people,
        "activities": [quilting, wood],
    }
