"""The door without a connection: the snapshot a device keeps, the queue it
sends when the connection is back, and the names that wait for matching."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendance.models import OfflineEntry, Person, Session, Visit
from tests.conftest import make_user

# What was typed minutes or an hour ago belongs to today, whenever this runs.
pytestmark = pytest.mark.usefixtures("midday")


def send(client, site, *items, **extra):
    return client.post(
        reverse("attendance:offline_receive", args=[site.pk]),
        json.dumps({"items": list(items)}),
        content_type="application/json",
        **extra,
    )


def arrival(name, typed_at=None, **fields):
    typed_at = typed_at or timezone.now() - dt.timedelta(minutes=20)
    return {
        "id": str(uuid.uuid4()),
        "kind": "arrived",
        "name": name,
        "typed_at": typed_at.isoformat(),
        **fields,
    }


def departure(typed_at=None, **fields):
    typed_at = typed_at or timezone.now() - dt.timedelta(minutes=5)
    return {
        "id": str(uuid.uuid4()),
        "kind": "left",
        "typed_at": typed_at.isoformat(),
        **fields,
    }


def test_an_exact_name_is_signed_in_at_the_time_it_was_typed(bob_client, site, person):
    typed = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=42)
    item = arrival("  sam ", typed)
    response = send(bob_client, site, item)
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["received"] is True
    assert result["id"] == item["id"]
    assert result["outcome"] == OfflineEntry.SIGNED_IN
    assert "Sam is signed in from" in result["message"]
    visit = Visit.objects.get()
    assert visit.person == person
    assert visit.arrived_at == typed
    assert visit.session.date == timezone.localdate()
    assert visit.method == Visit.FACILITATOR


def test_the_same_item_sent_twice_makes_one_visit(bob_client, site, person):
    item = arrival("Sam")
    first = send(bob_client, site, item).json()["results"][0]
    again = send(bob_client, site, item, item).json()["results"]
    assert first["received"] and all(r["received"] for r in again)
    assert again[0]["message"] == "Already received."
    assert Visit.objects.count() == 1
    assert OfflineEntry.objects.count() == 1


def test_a_sign_out_sent_twice_keeps_its_first_time(bob_client, site, person):
    visit, _ = Visit.objects.sign_in(
        person, Session.objects.today(site), at=timezone.now() - dt.timedelta(hours=1)
    )
    left = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=3)
    item = departure(left, visit=visit.pk)
    send(bob_client, site, item)
    send(bob_client, site, item)
    visit.refresh_from_db()
    assert visit.left_at == left


def test_a_name_of_several_people_or_none_waits_for_matching(
    bob_client, org, site, person
):
    Person.objects.create(organisation=org, known_as="Sam", full_name="Sam Jones")
    results = send(bob_client, site, arrival("Sam"), arrival("Priya New")).json()[
        "results"
    ]
    assert [r["outcome"] for r in results] == [OfflineEntry.TO_MATCH] * 2
    assert all(r["received"] for r in results)
    assert "waiting on the paper sheet screen" in results[0]["message"]
    assert not Visit.objects.exists()
    page = bob_client.get(reverse("attendance:paper")).content.decode()
    assert "2 names typed while offline" in page
    assert "Typed while offline" in page
    assert "“Sam”" in page and "“Priya New”" in page
    assert "Sam Jones" in page  # what tells the two Sams apart


def test_erasing_her_forgets_her_name_waiting_from_offline(
    bob_client, org, site, person
):
    from attendance.services import erase_person

    Person.objects.create(organisation=org, known_as="Sam", full_name="Sam Jones")
    item = arrival("sam")
    send(bob_client, site, item, arrival("Priya New"))
    erase_person(person)
    waiting = OfflineEntry.objects.filter(outcome=OfflineEntry.TO_MATCH)
    assert [e.name_typed for e in waiting] == ["Priya New"]
    assert OfflineEntry.objects.filter(name_typed__iexact="sam").count() == 0
    # Its id is kept: the device sending it again changes nothing.
    again = send(bob_client, site, item).json()["results"][0]
    assert again["message"] == "Already received."
    assert not Visit.objects.exists()


def test_matching_signs_her_in_at_the_typed_time(bob_client, org, site, person):
    Person.objects.create(organisation=org, known_as="Sam", full_name="Sam Jones")
    typed = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    send(bob_client, site, arrival("Sam", typed), arrival("Priya New", typed))
    sam, priya = OfflineEntry.objects.order_by("id")
    url = reverse("attendance:offline_match", args=[sam.pk])
    response = bob_client.post(url, {"person": person.pk}, follow=True)
    assert "Sam is signed in at Wigan from" in response.content.decode()
    bob_client.post(
        reverse("attendance:offline_match", args=[priya.pk]), {"person": "new"}
    )
    visits = {v.person.known_as: v for v in Visit.objects.select_related("person")}
    assert set(visits) == {"Sam", "Priya New"}
    assert visits["Sam"].person == person
    assert all(v.arrived_at == typed for v in visits.values())
    assert Person.objects.get(known_as="Priya New").form_complete is False
    sam.refresh_from_db()
    assert sam.outcome == OfflineEntry.MATCHED and sam.name_typed == ""
    # Matched once: the form sent again finds nothing to match.
    assert bob_client.post(url, {"person": person.pk}).status_code == 404
    assert Visit.objects.count() == 2


def test_a_name_can_be_removed_instead(bob_client, site):
    send(bob_client, site, arrival("Nobody Really"))
    entry = OfflineEntry.objects.get()
    bob_client.post(
        reverse("attendance:offline_match", args=[entry.pk]), {"person": "remove"}
    )
    entry.refresh_from_db()
    assert entry.outcome == OfflineEntry.REMOVED and entry.name_typed == ""
    assert not Visit.objects.exists()


def test_signed_out_offline_before_being_matched(bob_client, site):
    typed = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=50)
    came = arrival("Priya New", typed)
    left = typed + dt.timedelta(minutes=20)
    send(bob_client, site, came, departure(left, ref=came["id"]))
    entry = OfflineEntry.objects.get(client_id=came["id"])
    assert entry.left_at == left
    bob_client.post(
        reverse("attendance:offline_match", args=[entry.pk]), {"person": "new"}
    )
    visit = Visit.objects.get()
    assert (visit.arrived_at, visit.left_at) == (typed, left)


def test_signed_in_and_out_offline_when_she_matched_at_once(bob_client, site, person):
    came = arrival("Sam")
    send(bob_client, site, came, departure(ref=came["id"]))
    visit = Visit.objects.get()
    assert visit.left_at is not None


def test_a_time_in_the_future_is_the_time_it_arrived(bob_client, site, person):
    before = timezone.now()
    result = send(
        bob_client, site, arrival("Sam", timezone.now() + dt.timedelta(hours=3))
    ).json()["results"][0]
    assert "clock was ahead" in result["message"]
    visit = Visit.objects.get()
    assert before <= visit.arrived_at <= timezone.now()


def test_an_earlier_days_arrival_waits_for_matching_on_its_day(
    bob_client, site, person
):
    typed = timezone.now() - dt.timedelta(days=1)
    result = send(bob_client, site, arrival("Sam", typed)).json()["results"][0]
    assert result["outcome"] == OfflineEntry.TO_MATCH
    entry = OfflineEntry.objects.get()
    bob_client.post(
        reverse("attendance:offline_match", args=[entry.pk]), {"person": person.pk}
    )
    visit = Visit.objects.get()
    assert visit.session.date == timezone.localdate(typed)
    # A past day's visit with no leaving time ends when it began, as on paper.
    assert visit.left_at == visit.arrived_at


def test_an_arrival_typed_before_closing_left_at_closing(bob_client, site, person):
    Session.objects.today(site)
    Session.objects.close_today(site)
    session = Session.objects.get()
    closed = timezone.make_aware(dt.datetime.combine(session.date, session.closes))
    send(bob_client, site, arrival("Sam", closed - dt.timedelta(minutes=1)))
    visit = Visit.objects.get()
    assert visit.left_at == closed


def test_already_here_is_said_and_nothing_changes(bob_client, site, person):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    result = send(bob_client, site, arrival("Sam")).json()["results"][0]
    assert result["outcome"] == OfflineEntry.ALREADY_HERE
    assert Visit.objects.get().arrived_at == visit.arrived_at


def test_a_damaged_item_does_not_stop_the_others(bob_client, site, person):
    good = arrival("Sam")
    results = send(
        bob_client,
        site,
        {"id": "not-a-uuid", "kind": "arrived", "name": "X", "typed_at": "x"},
        "just a string",
        {"id": str(uuid.uuid4()), "kind": "arrived", "typed_at": "2026-01-01T10:00"},
        {"id": str(uuid.uuid4()), "kind": "left", "typed_at": "2026-01-01T10:00"},
        good,
    ).json()["results"]
    assert [r["received"] for r in results] == [False] * 4 + [True]
    assert "Enter a valid UUID" in results[0]["message"]
    assert results[1]["id"] is None
    assert "An arrival needs the name typed" in results[2]["message"]
    assert "A sign-out needs the visit it ends" in results[3]["message"]
    assert Visit.objects.get().person == person


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "not JSON"),
        ('["a list"]', "should be a list of items"),
        ('{"items": "x"}', "should be a list of items"),
        (json.dumps({"items": [{}] * 501}), "500 items or fewer"),
    ],
)
def test_a_bad_payload_gets_a_clear_400(bob_client, site, body, message):
    response = bob_client.post(
        reverse("attendance:offline_receive", args=[site.pk]),
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_sign_out_for_another_sites_visit_does_nothing(
    bob_client, site, site2, person
):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site2))
    result = send(bob_client, site, departure(visit=visit.pk)).json()["results"][0]
    assert result["outcome"] == OfflineEntry.NOT_FOUND
    visit.refresh_from_db()
    assert visit.left_at is None


def test_an_id_sent_for_another_site_is_refused(bob_client, site, site2, person):
    item = arrival("Sam")
    send(bob_client, site, item)
    result = send(bob_client, site2, item).json()["results"][0]
    assert result["received"] is False
    assert Visit.objects.count() == 1


def test_only_the_sites_own_team_may_send(client, site, charlie, kiosk, person):
    client.force_login(charlie)
    assert send(client, site, arrival("Sam")).status_code == 404
    client.force_login(kiosk)
    assert send(client, site, arrival("Sam")).status_code in (302, 403)
    assert not Visit.objects.exists()
    assert not OfflineEntry.objects.exists()


def test_sending_needs_the_csrf_token(site, bob, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert send(client, site, arrival("Sam")).status_code == 403
    token = client.get(reverse("attendance:offline_snapshot", args=[site.pk])).json()[
        "csrf"
    ]
    response = send(client, site, arrival("Sam"), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert Visit.objects.count() == 1


def test_sending_is_post_only(bob_client, site):
    url = reverse("attendance:offline_receive", args=[site.pk])
    assert bob_client.get(url).status_code == 405


def test_the_snapshot_has_whos_here_with_their_contacts(
    bob_client, site, person, django_assert_max_num_queries, org
):
    session = Session.objects.today(site)
    Visit.objects.sign_in(person, session)
    for i in range(5):
        other = Person.objects.create(organisation=org, known_as=f"P{i}")
        other.emergency_contacts.create(name="C", phone="1")
        Visit.objects.sign_in(other, session)
    Visit.objects.add_headcount(session, 2)
    url = reverse("attendance:offline_snapshot", args=[site.pk])
    with django_assert_max_num_queries(12):
        snap = bob_client.get(url).json()
    assert snap["date"] == timezone.localdate().isoformat()
    assert snap["unnamed"] == 2
    sam = snap["here"][0]
    assert sam["name"] == "Sam"
    assert sam["contacts"] == [
        {"name": "Jo", "relationship": "sister", "phone": "07700 900999"}
    ]
    assert "Prefers" not in json.dumps(snap)  # only what the fire register needs


def test_the_snapshot_is_for_the_sites_team_only(client, site, charlie):
    client.force_login(charlie)
    url = reverse("attendance:offline_snapshot", args=[site.pk])
    assert client.get(url).status_code == 404


def test_the_offline_page_has_no_ones_details(bob_client, site, person):
    Visit.objects.sign_in(person, Session.objects.today(site))
    page = bob_client.get(reverse("attendance:offline_door", args=[site.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Offline: arrivals are kept on this device" in html
    assert "Sam" not in html and "Jo" not in html


def test_the_service_worker_covers_the_door_and_keeps_what_it_needs(client, org):
    make_user("nobody", org)  # not signed in: it holds no one's details
    response = client.get(reverse("attendance:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/jsi18n/"' in body
    assert "/static/js/offline-door.js" in body
    assert reverse("attendance:service_worker").startswith(reverse("attendance:door"))


def test_the_csp_allows_our_own_worker_only(bob_client, site):
    csp = bob_client.get(reverse("attendance:today", args=[site.pk]))[
        "Content-Security-Policy"
    ]
    assert "worker-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_the_paper_screen_asks_the_same_queries_for_2_or_20_names(
    bob_client, site, person, django_assert_num_queries
):
    url = reverse("attendance:paper")
    send(bob_client, site, arrival("Kim"), arrival("Lee"))
    bob_client.get(url)  # warm up anything cached once
    with django_assert_num_queries(7):
        bob_client.get(url)
    send(bob_client, site, *[arrival(f"Name {i}") for i in range(18)])
    with django_assert_num_queries(7):
        page = bob_client.get(url)
    assert "20 names typed while offline" in page.content.decode()
