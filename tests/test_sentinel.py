"""A facilitator opens every page and download he can reach: what he may not
read (worry texts, review notes, actions, another group's people) never appears.

Distinctive sentinel words go into every sensitive field; then bob (a
facilitator) GETs every URL in the project, each with every object id we made,
plus the search and filter variants, and every answer he gets (PDFs read back
as text) is searched for them.
"""

import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import EmergencyContact, Person, Session, Visit
from peerspace.accounts.models import Membership
from safeguarding.models import Action, ReflectionSession, Worry, WorryReview
from signposting.models import Service, Signpost
from tests.conftest import make_user
from tests.helpers import pdf_text
from tests.test_url_protection import build_url, converters, kwarg_value, url_patterns

# What bob may see: her details, as everyone on the team can.
VISIBLE = {
    "full_name": "Qxvisiblefullname",
    "address": "Qxvisibleaddress",
    "phone": "07700 900417",
    "anything_to_know": "Qxvisibleanything",
    "contact_name": "Qxvisiblecontact",
}
# What he may not: every worry's text (his own included: he sees only its
# status), reviews, actions, sessions, and another organisation's people.
HIDDEN = {
    "his_worry_what": "Qxhiddenhisworrywhat",
    "his_worry_well": "Qxhiddenhisworrywell",
    "his_worry_circle": "Qxhiddenhisworrycircle",
    "his_worry_wishes": "Qxhiddenhisworrywishes",
    "others_worry_what": "Qxhiddenothersworrywhat",
    "others_worry_well": "Qxhiddenothersworrywell",
    "others_worry_circle": "Qxhiddenothersworrycircle",
    "others_worry_wishes": "Qxhiddenothersworrywishes",
    "others_worry_about": "Qxhiddenothersworryabout",
    "closed_reason": "Qxhiddenclosedreason",
    "review_notes": "Qxhiddenreviewnotes",
    "review_reference": "Qxhiddenreviewreference",
    "action_what": "Qxhiddenactionwhat",
    "action_who_else": "Qxhiddenactionwhoelse",
    "session_notes": "Qxhiddensessionnotes",
    "session_checkin": "Qxhiddensessioncheckin",
    "outsider_name": "Qxhiddenoutsidername",
    "outsider_anything": "Qxhiddenoutsideranything",
    "outsider_phone": "07700 900666",
}


@pytest.fixture
def world(org, other_org, site, bob, activity):
    sally = make_user("sally", org, Membership.SAFEGUARDING)
    her = Person.objects.create(
        organisation=org,
        known_as="Wren",
        full_name=VISIBLE["full_name"],
        address=VISIBLE["address"],
        phone=VISIBLE["phone"],
        anything_to_know=VISIBLE["anything_to_know"],
    )
    EmergencyContact.objects.create(
        person=her, name=VISIBLE["contact_name"], phone="07700 900418"
    )
    visit, _ = Visit.objects.sign_in(her, Session.objects.today(site), by=bob)
    outsider = Person.objects.create(
        organisation=other_org,
        known_as="Wren",
        full_name=HIDDEN["outsider_name"],
        phone=HIDDEN["outsider_phone"],
        anything_to_know=HIDDEN["outsider_anything"],
    )
    his = Worry.objects.create(
        organisation=org,
        person=her,
        raised_by=bob,
        what_worries_us=HIDDEN["his_worry_what"],
        whats_going_well=HIDDEN["his_worry_well"],
        circle_of_support=HIDDEN["his_worry_circle"],
        her_wishes=HIDDEN["his_worry_wishes"],
    )
    others = Worry.objects.create(
        organisation=org,
        person=her,
        raised_by=sally,
        what_worries_us=HIDDEN["others_worry_what"],
        whats_going_well=HIDDEN["others_worry_well"],
        circle_of_support=HIDDEN["others_worry_circle"],
        her_wishes=HIDDEN["others_worry_wishes"],
    )
    unregistered = Worry.objects.create(
        organisation=org,
        raised_by=sally,
        about_initials="K.P.",
        about_description=HIDDEN["others_worry_about"],
        what_worries_us="Something else entirely.",
    )
    unregistered.close(HIDDEN["closed_reason"])
    session = ReflectionSession.objects.create(
        host=org,
        date=timezone.localdate(),
        created_by=sally,
        notes=HIDDEN["session_notes"],
        checkin=HIDDEN["session_checkin"],
    )
    review = WorryReview.objects.create(
        session=session,
        worry=his,
        notes=HIDDEN["review_notes"],
        reference=HIDDEN["review_reference"],
        reviewed_by=sally,
    )
    action = Action.objects.create(
        worry=his,
        review=review,
        what=HIDDEN["action_what"],
        who_else=HIDDEN["action_who_else"],
    )
    service = Service.objects.create(organisation=org, name="Housing advice")
    signpost = Signpost.objects.create(organisation=org, site=site, person=her)
    signpost.services.add(service)
    return {
        "her": her,
        "ids": sorted(
            {
                her.pk,
                outsider.pk,
                visit.pk,
                his.pk,
                others.pk,
                unregistered.pk,
                session.pk,
                review.pk,
                action.pk,
                service.pk,
                site.pk,
                bob.pk,
            }
        ),
        "slug": org.slug,
    }


def bobs_urls(world) -> list[str]:
    """Every URL, each int argument tried with every id we made."""
    urls = set()
    for name, route, pattern in url_patterns():
        # The funder reports get their own sentinel checks, with peerspace/reports.
        if name and name.startswith("reports:"):
            continue
        convs = converters(route, pattern)
        int_args = [
            k for k, c in convs.items() if c == "int" or "Int" in type(c).__name__
        ]
        fixed = {
            k: kwarg_value(k, name or "", c, {"slug": world["slug"], "pk_by_url": {}})
            for k, c in convs.items()
            if k not in int_args
        }
        for values in itertools.product(world["ids"], repeat=len(int_args)):
            kwargs = {**fixed, **dict(zip(int_args, values, strict=True))}
            urls.add(build_url(name, route, kwargs))
    her = world["her"]
    urls |= {
        reverse("attendance:people") + "?q=Wren",
        reverse("attendance:people") + f"?q={VISIBLE['full_name']}",
        reverse("safeguarding:worries") + "?status=closed",
        reverse("safeguarding:worries") + "?status=all",
        reverse("safeguarding:worry_new") + f"?person={her.pk}",
        reverse("safeguarding:worry_new") + "?q=Wren",
        reverse("signposting:log") + "?from=2000-01-01",
    }
    for site_pk in world["ids"]:
        urls.add(reverse("attendance:search", args=[site_pk]) + "?q=Wren")
    return sorted(urls)


def test_a_facilitator_never_sees_what_is_not_his_to_read(client, bob, world, tmp_path):
    client.force_login(bob)
    seen = []
    opened = 0
    for url in bobs_urls(world):
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened += 1
        body = b"".join(response) if response.streaming else response.content
        if response["Content-Type"] == "application/pdf":
            text = " ".join(pdf_text(body, tmp_path).split())
        else:
            text = body.decode("utf-8", "replace")
        for key, sentinel in HIDDEN.items():
            if sentinel in text:
                seen.append(f"{key} on {url}")
        seen_visible = [k for k, v in VISIBLE.items() if v in text]
        if seen_visible:
            world.setdefault("visible", set()).update(seen_visible)
    assert not seen, "\n".join(seen)
    # The walk really reached her pages, the door, the fire register and his worries.
    assert opened > 20
    assert world.get("visible") == set(VISIBLE)
