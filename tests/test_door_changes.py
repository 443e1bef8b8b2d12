"""The door answers a change with what changed, and its refresh is a 304
while nothing at the site has changed (issue 11)."""

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance.models import PendingArrival, Person, Session, Visit
from attendance.services import erase_person
from peerspace.accounts.models import Membership
from tests.conftest import client_for, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


def fill(org, site, n: int, start: int = 0) -> list[Visit]:
    """n more people signed in at the site today."""
    session = Session.objects.today(site)
    people = Person.objects.bulk_create(
        Person(organisation=org, known_as=f"Sam {i}", search_key=f" sam {i} ")
        for i in range(start, start + n)
    )
    return Visit.objects.bulk_create(Visit(person=p, session=session) for p in people)


def refresh(client, site, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(reverse("attendance:here_now", args=[site.pk]), **headers)


@pytest.fixture
def dora_client(org, site):
    """A second facilitator, on another tablet."""
    from django.test import Client

    return client_for(Client(), make_user("dora", org, Membership.FACILITATOR))


def test_a_sign_in_answers_with_her_row_and_the_count(bob_client, org, site, person):
    fill(org, site, 3)
    url = reverse("attendance:sign_in", args=[site.pk, person.pk])
    response = bob_client.post(url, **HTMX)
    html = response.content.decode()
    visit = Visit.objects.get(person=person)
    assert response["HX-Reswap"] == "none"
    assert html.count('class="here-row"') == 1
    assert f'id="visit-{visit.pk}"' in html
    assert 'hx-swap-oob="beforeend:#here-list"' in html
    assert "Here now: 4<" in html
    assert "Sam is signed in. Welcome!" in html


def test_the_sign_in_answer_is_the_same_size_with_5_or_200_here(bob_client, org, site):
    def sign_in_answer(name: str) -> bytes:
        someone = Person.objects.create(organisation=org, known_as=name)
        url = reverse("attendance:sign_in", args=[site.pk, someone.pk])
        return bob_client.post(url, **HTMX).content

    fill(org, site, 5)
    few = sign_in_answer("Nadia")
    fill(org, site, 195, start=5)
    many = sign_in_answer("Nadia")
    # Only the digits of the count and the ids differ.
    assert re.sub(rb"\d+", b"0", many) == re.sub(rb"\d+", b"0", few)
    assert len(many) < 4096


def test_a_sign_out_removes_one_row_and_offers_undo(bob_client, org, site, person):
    fill(org, site, 3)
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    response = bob_client.post(reverse("attendance:sign_out", args=[visit.pk]), **HTMX)
    html = response.content.decode()
    assert f'<div id="visit-{visit.pk}" hx-swap-oob="delete">' in html
    assert 'class="here-row"' not in html
    assert "Here now: 3<" in html
    assert "Sam is signed out." in html
    assert reverse("attendance:undo_sign_out", args=[visit.pk]) in html


def test_undo_brings_her_back_as_she_was(bob_client, site, person, activity):
    arrived = timezone.now() - dt.timedelta(hours=1)
    visit, _ = Visit.objects.sign_in(
        person, Session.objects.today(site), at=arrived, activity=activity
    )
    visit.helped_out = True
    visit.save()
    bob_client.post(reverse("attendance:sign_out", args=[visit.pk]), **HTMX)
    assert not Visit.objects.on_site_now(site).exists()

    undo = reverse("attendance:undo_sign_out", args=[visit.pk])
    html = bob_client.post(undo, **HTMX).content.decode()

    visit.refresh_from_db()
    assert visit.left_at is None
    assert visit.arrived_at == arrived
    assert visit.activity == activity and visit.helped_out
    assert list(Visit.objects.on_site_now(site)) == [visit]
    assert f'id="visit-{visit.pk}"' in html
    assert "Sam is back in the list." in html
    assert "Here now: 1<" in html


def test_undo_is_refused_once_its_moment_has_passed(bob_client, site, person):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    visit.left_at = timezone.now() - dt.timedelta(minutes=10)
    visit.save()
    undo = reverse("attendance:undo_sign_out", args=[visit.pk])
    html = bob_client.post(undo, **HTMX).content.decode()
    assert "Too late to undo" in html
    visit.refresh_from_db()
    assert visit.left_at is not None


def test_undo_of_another_organisations_visit_is_404(
    bob_client, other_site, other_person
):
    visit, _ = Visit.objects.sign_in(other_person, Session.objects.today(other_site))
    visit.sign_out()
    undo = reverse("attendance:undo_sign_out", args=[visit.pk])
    assert bob_client.post(undo).status_code == 404
    assert bob_client.get(undo).status_code == 405


def test_a_second_facilitator_sees_the_arrival_after_one_refresh(
    bob_client, dora_client, org, site, person
):
    fill(org, site, 5)
    first = refresh(dora_client, site)
    etag = first["ETag"]
    assert "Sam</a>" not in first.content.decode()
    # Nothing changed: 304, no body.
    unchanged = refresh(dora_client, site, etag)
    assert unchanged.status_code == 304 and unchanged.content == b""

    bob_client.post(reverse("attendance:sign_in", args=[site.pk, person.pk]), **HTMX)

    changed = refresh(dora_client, site, etag)
    assert changed.status_code == 200
    assert "Sam</a>" in changed.content.decode()
    assert "Here now: 6<" in changed.content.decode()
    assert refresh(dora_client, site, changed["ETag"]).status_code == 304


def test_the_refresh_takes_the_etag_compressed_answers_carry(bob_client, site):
    """GZipMiddleware makes the header's ETag weak; it still matches."""
    first = bob_client.get(
        reverse("attendance:here_now", args=[site.pk]), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert first["Content-Encoding"] == "gzip"
    assert first["ETag"].startswith('W/"')
    assert refresh(bob_client, site, first["ETag"]).status_code == 304


def test_pages_are_compressed_and_pdfs_are_sent_as_they_are(
    bob_client, org, site, person
):
    """A PDF is compressed already: compressing it again costs the server and
    saves nothing. The door's page is text, and is compressed."""
    Visit.objects.sign_in(person, Session.objects.today(site))
    gzip = {"HTTP_ACCEPT_ENCODING": "gzip"}
    page = bob_client.get(reverse("attendance:today", args=[site.pk]), **gzip)
    assert page["Content-Encoding"] == "gzip"
    pdf = bob_client.get(reverse("attendance:fire_register", args=[site.pk]), **gzip)
    assert pdf["Content-Type"] == "application/pdf"
    assert "Content-Encoding" not in pdf
    assert pdf.content.startswith(b"%PDF")


def test_the_answer_to_her_own_change_keeps_the_list_current(
    bob_client, org, site, person
):
    """A change answered with the new ETag when the door's copy was current,
    so its next refresh is a 304; not when someone else changed it too."""
    etag = refresh(bob_client, site)["ETag"]
    url = reverse("attendance:sign_in", args=[site.pk, person.pk])
    html = bob_client.post(url, HTTP_X_DOOR_ETAG=etag, **HTMX).content.decode()
    new_etag = refresh(bob_client, site)["ETag"]
    assert (
        f"data-etag='{new_etag}'" in html
        or f'data-etag="{new_etag}"' in html.replace("&quot;", '"')
    )

    # Someone else signs Kim in; her own sign-out then can't vouch for the list.
    kim = Person.objects.create(organisation=org, known_as="Kim")
    Visit.objects.sign_in(kim, Session.objects.today(site))
    visit = Visit.objects.get(person=person)
    html = bob_client.post(
        reverse("attendance:sign_out", args=[visit.pk]),
        HTTP_X_DOOR_ETAG=new_etag,
        **HTMX,
    ).content.decode()
    assert "here-version" not in html


@pytest.fixture
def door(org, site, bob, person, activity):
    """Sam here, Kim not yet, a waiting arrival and a few unnamed visitors."""
    session = Session.objects.today(site)
    visit, _ = Visit.objects.sign_in(person, session, by=bob)
    kim = Person.objects.create(organisation=org, known_as="Kim")
    Visit.objects.add_headcount(session, 2)
    arrival = PendingArrival.objects.arrive(site, "Kim")
    return {
        "site": site,
        "session": session,
        "visit": visit,
        "person": person,
        "kim": kim,
        "arrival": arrival,
        "activity": activity,
        "bob": bob,
    }


def _paper_sheet(client, d):
    url = reverse("attendance:paper")
    data = {
        "site": d["site"].pk,
        "date": timezone.localdate().isoformat(),
        "names": "Kim",
    }
    preview = client.post(url, data)
    data.update(
        {"request_token": str(preview.context["token"]), "confirm": "1", "line-0": ""}
    )
    data["line-0"] = str(d["kim"].pk)
    client.post(url, data)


def _rename(client, d):
    d["person"].known_as = "Samira"
    d["person"].save()


def _rename_activity(client, d):
    d["activity"].name = "Sewing"
    d["activity"].save()


def _undo(client, d):
    d["visit"].sign_out()
    etag = refresh(client, d["site"])["ETag"]
    d["visit"].undo_sign_out()
    return etag


WRITES = {
    "sign-in": lambda c, d: Visit.objects.sign_in(d["kim"], d["session"]),
    "sign-in at the door": lambda c, d: c.post(
        reverse("attendance:sign_in", args=[d["site"].pk, d["kim"].pk]), **HTMX
    ),
    "sign-out": lambda c, d: d["visit"].sign_out(),
    "sign-out at the door": lambda c, d: c.post(
        reverse("attendance:sign_out", args=[d["visit"].pk]), **HTMX
    ),
    "undo sign-out": _undo,
    "close the day": lambda c, d: c.post(
        reverse("attendance:sign_out_all", args=[d["site"].pk])
    ),
    "sign out the unnamed": lambda c, d: c.post(
        reverse("attendance:sign_out_unnamed", args=[d["site"].pk]), **HTMX
    ),
    "head-count": lambda c, d: c.post(
        reverse("attendance:headcount", args=[d["site"].pk]),
        {"count": "3", "request_token": "0b5b0f4e-7a1a-4d8c-9b7e-2f3c4d5e6f70"},
        **HTMX,
    ),
    "quick add": lambda c, d: c.post(
        reverse("attendance:quick_add", args=[d["site"].pk]),
        {
            "known_as": "Dee",
            "registration_token": "9f0e1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b",
        },
        **HTMX,
    ),
    "first-timer form": lambda c, d: c.post(
        reverse("attendance:register", args=[d["site"].pk]),
        {
            "known_as": "Aisha",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "5",
        },
    ),
    "visit edited": lambda c, d: c.post(
        reverse("attendance:visit_update", args=[d["visit"].pk]),
        {"activity": d["activity"].pk, "helped_out": "on"},
        **HTMX,
    ),
    "kiosk arrival": lambda c, d: PendingArrival.objects.arrive(d["site"], "Mo"),
    "kiosk arrival confirmed": lambda c, d: c.post(
        reverse("attendance:pending_confirm", args=[d["arrival"].pk]),
        {"person": d["kim"].pk},
        **HTMX,
    ),
    "kiosk arrival taken off": lambda c, d: c.post(
        reverse("attendance:pending_dismiss", args=[d["arrival"].pk]), **HTMX
    ),
    "kiosk word": lambda c, d: Visit.objects.sign_in(
        d["kim"], d["session"], method=Visit.KIOSK
    ),
    "paper sheet typed in": _paper_sheet,
    "her name changed": _rename,
    "activity renamed": _rename_activity,
    "erased": lambda c, d: erase_person(d["person"]),
}


def here_list(response) -> str:
    """The list's rows and count, as the door shows them."""
    html = response.content.decode()
    rows = re.search(r'<ul id="here-list".*?</ul>', html, re.S).group(0)
    return rows + re.search(r"Here now: \d+", html).group(0)


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_that_changes_who_is_here_ends_the_304s(bob_client, door, write):
    etag = refresh(bob_client, door["site"])["ETag"]
    assert refresh(bob_client, door["site"], etag).status_code == 304
    result = write(bob_client, door)
    if isinstance(result, str):  # the write set things up first: its ETag
        etag = result
    assert refresh(bob_client, door["site"], etag).status_code == 200
    # And the list made once for its version is the list as it now is.
    kept = here_list(refresh(bob_client, door["site"]))
    caches["door"].clear()
    assert kept == here_list(refresh(bob_client, door["site"]))


def test_the_list_is_made_once_for_every_tablet_until_it_changes(
    bob_client, dora_client, org, site, person
):
    fill(org, site, 20)
    with CaptureQueriesContext(connection) as first:
        bob_page = refresh(bob_client, site)
    with CaptureQueriesContext(connection) as second:
        dora_page = refresh(dora_client, site)
    assert here_list(dora_page) == here_list(bob_page)
    assert len(second) < len(first)
    assert "Sam</a>" not in here_list(dora_page)

    bob_client.post(reverse("attendance:sign_in", args=[site.pk, person.pk]), **HTMX)
    assert "Sam</a>" in here_list(refresh(dora_client, site))
    assert "Here now: 21" in here_list(refresh(dora_client, site))


def test_a_change_at_another_site_keeps_the_304(bob_client, org, site, site2, person):
    etag = refresh(bob_client, site)["ETag"]
    Visit.objects.sign_in(person, Session.objects.today(site2))
    assert refresh(bob_client, site, etag).status_code == 304


def test_a_new_day_is_a_new_list(site):
    """The list empties at midnight with no write: the ETag changes too."""
    from unittest import mock

    from attendance.views.door import door_etag

    today = door_etag(site.door_version)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with mock.patch.object(timezone, "localdate", return_value=tomorrow):
        assert door_etag(site.door_version) != today


def test_after_closing_the_list_says_no_one_is_signed_in(bob_client, site, person):
    today = reverse("attendance:today", args=[site.pk])
    assert "No one is signed in yet." in bob_client.get(today).content.decode()
    Visit.objects.sign_in(person, Session.objects.today(site))
    bob_client.post(reverse("attendance:sign_out_all", args=[site.pk]))
    html = bob_client.get(today).content.decode()
    assert "No one is signed in." in html
    assert "yet" not in html.split('id="here-empty"')[1].split("</p>")[0]


def test_once_everyone_has_gone_no_one_is_signed_in_without_yet(
    bob_client, site, person
):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    html = bob_client.post(
        reverse("attendance:sign_out", args=[visit.pk]), **HTMX
    ).content.decode()
    assert "No one is signed in.</p>" in html


# Every door endpoint costs the same number of queries whoever is here.
ENDPOINTS = {
    "today": lambda d: ("get", reverse("attendance:today", args=[d["site"].pk]), {}),
    "refresh": lambda d: (
        "get",
        reverse("attendance:here_now", args=[d["site"].pk]),
        {},
    ),
    "refresh, unchanged": lambda d: (
        "get",
        reverse("attendance:here_now", args=[d["site"].pk]),
        {"HTTP_IF_NONE_MATCH": d["etag"]},
    ),
    "search": lambda d: (
        "get",
        reverse("attendance:search", args=[d["site"].pk]) + "?q=sam",
        {},
    ),
    "sign-in": lambda d: (
        "post",
        reverse("attendance:sign_in", args=[d["site"].pk, d["newcomer"].pk]),
        HTMX,
    ),
    "sign-out": lambda d: (
        "post",
        reverse("attendance:sign_out", args=[d["visit"].pk]),
        HTMX,
    ),
    "undo": lambda d: (
        "post",
        reverse("attendance:undo_sign_out", args=[d["gone"].pk]),
        HTMX,
    ),
    "quick add": lambda d: (
        "post",
        reverse("attendance:quick_add", args=[d["site"].pk]),
        {**HTMX, "data": {"known_as": "Dee", "registration_token": d["token"]}},
    ),
    "head-count": lambda d: (
        "post",
        reverse("attendance:headcount", args=[d["site"].pk]),
        {**HTMX, "data": {"count": "2", "request_token": d["token"]}},
    ),
    "sign out the unnamed": lambda d: (
        "post",
        reverse("attendance:sign_out_unnamed", args=[d["site"].pk]),
        HTMX,
    ),
    "visit options": lambda d: (
        "get",
        reverse("attendance:visit_update", args=[d["visit"].pk]),
        HTMX,
    ),
    "visit edited": lambda d: (
        "post",
        reverse("attendance:visit_update", args=[d["visit"].pk]),
        {**HTMX, "data": {"helped_out": "on"}},
    ),
    "contacts": lambda d: (
        "get",
        reverse("attendance:visit_contacts", args=[d["visit"].pk]),
        HTMX,
    ),
    "kiosk arrival confirmed": lambda d: (
        "post",
        reverse("attendance:pending_confirm", args=[d["arrival"].pk]),
        {**HTMX, "data": {"person": d["newcomer"].pk}},
    ),
    "kiosk arrival taken off": lambda d: (
        "post",
        reverse("attendance:pending_dismiss", args=[d["arrival"].pk]),
        HTMX,
    ),
    "close the day: asks": lambda d: (
        "get",
        reverse("attendance:sign_out_all", args=[d["site"].pk]),
        {},
    ),
    "close the day": lambda d: (
        "post",
        reverse("attendance:sign_out_all", args=[d["site"].pk]),
        {},
    ),
    "fire register": lambda d: (
        "get",
        reverse("attendance:fire_register", args=[d["site"].pk]),
        {},
    ),
}


def _queries(client, org, site, bob, here: int, endpoint) -> int:
    import uuid

    Visit.objects.all().delete()
    PendingArrival.objects.all().delete()
    visits = fill(org, site, here, start=1000 * here)
    session = visits[0].session
    Visit.objects.add_headcount(session, 2)
    gone = visits[1]
    gone.sign_out()
    d = {
        "site": site,
        "visit": visits[0],
        "gone": gone,
        "newcomer": Person.objects.create(organisation=org, known_as="Newcomer"),
        "arrival": PendingArrival.objects.arrive(site, "Sam"),
        "token": str(uuid.uuid4()),
    }
    d["etag"] = refresh(client, site)["ETag"]
    method, url, extra = endpoint(d)
    extra = dict(extra)
    data = extra.pop("data", {})
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data, **extra)
    assert response.status_code in (200, 302, 304), response.status_code
    return len(queries)


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_door_endpoints_cost_the_same_with_5_or_200_here(
    bob_client, org, site, bob, endpoint
):
    few = _queries(bob_client, org, site, bob, 5, endpoint)
    many = _queries(bob_client, org, site, bob, 200, endpoint)
    assert few == many
    assert many <= 20
