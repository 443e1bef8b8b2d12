"""A believable, entirely fictional local directory for the demo organisation.

Names are made up; phone numbers are in Ofcom's ranges kept for drama (01632
960xxx, 07700 900xxx, 0808 157 0xxx) and websites are on example.org, so
nothing here reaches a real service. Called from the attendance `demo` command
only when it creates the organisation's data.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from attendance.models import Person
from peerspace.accounts.models import Organisation

from .models import Category, DirectorySettings, Service, Signpost

# name, provider, categories (slugs), crisis, phone, description, opening times
# fmt: off
SERVICES = [
    ("Lantern Line", "Lantern Listening Trust", ["mental-health-and-crisis"], True, "0808 157 0101", "A listening ear, any time of day or night, for anyone finding things hard.", "24 hours, every day"),
    ("Safe Harbour Crisis Café", "Northway Mind Matters", ["mental-health-and-crisis"], True, "01632 960101", "A calm place to go in the evening if you're struggling. No appointment needed.", "Mon to Sun 6pm to 11pm"),
    ("Harbour Domestic Abuse Helpline", "Harbour Women's Project", ["domestic-abuse"], True, "0808 157 0102", "Confidential advice and support for women experiencing abuse at home, including safe places to stay.", "24 hours, every day"),
    ("Open Door Night Shelter", "Open Door Wigan", ["housing"], True, "01632 960102", "Emergency beds and a hot meal for anyone with nowhere to sleep tonight.", "Every night from 8pm"),
    ("Urgent Food Parcels", "Wigan Borough Food Network", ["food"], True, "01632 960103", "Food parcels the same day when the cupboards are empty. Ring first.", "Mon to Fri 10am to 3pm"),
    ("Sunrise Talking Therapies", "Northway Mind Matters", ["mental-health-and-crisis"], False, "01632 960104", "Free counselling and courses for low mood, worry and stress. You can refer yourself.", "Mon to Fri 9am to 5pm"),
    ("Bluebell Women's Counselling", "Bluebell Centre", ["mental-health-and-crisis", "womens-groups"], False, "01632 960105", "Counselling by women, for women, including for past abuse.", "Tue to Thu 10am to 7pm"),
    ("Freedom Programme Leigh", "Harbour Women's Project", ["domestic-abuse", "womens-groups"], False, "01632 960106", "A 12-week group for women to understand abusive relationships and rebuild confidence.", "Wednesdays 10am to 12 noon"),
    ("Clear Money Debt Advice", "Clear Money Trust", ["money-and-debt"], False, "0808 157 0103", "Free, confidential help to sort out debts and deal with bailiffs.", "Mon to Fri 9am to 5pm"),
    ("Wigan Money Café", "Wigan Advice Partnership", ["money-and-debt", "benefits"], False, "01632 960107", "Drop in for a cuppa and help with bills, budgeting and energy debts.", "Thursdays 10am to 1pm"),
    ("Benefits Checkup Service", "Wigan Advice Partnership", ["benefits"], False, "01632 960108", "Help to check what you're entitled to and to fill in forms, including Universal Credit and PIP.", "Mon to Fri 9:30am to 4:30pm"),
    ("Appeals Support Clinic", "Northway Law Centre", ["benefits", "legal"], False, "01632 960109", "Help to challenge benefit decisions and prepare for tribunals.", "By appointment"),
    ("Homefinder Advice", "Wigan Borough Housing Options", ["housing"], False, "01632 960110", "Advice if you're at risk of losing your home, or need to find somewhere new.", "Mon to Fri 9am to 5pm"),
    ("Tenants' Rights Line", "Northway Law Centre", ["housing", "legal"], False, "01632 960111", "Help with repairs, deposits, evictions and problems with landlords.", "Mon, Wed, Fri 10am to 4pm"),
    ("Leigh Community Pantry", "Leigh Together", ["food"], False, "01632 960112", "A low-cost pantry: £4 a week for a bag of shopping worth much more. Membership is free.", "Tue and Fri 11am to 2pm"),
    ("Pay-as-you-feel Kitchen", "Heartwood Church Hall", ["food", "community-activities"], False, "07700 900101", "Hot lunch, company, and pay what you can (or nothing).", "Saturdays 12 noon to 2pm"),
    ("Turning Point Recovery Hub", "Greenway Recovery", ["substances"], False, "01632 960113", "Support to cut down or stop drinking or drugs, and for family members too.", "Mon to Fri 9am to 5pm, Thu till 8pm"),
    ("Women in Recovery Group", "Greenway Recovery", ["substances", "womens-groups"], False, "01632 960114", "A women-only peer group for anyone in or thinking about recovery.", "Mondays 1pm to 3pm"),
    ("Walk-in Health Centre", "Northway Health Partnership", ["physical-health"], False, "01632 960115", "See a nurse without an appointment for minor illness and injuries.", "Every day 8am to 8pm"),
    ("Women's Health Drop-in", "Northway Health Partnership", ["physical-health"], False, "01632 960116", "Contraception, smear tests and menopause advice from women nurses.", "Tuesdays 4pm to 7pm"),
    ("Stop Smoking Support", "Healthier Wigan", ["physical-health", "substances"], False, "01632 960117", "Free patches and weekly support to stop smoking.", "Mon to Fri 9am to 5pm"),
    ("Next Steps Employment Support", "Workwise North West", ["work-and-training"], False, "01632 960118", "One-to-one help with CVs, applications and confidence for interviews.", "Mon to Thu 9am to 4pm"),
    ("Adult Learning Centre", "Wigan Adult Learning", ["work-and-training", "community-activities"], False, "01632 960119", "Free courses in English, maths, computers and more.", "Term time, days and evenings"),
    ("Volunteer Centre", "Wigan Borough Volunteers", ["work-and-training", "community-activities"], False, "01632 960120", "Find volunteering that suits you, from gardening to charity shops.", "Mon to Fri 10am to 4pm"),
    ("Family Hub Wigan Central", "Wigan Family Services", ["children-and-family"], False, "01632 960121", "Help for families with children up to 19: parenting, play sessions and advice.", "Mon to Fri 8:30am to 5pm"),
    ("Little Steps Baby Bank", "Little Steps", ["children-and-family"], False, "07700 900102", "Free prams, cots, clothes and nappies for families who need them, by referral.", "Wednesdays 10am to 1pm"),
    ("Kinship Carers Group", "Family Circle Trust", ["children-and-family"], False, "01632 960122", "Support for grandparents and others bringing up a relative's child.", "First Thursday of the month 10am"),
    ("Forget-me-not Bereavement Support", "Forget-me-not", ["bereavement"], False, "01632 960123", "One-to-one and group support after someone close has died.", "Mon to Fri 9am to 5pm"),
    ("Tea and Memories Café", "Forget-me-not", ["bereavement", "community-activities"], False, "07700 900103", "A relaxed monthly café for people who have lost someone.", "Last Saturday of the month 2pm to 4pm"),
    ("Free Legal Advice Evening", "Northway Law Centre", ["legal"], False, "01632 960124", "Twenty minutes with a volunteer solicitor on family, housing or work problems.", "Tuesdays 6pm to 8pm"),
    ("Family Law Helpline", "Women's Legal Line North", ["legal", "domestic-abuse"], False, "0808 157 0104", "Free legal advice for women on divorce, child contact and protection orders.", "Mon to Fri 10am to 4pm"),
    ("Immigration Advice Clinic", "Northway Law Centre", ["legal"], False, "01632 960125", "Free advice on immigration status and the right to work or rent.", "Thursdays by appointment"),
    ("Sisters United Women's Group", "Sisters United", ["womens-groups", "community-activities"], False, "07700 900104", "A friendly group for women from all backgrounds: crafts, trips and English practice.", "Fridays 10am to 12 noon"),
    ("New Neighbours Welcome", "Sisters United", ["womens-groups", "community-activities"], False, "07700 900105", "Befriending and practical help for women new to the area, including refugees.", "By arrangement"),
    ("Older Women's Lunch Club", "Leigh Together", ["womens-groups", "community-activities", "food"], False, "01632 960126", "A two-course lunch and good company for women over 60.", "Wednesdays 12 noon"),
    ("Walking for Wellbeing", "Healthier Wigan", ["community-activities", "physical-health"], False, "01632 960127", "Gentle, friendly group walks led by volunteers.", "Mondays and Thursdays 10am"),
    ("Community Allotment", "Green Shoots Growing", ["community-activities", "mental-health-and-crisis"], False, "07700 900106", "Grow food, get outdoors and meet people. No experience needed.", "Tue and Sat 10am to 2pm"),
    ("Warm Spaces Library", "Wigan Libraries", ["community-activities"], False, "01632 960128", "Somewhere warm to sit, with free hot drinks, Wi-Fi and help with computers.", "Mon to Sat 9am to 5pm"),
    ("Energy Help Line", "Warm Homes North", ["money-and-debt", "housing"], False, "0808 157 0105", "Help with energy bills, grants for boilers and staying warm for less.", "Mon to Fri 9am to 5pm"),
    ("Carers' Support Service", "Wigan Carers", ["children-and-family", "mental-health-and-crisis"], False, "01632 960129", "Advice, breaks and a listening ear for anyone caring for someone.", "Mon to Fri 9am to 5pm"),
    ("Sexual Violence Support Line", "Clearwater Rape Crisis", ["domestic-abuse", "mental-health-and-crisis"], True, "0808 157 0106", "Support for women and girls who have experienced sexual violence, whenever it happened.", "Every day 12 noon to 12 midnight"),
]
# fmt: on

WHO_FOR = [
    "Anyone in Wigan borough",
    "Women aged 18 and over",
    "Anyone living in Wigan or Leigh",
    "Adults in Greater Manchester",
    "Women and their children",
]
LANGUAGES = [
    "English",
    "English, Urdu",
    "English, Polish",
    "English, Arabic, Urdu",
    "English, BSL",
]
STREETS = [
    "Market Street",
    "Wallgate",
    "Bradshawgate",
    "Standishgate",
    "Church Street",
    "Railway Road",
    "King Street",
    "Library Street",
]


def make_demo(org: Organisation, rng: random.Random, scale: int = 1) -> None:
    """Add the directory and a year of signposting to a new demo organisation."""
    if Service.objects.filter(organisation=org).exists():
        return
    today = timezone.localdate()
    with transaction.atomic():
        Category.objects.seed(org)
        categories = {c.slug: c for c in Category.objects.filter(organisation=org)}
        services = []
        for i, (name, provider, slugs, crisis, phone, description, hours) in enumerate(
            SERVICES
        ):
            town = "Leigh" if "Leigh" in name or i % 4 == 3 else "Wigan"
            slug = "".join(c for c in name.lower() if c.isalnum())
            # A few not checked for over a year, so the "to check" list has work.
            checked = today - dt.timedelta(
                days=rng.randrange(400, 700) if i % 9 == 4 else rng.randrange(10, 330)
            )
            service = Service.objects.create(
                organisation=org,
                name=name,
                provider_name=provider,
                description=description,
                who_its_for=rng.choice(WHO_FOR),
                how_to_access=(
                    "Ring or drop in: no referral needed."
                    if i % 6
                    else "Ask us and we'll refer you, or your GP can."
                ),
                self_referral=bool(i % 6),
                phone=phone,
                email=f"hello@{slug[:20]}.example.org",
                website=f"https://{slug[:20]}.example.org/",
                address=(
                    ""
                    if phone.startswith("0808")
                    else f"{rng.randrange(1, 120)} {rng.choice(STREETS)}\n{town}"
                ),
                postcode=(
                    ""
                    if phone.startswith("0808")
                    else f"{'WN7' if town == 'Leigh' else 'WN1'} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                ),
                opening_times=hours,
                languages=rng.choice(LANGUAGES),
                cost="Free" if i % 7 else "Small charge; ask about help with costs",
                is_emergency=crisis,
                last_checked=checked,
            )
            chosen = [categories[s] for s in slugs if s in categories]
            service.categories.set(chosen)
            service.refresh_search_key([c.name for c in chosen])
            services.append(service)
        DirectorySettings.objects.get_or_create(
            organisation=org, defaults={"public_page": True, "open_api": False}
        )
        _make_signposts(org, rng, scale, services, today)


def _make_signposts(org, rng, scale, services, today) -> None:
    people = list(Person.objects.filter(organisation=org).values_list("id", flat=True))
    sites = list(org.sites.filter(is_active=True))
    # Food, money and mental health come up most often.
    weights = [
        3
        if s.is_emergency
        else 1
        + 2 * any(w in s.name for w in ("Food", "Money", "Pantry", "Therap", "Benefit"))
        for s in services
    ]
    count = 180 * scale
    made = []
    for _ in range(count):
        signpost = Signpost(
            organisation=org,
            date=today - dt.timedelta(days=rng.randrange(0, 365)),
            site=rng.choice(sites) if sites else None,
            person_id=rng.choice(people) if people and rng.random() < 0.75 else None,
            helped_to_contact=rng.random() < 0.4,
        )
        made.append(
            (
                signpost,
                {
                    s.pk
                    for s in rng.choices(
                        services, weights, k=rng.choice([1, 1, 1, 2, 3])
                    )
                },
            )
        )
    Signpost.objects.bulk_create([s for s, _ in made])
    Through = Signpost.services.through
    Through.objects.bulk_create(
        [Through(signpost_id=s.pk, service_id=pk) for s, pks in made for pk in pks]
    )
