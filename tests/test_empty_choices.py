"""No drop-down anywhere offers "---------" as its empty choice.

Django's default empty label means nothing to someone choosing who will do an
action; every select says in words what leaving it empty means. This walks
every page in the project, on the demo's records, as someone with every role,
and then posts each form back empty so the pages shown with errors are
checked too.
"""

import random

import pytest
from django.urls import reverse
from django.utils import timezone

import peerspace.reports.demo
import safeguarding.demo
import signposting.demo
from attendance.models import (
    Activity,
    OfflineEntry,
    PendingArrival,
    Person,
    Session,
    Visit,
)
from peerspace.accounts.models import Membership, Organisation, Partnership, Site
from peerspace.reports.models import ReportTemplate, Story, Tally, ValueLine
from safeguarding.models import Action, ReflectionSession, UrgentAlert, WorryReview
from signposting.models import Category, Feed, Service
from tests.conftest import make_user
from tests.test_url_protection import PUBLIC, build_url, converters, url_patterns

DASHES = "---------"


@pytest.fixture
def demo(db):
    """The demo's records, but for its year of visits (slow, and no help)."""
    rng = random.Random(12)
    org = Organisation.objects.create(name="Mended Together", slug="mended")
    site = Site.objects.create(organisation=org, name="Wigan")
    Activity.objects.create(organisation=org, name="Quilting")
    people = [
        Person.objects.create(organisation=org, known_as=name, full_name=full)
        for name, full in (
            ("Kerry", "Kerry Ashton"),
            ("Donna", ""),
            ("Aisha", "Aisha Khan"),
            ("Mei", "Mei Lin"),
            ("Shirley", ""),
            ("Agnieszka", "Agnieszka Nowak"),
            ("Bev", "Beverley Hart"),
        )
    ]
    staff = [
        make_user("fran", org, Membership.FACILITATOR),
        make_user("sally", org, Membership.SAFEGUARDING),
    ]
    signposting.demo.make_demo(org, rng, scale=1)
    safeguarding.demo.make_demo(org, None, people, staff, rng)
    peerspace.reports.demo.make_demo(org, [site], rng)
    user = make_user(
        "everyone",
        org,
        Membership.COORDINATOR,
        Membership.SAFEGUARDING,
        Membership.FACILITATOR,
    )
    line = (
        ValueLine.objects.filter(organisation=org, levels__isnull=False)
        .distinct()
        .first()
    )
    review = WorryReview.objects.filter(
        worry__organisation=org, worry__person__isnull=False
    ).first()
    visit, _ = Visit.objects.sign_in(
        Person.objects.filter(organisation=org).first(), Session.objects.today(site)
    )
    service = Service.objects.filter(organisation=org).first()
    objects = {
        "site_pk": site.pk,
        "person_pk": review.worry.person_id,
        "visit_pk": visit.pk,
        # Someone to take off the team (the walk posts to every form).
        "user_pk": org.memberships.exclude(user=user).first().user_id,
        "worry_pk": review.worry_id,
        "slug": org.slug,
        "key": "visits",
        "year": timezone.localdate().year,
        "month": timezone.localdate().month,
        "fmt": "csv",
        "language": "pl",
        "by_url": {
            "attendance:person": review.worry.person_id,
            "attendance:erase": review.worry.person_id,
            "attendance:pending": PendingArrival.objects.create(
                site=site, name_typed="Someone"
            ).pk,
            "attendance:offline_match": OfflineEntry.objects.create(
                client_id="6a0f3c1e-7d0b-4f7e-9a51-0d8d2f6f2a10",
                site=site,
                kind=OfflineEntry.ARRIVED,
                name_typed="Typed Offline",
                typed_at=timezone.now(),
                outcome=OfflineEntry.TO_MATCH,
            ).pk,
            "site_toggle": site.pk,
            "signposting:service": service.pk,
            "signposting:feed": Feed.objects.create(
                organisation=org, url="https://directory.example/api/"
            ).pk,
            "signposting:category_edit": Category.objects.filter(organisation=org)
            .first()
            .slug,
            "safeguarding:worry": review.worry_id,
            "safeguarding:alert": UrgentAlert.objects.create(
                worry=review.worry, link="http://testserver/"
            ).pk,
            "safeguarding:session": review.session_id,
            "safeguarding:review": review.session_id,
            "safeguarding:minutes": review.session_id,
            "safeguarding:action": Action.objects.filter(worry__organisation=org)
            .first()
            .pk,
            "safeguarding:partnership": Partnership.objects.first().pk,
            "reports:template": ReportTemplate.objects.filter(organisation=org)
            .first()
            .pk,
            "reports:story": Story.objects.filter(organisation=org).first().pk,
            # A line with levels, so its level drop-downs are shown.
            "reports:value_": line.pk,
            "reports:tally_undo": Tally.objects.filter(line__organisation=org)
            .first()
            .pk,
        },
    }
    # A session the partner group is invited to and hasn't answered.
    invited = ReflectionSession.objects.create(
        host=Partnership.objects.first().partner,
        date=review.session.date,
        created_by=user,
    )
    invited.partners.add(org)
    objects["by_url"]["safeguarding:session_invitation"] = invited.pk
    return user, objects


def urls(objects) -> list[str]:
    """Every page's address, pointing at real records. Downloads (PDFs,
    spreadsheets) have no drop-downs and are left out: they are slow."""
    found = []
    for name, route, pattern in url_patterns():
        if name in PUBLIC or name in ("logout", "two_factor_setup"):
            continue
        if route.endswith((".pdf", "<str:fmt>")) or "export" in route:
            continue
        hints = [h for h in objects["by_url"] if name.startswith(h)]
        kwargs = {}
        for kwarg in converters(route, pattern):
            # A bare pk (or a category's slug): the record the URL's name
            # suggests, by the longest prefix of its name listed.
            if kwarg in ("pk", "slug") and hints:
                kwargs[kwarg] = objects["by_url"][max(hints, key=len)]
            else:
                assert kwarg in objects, f"Give the walk a record for {name}"
                kwargs[kwarg] = objects[kwarg]
        found.append(build_url(name, route, kwargs))
    return found


def test_no_page_offers_dashes_as_an_empty_choice(client, demo):
    user, objects = demo
    client.force_login(user)
    with_choices, dashes = [], []
    for url in urls(objects):
        page = client.get(url)
        if "text/html" in page.get("Content-Type", "") and "<select" in (
            html := page.content.decode()
        ):
            with_choices.append(url)
            if DASHES in html:
                dashes.append(f"GET {url}")
    # The same forms shown again with what's missing pointed out.
    for url in with_choices:
        if DASHES in client.post(url, {}).content.decode():
            dashes.append(f"POST {url}")
    assert not dashes
    # The walk really reached the pages with "Who" and "Where" drop-downs.
    session, worry = objects["by_url"]["safeguarding:review"], objects["worry_pk"]
    for url in (
        reverse("safeguarding:review", args=[session, worry]),
        reverse("reports:value_line_edit", args=[objects["by_url"]["reports:value_"]]),
        reverse("reports:tally"),
        reverse("reports:story_new"),
        reverse("signposting:signpost_new"),
    ):
        assert url in with_choices
