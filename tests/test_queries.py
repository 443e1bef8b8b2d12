"""Pages at the door cost the same number of queries with 200 people as with 2."""

import pytest
from django.urls import reverse

from attendance.models import EmergencyContact, Person, Session, Visit


@pytest.fixture
def full_room(org, site, activity):
    session = Session.objects.today(site)
    people = Person.objects.bulk_create(
        Person(organisation=org, known_as=f"Sam {i}", search_key=f" sam {i} ")
        for i in range(200)
    )
    EmergencyContact.objects.bulk_create(
        EmergencyContact(person=p, name="Jo", phone="07700 900000") for p in people
    )
    Visit.objects.bulk_create(
        Visit(person=p, session=session, activity=activity) for p in people
    )
    return people


def test_who_is_here_with_200_people(
    bob_client, site, full_room, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = bob_client.get(reverse("attendance:today", args=[site.pk]))
    assert response.content.decode().count('class="here-row"') == 200


def test_search_with_200_matches(
    bob_client, site, full_room, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = bob_client.get(
            reverse("attendance:search", args=[site.pk]), {"q": "sam"}
        )
    assert response.content.decode().count('class="result"') == 20


def test_fire_register_with_200_people(
    bob_client, site, full_room, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = bob_client.get(reverse("attendance:fire_register", args=[site.pk]))
    assert response.status_code == 200


def test_people_list(bob_client, full_room, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        bob_client.get(reverse("attendance:people"))
