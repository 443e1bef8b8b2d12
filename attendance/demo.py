"""Demo data for attendance: people, sessions and a year of visits."""

import datetime as dt

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from attendance.models import (
    AGE_BANDS,
    HEARD_ABOUT_US,
    Activity,
    EmergencyContact,
    Person,
    Session,
    Visit,
)

FIRST_NAMES = (
    "Sam Jo Kerry Tracey Lisa Michelle Donna Julie Karen Sarah Emma Gemma Leanne "
    "Stacey Nicola Claire Amanda Jackie Debbie Sharon Angela Paula Helen Joanne "
    "Dawn Carol Sue Bev Lorraine Shirley Pat Maureen Brenda Janet Ann Irene "
    "Chloe Jade Courtney Megan Ellie Amy Holly Kayleigh Siobhán Aoife Niamh "
    "Zoë Renée Agnieszka Katarzyna Magdalena Oksana Iryna Ana Maria Fatima "
    "Aisha Amina Nadia Samira Yasmin Shabana Nasreen Parveen Grace Blessing "
    "Chipo Adaeze Precious Mercy Mei Lan Thu Priya Kavita Sunita"
).split()
URDU_NAMES = ["زینب", "عائشہ", "فاطمہ", "مریم"]
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
    "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Hughes "
    "Turner Hill Moore Cooper Ward Morris O'Brien O'Neill McCarthy Ní Bhriain "
    "Kowalska Nowak Wiśniewska Shevchenko Khan Begum Hussain Akhtar Bibi Ahmed "
    "Okafor Mensah Moyo Nguyen Chen Patel Sharma Kaur Fairclough Unsworth "
    "Heaton Pennington Ashurst Marsh"
).split()
RELATIONSHIPS = ["sister", "mum", "daughter", "friend", "neighbour", "partner", "son"]
POSTCODES = ["WN1", "WN2", "WN3", "WN4", "WN5", "WN6", "WN7", "WN8", "M29", "M46"]
NOTES = [
    "Prefers a quiet corner; loud noise can be a lot.",
    "Coeliac: please check the biscuits.",
    "Uses a walking stick; ground floor please.",
    "Likes to be texted rather than called.",
    "",
    "",
    "",
]
ACTIVITIES = [
    "Upcycling furniture",
    "Quilting",
    "Woodworking",
    "Sewing and alterations",
    "Self-esteem group",
    "Cuppa and a chat",
]
# Site name, weekdays open (Mon=0), opening and closing times.
SITES = [
    ("Wigan", [0, 2, 3], dt.time(10, 0), dt.time(15, 0)),
    ("Leigh", [1, 4], dt.time(10, 0), dt.time(14, 30)),
]


def make_demo(org, sites, rng, scale):
    """A year of people, sessions and visits for a new demo organisation."""
    activities = [Activity.objects.create(organisation=org, name=n) for n in ACTIVITIES]
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    n_people = 150 * scale
    statement = org.data_use_statement_in(None)
    people = []
    for i in range(n_people):
        first = rng.choice(URDU_NAMES if i % 37 == 5 else FIRST_NAMES)
        surname = rng.choice(SURNAMES) if rng.random() < 0.7 else ""
        joined = start + dt.timedelta(days=int(rng.random() ** 1.3 * 360))
        person = Person(
            organisation=org,
            known_as=first,
            full_name=f"{first} {surname}".strip() if surname else "",
            phone=f"07700 9{rng.randrange(10**5):05d}" if rng.random() < 0.6 else "",
            postcode=(
                f"{rng.choice(POSTCODES)} {rng.randrange(1, 9)}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                if rng.random() < 0.55
                else ""
            ),
            age_band=rng.choice([b for b, _ in AGE_BANDS][1:])
            if rng.random() < 0.7
            else "",
            heard_about_us=rng.choice([h for h, _ in HEARD_ABOUT_US])
            if rng.random() < 0.6
            else "",
            anything_to_know=rng.choice(NOTES),
            ok_to_text=rng.random() < 0.5,
            form_complete=rng.random() > 0.03,
            created=timezone.make_aware(dt.datetime.combine(joined, dt.time(10, 30))),
        )
        person.refresh_keys()  # bulk_create doesn't call save()
        if person.form_complete:
            person.record_agreement(statement)
            person.data_use_agreed_at = person.created
        people.append(person)
    people = bulk_create_with_history(people, Person, batch_size=500)
    people = list(org.people.order_by("id"))
    contacts = [
        EmergencyContact(
            person=p,
            name=rng.choice(FIRST_NAMES),
            relationship=rng.choice(RELATIONSHIPS),
            phone=f"07700 9{rng.randrange(10**5):05d}",
        )
        for p in people
        if rng.random() < 0.6
    ]
    bulk_create_with_history(contacts, EmergencyContact, batch_size=500)

    # Regulars come most weeks, occasionals now and then, one-offs once.
    kinds = rng.choices(
        ["regular", "occasional", "once"], [0.4, 0.38, 0.22], k=len(people)
    )
    home_site = {p.pk: rng.randrange(len(sites)) for p in people}
    favourite = {p.pk: rng.choice(activities) for p in people}
    once_done = set()
    visits = []
    day = start
    while day <= today:
        for site_index, (_, weekdays, opens, closes) in enumerate(SITES):
            if day.weekday() not in weekdays or _closed(day):
                continue
            session = Session.objects.create(
                site=sites[site_index], date=day, opens=opens, closes=closes
            )
            for person, kind in zip(people, kinds, strict=True):
                if person.created.date() > day:
                    continue
                same_site = home_site[person.pk] == site_index
                if kind == "regular":
                    chance = 0.8 if same_site else 0.05
                elif kind == "occasional":
                    chance = 0.2 if same_site else 0.02
                else:
                    chance = 0.3 if same_site and person.pk not in once_done else 0
                if rng.random() >= chance:
                    continue
                once_done.add(person.pk)
                arrived = dt.datetime.combine(day, opens) + dt.timedelta(
                    minutes=rng.randrange(0, 150)
                )
                left = None
                if day < today:
                    left = arrived + dt.timedelta(minutes=rng.randrange(45, 240))
                visits.append(
                    Visit(
                        person=person,
                        session=session,
                        arrived_at=timezone.make_aware(arrived),
                        left_at=timezone.make_aware(left) if left else None,
                        activity=favourite[person.pk]
                        if rng.random() < 0.7
                        else rng.choice(activities),
                        helped_out=kind == "regular" and rng.random() < 0.18,
                        method=Visit.FACILITATOR
                        if rng.random() < 0.85
                        else Visit.KIOSK,
                    )
                )
            # Now and then a visiting group who'd rather not give names.
            if rng.random() < 0.05:
                arrived = timezone.make_aware(dt.datetime.combine(day, opens))
                for _ in range(rng.randrange(3, 9)):
                    visits.append(
                        Visit(
                            session=session,
                            arrived_at=arrived,
                            left_at=arrived + dt.timedelta(hours=2)
                            if day < today
                            else None,
                        )
                    )
            if len(visits) > 5000:
                Visit.objects.bulk_create(visits)
                visits = []
        day += dt.timedelta(days=1)
    Visit.objects.bulk_create(visits)


def _closed(day: dt.date) -> bool:
    # Closed over Christmas and New Year, and for a week in August.
    return (
        (day.month == 12 and day.day >= 22)
        or (day.month == 1 and day.day <= 3)
        or (day.month == 8 and 10 <= day.day <= 16)
    )
