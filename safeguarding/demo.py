"""Fictional, believable safeguarding records for the demo.

Called by the demo command: make_demo(org, partner_org, people, users, rng).
Gentle worries, each with what is going well and who is around her, talked
through at monthly reflection sessions, some of them with a partner group.
Every name and number here is made up (01632 960xxx and 07700 900xxx are
Ofcom's numbers for drama).
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from attendance.models import Person
from peerspace.accounts.models import Membership, Organisation, Partnership

from .models import (
    Action,
    ReflectionSession,
    SafeguardingSettings,
    SessionAnswer,
    SessionWorry,
    Worry,
    WorryReview,
    next_monthly,
)

PARTNER_NAME = "Pemberton Community Corner"
PARTNER_SLUG = "pemberton-community-corner"
PARTNER_LOGIN = "partner"

# (what worries us, what is going well, who is around her, what she wants,
#  categories, serious harm)
WORRIES = [
    (
        "She mentioned the electric has been off twice this month and she's "
        "been skipping meals so the kids can eat.",
        "Never misses a Wednesday. Has taught three women to re-cane chairs.",
        "Her mum, two streets away. A friend from the school gate.",
        "Help with the bills without anyone 'making a fuss'.",
        ["money", "children"],
        "no",
    ),
    (
        "Her partner has been waiting outside and texting her constantly while "
        "she's here. She seemed frightened to leave late.",
        "She laughs a lot in the sewing group and says it's her time.",
        "A sister in Leigh she is close to.",
        "To keep coming here. She isn't ready to talk about home yet.",
        ["safety-at-home", "relationships"],
        "unsure",
    ),
    (
        "Since her husband died in spring she has stopped going out except to "
        "come here, and says the evenings are very long.",
        "Brilliant at upholstery; the younger women look up to her.",
        "A neighbour who pops in; her son phones on Sundays.",
        "Somewhere to go on the days we're closed.",
        ["bereavement", "isolation"],
        "no",
    ),
    (
        "She has been sleeping on a friend's sofa for three weeks after her "
        "tenancy ended and doesn't know where she'll go next.",
        "Organised, resourceful, and already on the council's list.",
        "The friend she is staying with; her key worker at the job centre.",
        "A place of her own near her daughter's school.",
        ["housing", "children"],
        "no",
    ),
    (
        "She said she has been drinking more to get to sleep and was upset "
        "that she came in smelling of it.",
        "She is honest about it and asked us herself what might help.",
        "Her best friend from the quilting group.",
        "To find someone to talk to who won't judge her.",
        ["substances", "health"],
        "no",
    ),
    (
        "A woman who came once with a friend said her landlord lets himself "
        "in when she is out.",
        "She knew her rights and was clear about what she wanted.",
        "The friend who brought her.",
        "Advice about her tenancy.",
        ["housing", "safety-at-home"],
        "no",
    ),
    (
        "She has been very low and said 'what's the point' twice this week.",
        "She still came in, and she talked to us.",
        "Her daughter; her GP knows her well.",
        "For her daughter not to be told yet.",
        ["health", "isolation"],
        "unsure",
    ),
    (
        "Her benefits were stopped after a missed appointment and she has had "
        "no money for ten days.",
        "She keeps every letter in a folder and brought them in.",
        "Her brother, though he is struggling too.",
        "Help to ask for it to be looked at again.",
        ["money"],
        "no",
    ),
]
PARTNER_WORRIES = [
    (
        "Maggie has been giving most of her money to her grandson, who stays "
        "with her now and then.",
        "She runs the Corner's Thursday lunch and everyone loves her.",
        "Her friends at the lunch club; a niece in Standish.",
        "To help her grandson without going without herself.",
        ["money", "relationships"],
    ),
    (
        "A young mum at the toddler group seems to have no one at all since "
        "she moved here.",
        "She has started chatting with the other mums.",
        "No one yet, apart from us.",
        "To make friends and find out what's on.",
        ["isolation", "children"],
    ),
]
DISCUSSIONS = [
    "We talked about how to raise it gently next time she's in.",
    "Agreed to keep it low-key and follow her lead.",
    "Good to hear she's been coming more. We'll keep in touch.",
    "We thought about what she has asked for and who is best placed to help.",
]
CHECKINS = [
    "A busy month. Two of us are tired; we agreed to share the Friday cover.",
    "Feeling good: the new volunteers have settled in well.",
    "Heavy month with a lot of money worries about. Took time to breathe first.",
    "A quieter month. Celebrated the furniture sale.",
]
ACTIONS = [
    "Mention the fuel bank vouchers, if she wants them.",
    "Ask if she'd like a lift to the housing appointment.",
    "Check in with her next Wednesday.",
    "Find out the number for the bereavement group at the library.",
    "Offer to sit with her while she makes the call.",
]


def make_demo(
    org: Organisation,
    partner_org: Organisation | None,
    people: list[Person],
    users: list,
    rng: random.Random,
    password: str = "peerspace-demo",
) -> Organisation:
    """Worries, sessions, reviews and actions for org; returns the partner org.

    Creates the partner group and its safeguarding login ("partner") if none is
    given. Does nothing if org already has worries, so it can run again.
    """
    partner_org = partner_org or _partner(password)
    _partnership(org, partner_org)
    if Worry.objects.filter(organisation=org).exists():
        return partner_org
    users = list(users)
    safeguarding = [
        u
        for u in users
        if Membership.objects.filter(
            user=u, organisation=org, role=Membership.SAFEGUARDING
        ).exists()
    ] or users[:1]
    lead = safeguarding[0]
    partner_lead = (
        get_user_model()
        .objects.filter(
            memberships__organisation=partner_org,
            memberships__role=Membership.SAFEGUARDING,
        )
        .first()
    )

    SafeguardingSettings.objects.get_or_create(
        organisation=org,
        defaults={
            "contacts": f"{lead.get_full_name() or lead.username} (lead): "
            "07700 900461\nDeputy: 07700 900462",
            "local_numbers": "Adult social care: 01632 960001\n"
            "Children's services: 01632 960002\n"
            "Out of hours: 01632 960003\n"
            "Local domestic abuse service: 01632 960004",
        },
    )

    today = timezone.localdate()
    # Monthly sessions on the second Tuesday, six past and the next one.
    first = today - dt.timedelta(days=190)
    date = first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)
    sessions = []
    while len(sessions) < 7:
        joint = len(sessions) % 2 == 1
        session = ReflectionSession.objects.create(
            host=org,
            date=date,
            created_by=lead,
            checkin=rng.choice(CHECKINS) if date <= today else "",
        )
        session.attendees.add(*safeguarding, *rng.sample(users, min(2, len(users))))
        if joint:
            session.partners.add(partner_org)
            SessionAnswer.give(session, partner_org, joining=True, by=partner_lead)
            if partner_lead:
                session.attendees.add(partner_lead)
            session.guests = "Jo from the Wigan domestic abuse service"
            session.save()
        sessions.append(session)
        if date > today:
            break
        date = next_monthly(date)

    chosen = rng.sample(people, min(len(people), len(WORRIES) - 1))
    worries = []
    for i, (worry_text, well, circle, wishes, cats, harm) in enumerate(WORRIES):
        raised = today - dt.timedelta(days=int(170 - i * 20 + rng.randrange(0, 6)))
        worry = Worry.objects.create(
            organisation=org,
            person=chosen[i] if i < len(chosen) and i != 5 else None,
            about_initials="" if i < len(chosen) and i != 5 else "D.K.",
            about_description="Came once with a friend." if i == 5 else "",
            raised_by=rng.choice(users),
            raised_at=timezone.make_aware(
                dt.datetime.combine(raised, dt.time(11, rng.randrange(60)))
            ),
            what_worries_us=worry_text,
            whats_going_well=well,
            circle_of_support=circle,
            her_wishes=wishes,
            does_she_know=rng.choice(["yes", "yes", "not-yet"]),
            serious_harm=harm,
            categories=cats,
        )
        worries.append(worry)
        _review_at_sessions(worry, sessions, today, lead, rng, i)

    partner_people = [("Maggie", "Maggie Fairhurst"), ("Em", "")]
    for (known_as, full_name), (worry_text, well, circle, wishes, cats) in zip(
        partner_people, PARTNER_WORRIES, strict=True
    ):
        person = Person.objects.create(
            organisation=partner_org, known_as=known_as, full_name=full_name
        )
        theirs = Worry.objects.create(
            organisation=partner_org,
            person=person,
            raised_by=partner_lead or lead,
            raised_at=timezone.now() - dt.timedelta(days=40),
            what_worries_us=worry_text,
            whats_going_well=well,
            circle_of_support=circle,
            her_wishes=wishes,
            does_she_know="yes",
            categories=cats,
        )
        for session in sessions:
            if session.date >= theirs.raised_at.date() and session.is_joint:
                SessionWorry.objects.create(
                    session=session, worry=theirs, brought_by=partner_lead or lead
                )
                break
    return partner_org


def _review_at_sessions(worry, sessions, today, lead, rng, i):
    """Talk a worry through at the sessions after it was raised."""
    later = [s for s in sessions if worry.raised_at.date() < s.date <= today]
    for n, session in enumerate(later[:3]):
        last = n == len(later[:3]) - 1
        referral = i in (1, 3) and n == 0
        decision = (
            WorryReview.REFERRAL
            if referral
            else rng.choice(
                [
                    WorryReview.KEEP_IN_TOUCH,
                    WorryReview.OFFER_SUPPORT,
                    WorryReview.SIGNPOST,
                ]
            )
        )
        closing = last and i in (2, 5, 7) and n > 0
        status = Worry.CLOSED if closing else rng.choice([Worry.OPEN, Worry.WATCHING])
        if session.is_joint and i in (0, 4):
            SessionWorry.objects.get_or_create(
                session=session, worry=worry, defaults={"brought_by": lead}
            )
        review = WorryReview.objects.create(
            session=session,
            worry=worry,
            notes=rng.choice(DISCUSSIONS),
            decision=decision,
            referral_to=(
                ("domestic-abuse" if i == 1 else "adult-social-care")
                if referral
                else ""
            ),
            referral_date=session.date if referral else None,
            referred_by=lead if referral else None,
            reference=f"REF-{rng.randrange(10000, 99999)}" if referral else "",
            status_after=status,
            reviewed_by=lead,
            reviewed_at=timezone.make_aware(
                dt.datetime.combine(session.date, dt.time(14, 0))
            ),
        )
        due = session.date + dt.timedelta(days=rng.choice([7, 14, 21]))
        assigned = lead if rng.random() < 0.6 else None
        Action.objects.create(
            worry=worry,
            review=review,
            what=rng.choice(ACTIONS),
            assigned_to=assigned,
            who_else="" if assigned else "Jo",
            due=due,
            done_at=(
                timezone.make_aware(dt.datetime.combine(due, dt.time(12)))
                if due < today and rng.random() < 0.75
                else None
            ),
        )
        if closing:
            worry.close("Things have settled and she's happy with how it went.")
        else:
            worry.set_status(status)
    if i == 6:
        worry.flagged_for_review = True
        worry.save(update_fields=["flagged_for_review"])


def _partnership(org: Organisation, partner_org: Organisation) -> None:
    """The two groups are partners: the workshop asked, the Corner said yes."""
    if Partnership.objects.accepted().between(org.pk, partner_org.pk).exists():
        return
    partnership, _ = Partnership.objects.propose(
        org, None, code=partner_org.get_partnership_code()
    )
    partnership.accept(by=None)
    # Partners since before the first demo session.
    Partnership.objects.filter(pk=partnership.pk).update(
        proposed_at=timezone.now() - dt.timedelta(days=400),
        answered_at=timezone.now() - dt.timedelta(days=400),
    )


def _partner(password: str) -> Organisation:
    partner, _ = Organisation.objects.get_or_create(
        slug=PARTNER_SLUG, defaults={"name": PARTNER_NAME}
    )
    user, created = get_user_model().objects.get_or_create(
        username=PARTNER_LOGIN, defaults={"first_name": "Pam", "last_name": "Partner"}
    )
    user.set_password(password)
    user.save()
    Membership.objects.get_or_create(
        user=user, organisation=partner, role=Membership.SAFEGUARDING
    )
    SafeguardingSettings.objects.get_or_create(
        organisation=partner,
        defaults={"contacts": "Pam (safeguarding lead): 07700 900471"},
    )
    return partner
