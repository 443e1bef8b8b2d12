"""Real concurrent requests against a live server, on SQLite and PostgreSQL."""

import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from attendance.models import Person, Visit
from peerspace.accounts.models import Membership, Organisation, Site

CSRF = "a" * 32


def session_cookie(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def post(url: str, session_key: str, barrier: threading.Barrier | None = None) -> int:
    request = urllib.request.Request(
        url,
        data=b"",
        method="POST",
        headers={
            "Cookie": f"sessionid={session_key}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "HX-Request": "true",
        },
    )
    if barrier:
        barrier.wait()
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


@pytest.fixture
def team(transactional_db):
    org = Organisation.objects.create(name="Race", slug="race")
    site = Site.objects.create(organisation=org, name="Wigan")
    users = []
    for i in range(2):
        user = get_user_model().objects.create_user(f"fac{i}", password="x")
        Membership.objects.create(user=user, organisation=org, role="facilitator")
        users.append(user)
    return org, site, users


def test_two_facilitators_signing_in_the_same_woman_at_once_make_one_visit(
    live_server, team
):
    org, site, users = team
    keys = [session_cookie(u) for u in users]
    people = [
        Person.objects.create(organisation=org, known_as=f"P{i}") for i in range(5)
    ]
    for person in people:
        url = live_server.url + reverse("attendance:sign_in", args=[site.pk, person.pk])
        barrier = threading.Barrier(4)
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(partial(post, url, barrier=barrier), keys * 2))
        assert statuses == [200] * 4
    for person in people:
        assert Visit.objects.filter(person=person).count() == 1


def test_many_sign_ins_at_once_all_land_exactly_once(live_server, team):
    org, site, users = team
    keys = [session_cookie(u) for u in users]
    people = [
        Person.objects.create(organisation=org, known_as=f"Q{i}") for i in range(30)
    ]
    urls = [
        live_server.url + reverse("attendance:sign_in", args=[site.pk, p.pk])
        for p in people
    ]
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda i: post(urls[i % 30], keys[i % 2]), range(60)))
    assert statuses == [200] * 60
    assert Visit.objects.count() == 30
    assert Visit.objects.values("person").distinct().count() == 30


def test_twenty_clients_signing_in_and_out_at_once(live_server, team):
    """Each client signs its own people in, then out; nothing lost or doubled."""
    org, site, users = team
    keys = [session_cookie(users[i % 2]) for i in range(20)]
    people = [
        Person.objects.create(organisation=org, known_as=f"R{i}") for i in range(60)
    ]
    visits_by_person: dict = {}

    def client_run(i: int) -> list[int]:
        statuses = []
        mine = people[i * 3 : i * 3 + 3]
        for person in mine:
            url = live_server.url + reverse(
                "attendance:sign_in", args=[site.pk, person.pk]
            )
            statuses.append(post(url, keys[i]))
        return statuses

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(client_run, range(20)))
    assert all(s == 200 for r in results for s in r)
    assert Visit.objects.count() == 60
    assert Visit.objects.values("person").distinct().count() == 60
    for visit in Visit.objects.all():
        visits_by_person[visit.person_id] = visit.pk

    def sign_out_run(i: int) -> list[int]:
        out = []
        for person in people[i * 3 : i * 3 + 3]:
            url = live_server.url + reverse(
                "attendance:sign_out", args=[visits_by_person[person.pk]]
            )
            out.append(post(url, keys[i]))
        return out

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(sign_out_run, range(20)))
    assert all(s == 200 for r in results for s in r)
    assert Visit.objects.count() == 60
    assert not Visit.objects.filter(left_at__isnull=True).exists()
