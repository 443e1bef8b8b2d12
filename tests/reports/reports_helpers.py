import datetime as dt

from django.utils import timezone

# The quarter the known dataset is built around (April to June 2025).
START = dt.date(2025, 4, 1)
END = dt.date(2025, 6, 30)

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
