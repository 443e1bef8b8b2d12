import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from attendance.models import EmergencyContact, Person, Session, Visit
from tests.test_sessions import age_session


def contacts(**rows):
    """Management form plus contact rows for the emergency-contact formset."""
    data = {
        "contacts-TOTAL_FORMS": str(max(1, len(rows))),
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "5",
    }
    for i, (name, phone) in enumerate(rows.items()):
        data[f"contacts-{i}-name"] = name
        data[f"contacts-{i}-relationship"] = "friend"
        data[f"contacts-{i}-phone"] = phone
    return data


def here_now(site):
    return list(Visit.objects.on_site_now(site).select_related("person"))


def test_door_remembers_the_site(bob_client, site, site2):
    response = bob_client.get(reverse("attendance:door"))
    assert response.url == reverse("attendance:choose_site")
    response = bob_client.post(reverse("attendance:choose_site"), {"site": site2.pk})
    assert response.url == reverse("attendance:today", args=[site2.pk])
    assert bob_client.cookies[settings.SITE_COOKIE_NAME].value == str(site2.pk)
    response = bob_client.get(reverse("attendance:door"))
    assert response.url == reverse("attendance:today", args=[site2.pk])


def test_door_ignores_a_remembered_site_of_another_organisation(
    bob_client, site, other_site
):
    bob_client.cookies[settings.SITE_COOKIE_NAME] = str(other_site.pk)
    response = bob_client.get(reverse("attendance:door"))
    assert response.url == reverse("attendance:choose_site")


def test_choosing_an_unknown_site_says_so(bob_client, site, other_site):
    response = bob_client.post(
        reverse("attendance:choose_site"), {"site": other_site.pk}, follow=True
    )
    assert "Please choose one of the sites" in response.content.decode()


def test_today_does_not_open_a_session_until_someone_signs_in(bob_client, site):
    assert (
        bob_client.get(reverse("attendance:today", args=[site.pk])).status_code == 200
    )
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "typed",
    ["sam", "SAM", "obrien", "o'brien", "samantha o", "Samantha O’Brien"],
)
def test_search_finds_her_however_her_name_is_typed(bob_client, site, person, typed):
    response = bob_client.get(
        reverse("attendance:search", args=[site.pk]), {"q": typed}
    )
    assert "Sign in Sam" in response.content.decode()


def test_search_handles_accents_and_other_scripts(bob_client, org, site):
    Person.objects.create(organisation=org, known_as="Siobhán")
    Person.objects.create(organisation=org, known_as="زینب")
    url = reverse("attendance:search", args=[site.pk])
    assert "Siobhán" in bob_client.get(url, {"q": "siobhan"}).content.decode()
    assert "زینب" in bob_client.get(url, {"q": "زی"}).content.decode()


def test_search_matches_word_starts_only(bob_client, site, person):
    url = reverse("attendance:search", args=[site.pk])
    assert "Sign in Sam" not in bob_client.get(url, {"q": "amantha"}).content.decode()


def test_search_never_shows_another_organisations_people(
    bob_client, site, other_person
):
    url = reverse("attendance:search", args=[site.pk])
    assert "Olga" not in bob_client.get(url, {"q": "olga"}).content.decode()


def test_someone_already_here_shows_as_here(bob_client, site, person):
    Visit.objects.sign_in(person, Session.objects.today(site))
    html = bob_client.get(
        reverse("attendance:search", args=[site.pk]), {"q": "sam"}
    ).content.decode()
    assert "Here</span>" in html
    assert "Sign in Sam" not in html


def test_sign_in_opens_todays_session_and_a_second_tap_changes_nothing(
    bob, bob_client, site, person
):
    url = reverse("attendance:sign_in", args=[site.pk, person.pk])
    first = bob_client.post(url, HTTP_HX_REQUEST="true")
    assert "Sam is signed in" in first.content.decode()
    second = bob_client.post(url, HTTP_HX_REQUEST="true")
    assert "Sam is already here" in second.content.decode()
    visit = Visit.objects.get()
    assert visit.session.date == timezone.localdate()
    assert visit.signed_in_by == bob
    assert visit.method == Visit.FACILITATOR


def test_sign_in_of_another_organisations_person_is_404(bob_client, site, other_person):
    url = reverse("attendance:sign_in", args=[site.pk, other_person.pk])
    assert bob_client.post(url).status_code == 404
    assert not Visit.objects.exists()


def test_someone_who_left_and_came_back_is_here_again(bob_client, site, person):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    visit.sign_out()
    response = bob_client.post(
        reverse("attendance:sign_in", args=[site.pk, person.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Sam is signed in" in response.content.decode()
    visit.refresh_from_db()
    assert visit.left_at is None
    assert Visit.objects.count() == 1


def test_database_allows_one_visit_per_person_per_session(site, person):
    from django.db import IntegrityError, transaction

    session = Session.objects.today(site)
    Visit.objects.create(person=person, session=session)
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(person=person, session=session)


def test_who_is_here_fetches_emergency_contacts_when_her_row_is_opened(
    bob_client, site, person
):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    html = bob_client.get(reverse("attendance:today", args=[site.pk])).content.decode()
    assert "Here now: 1" in html
    # The list carries what the facilitator scans, not every contact...
    assert "07700" not in html
    contacts_url = reverse("attendance:visit_contacts", args=[visit.pk])
    assert f'hx-get="{contacts_url}"' in html
    # ...which are one tap away.
    html = bob_client.get(contacts_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'href="tel:07700900999"' in html
    assert "Call Jo (sister)" in html


def test_contacts_of_another_organisations_visit_are_404(
    bob_client, other_site, other_person
):
    visit, _ = Visit.objects.sign_in(other_person, Session.objects.today(other_site))
    url = reverse("attendance:visit_contacts", args=[visit.pk])
    assert bob_client.get(url).status_code == 404


def test_sign_out_one_person(bob_client, site, person):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    bob_client.post(reverse("attendance:sign_out", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.left_at is not None
    assert here_now(site) == []


def test_sign_everyone_out_asks_first_then_closes_the_session(
    bob_client, org, site, site2, person
):
    other = Person.objects.create(organisation=org, known_as="Kim")
    Visit.objects.sign_in(person, Session.objects.today(site))
    Visit.objects.sign_in(other, Session.objects.today(site2))
    url = reverse("attendance:sign_out_all", args=[site.pk])
    assert "1 person is signed in" in bob_client.get(url).content.decode()
    assert len(here_now(site)) == 1
    bob_client.post(url)
    assert here_now(site) == []
    assert len(here_now(site2)) == 1  # the other site carries on
    assert Session.objects.get(site=site).closes is not None


def test_activity_and_helped_out_are_saved_on_the_visit(
    bob_client, site, person, activity
):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    response = bob_client.post(
        reverse("attendance:visit_update", args=[visit.pk]),
        {"activity": activity.pk, "helped_out": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert "Saved." in response.content.decode()
    visit.refresh_from_db()
    assert visit.activity == activity and visit.helped_out


def test_activity_of_another_organisation_is_refused(
    bob_client, site, person, other_org
):
    from attendance.models import Activity

    theirs = Activity.objects.create(organisation=other_org, name="Theirs")
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    bob_client.post(
        reverse("attendance:visit_update", args=[visit.pk]), {"activity": theirs.pk}
    )
    visit.refresh_from_db()
    assert visit.activity is None


def test_unnamed_head_count_adds_that_many_visits_once(bob_client, site, activity):
    url = reverse("attendance:headcount", args=[site.pk])
    data = {
        "count": "7",
        "activity": activity.pk,
        "request_token": "0b5b0f4e-7a1a-4d8c-9b7e-2f3c4d5e6f70",
    }
    bob_client.post(url, data)
    bob_client.post(url, data)  # double tap
    assert Visit.objects.filter(person=None, activity=activity).count() == 7
    html = bob_client.get(reverse("attendance:today", args=[site.pk])).content.decode()
    assert "7 unnamed visitors" in html


def test_head_count_rejects_nonsense_with_a_message(bob_client, site):
    response = bob_client.post(
        reverse("attendance:headcount", args=[site.pk]), {"count": "0"}, follow=True
    )
    assert "Please enter at least 1" in response.content.decode()
    assert not Visit.objects.exists()


def test_quick_add_signs_her_in_and_lists_her_form_to_finish(bob_client, site):
    url = reverse("attendance:quick_add", args=[site.pk])
    data = {
        "known_as": "  Dee  ",
        "registration_token": "9f0e1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b",
    }
    bob_client.post(url, data)
    bob_client.post(url, data)  # double tap
    person = Person.objects.get()
    assert person.known_as == "Dee" and not person.form_complete
    assert [v.person for v in here_now(site)] == [person]
    html = bob_client.get(
        reverse("attendance:people"), {"to_finish": "1"}
    ).content.decode()
    assert "Dee" in html


def register(client, site, **data):
    payload = {"known_as": "Aisha", **contacts(), **data}
    return client.post(reverse("attendance:register", args=[site.pk]), payload)


def test_first_timer_needs_only_a_name(bob, bob_client, site):
    response = register(bob_client, site)
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.known_as == "Aisha" and person.form_complete
    assert person.created_by == bob
    assert person.data_use_agreed_at is None
    assert [v.person for v in here_now(site)] == [person]


def test_first_timer_with_details_and_contacts_records_her_agreement(
    bob_client, org, site
):
    response = register(
        bob_client,
        site,
        known_as="Mags",
        full_name="Magdalena Wiśniewska",
        phone="07700 900111",
        postcode="wn1 1aa",
        anything_to_know="Allergic to nuts",
        agrees="on",
        **contacts(Ola="07700 900222", Kasia="01942 123456"),
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.postcode == "WN1 1AA"
    assert person.data_use_agreed_at is not None
    assert person.data_use_version == org.data_use_version
    assert sorted(c.name for c in person.emergency_contacts.all()) == ["Kasia", "Ola"]
    assert person.history.count() == 1
    assert EmergencyContact.history.count() == 2


def test_details_without_her_agreement_are_not_saved_and_nothing_is_lost(
    bob_client, site
):
    response = register(bob_client, site, phone="07700 900111", full_name="Aisha Khan")
    assert response.status_code == 200
    html = response.content.decode()
    assert "please check she" in html
    assert 'value="Aisha Khan"' in html and 'value="07700 900111"' in html
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"phone": "call me maybe"}, "doesn&#x27;t look like a phone number"),
        ({"postcode": "NOWHERE"}, "look like a UK postcode"),
        ({"known_as": "   "}, "Please tell us what she&#x27;d like to be called"),
        ({"known_as": "x" * 101}, "at most 100 characters"),
        ({"email": "not-an-email"}, "valid email"),
    ],
)
def test_bad_input_gets_a_clear_message_beside_the_field(
    bob_client, site, data, message
):
    response = register(bob_client, site, agrees="on", **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.exists()


def test_a_ten_thousand_character_note_is_refused_but_kept(bob_client, site):
    note = "word " * 2000
    response = register(bob_client, site, agrees="on", anything_to_know=note)
    html = response.content.decode()
    assert "Please keep this under 5,000 characters" in html
    assert note.strip() in html
    assert not Person.objects.exists()


def test_emergency_contact_without_phone_is_refused(bob_client, site):
    response = register(bob_client, site, agrees="on", **contacts(Mum=""))
    assert "Please add a phone number" in response.content.decode()
    assert not Person.objects.exists()


def test_emergency_contact_needs_her_agreement(bob_client, site):
    response = register(bob_client, site, **contacts(Mum="07700 900333"))
    assert "please check she" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "name", ["Siobhán O'Neill", "Renée D’Arcy", "فاطمہ بی بی", "Zoë-Jane"]
)
def test_names_in_any_script_are_kept_exactly(bob_client, site, name):
    register(bob_client, site, known_as=name)
    assert Person.objects.get().known_as == name


def test_a_double_submitted_registration_makes_one_person(bob_client, site):
    token = "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
    first = register(bob_client, site, registration_token=token)
    second = register(bob_client, site, registration_token=token)
    assert first.status_code == second.status_code == 302
    assert Person.objects.count() == 1
    assert Visit.objects.count() == 1


def test_edit_finishes_a_quick_added_form_and_keeps_history(bob_client, org, site):
    person = Person.objects.create(
        organisation=org, known_as="Dee", form_complete=False
    )
    data = {"known_as": "Dee", "phone": "07700 900444", "agrees": "on", **contacts()}
    response = bob_client.post(
        reverse("attendance:person_edit", args=[person.pk]), data
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.form_complete and person.phone == "07700 900444"
    assert person.history.count() == 2


def test_edit_can_remove_an_emergency_contact(bob_client, person):
    contact = person.emergency_contacts.get()
    data = {
        "known_as": "Sam",
        "full_name": person.full_name,
        "phone": person.phone,
        "anything_to_know": person.anything_to_know,
        "agrees": "on",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "1",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "5",
        "contacts-0-id": contact.pk,
        "contacts-0-name": "Jo",
        "contacts-0-phone": "07700 900999",
        "contacts-0-DELETE": "on",
    }
    response = bob_client.post(
        reverse("attendance:person_edit", args=[person.pk]), data
    )
    assert response.status_code == 302
    assert not person.emergency_contacts.exists()


def test_person_page_shows_visits_summary(bob_client, site, person):
    for days in (30, 7, 0):
        session = Session.objects.on(
            site, timezone.localdate() - dt.timedelta(days=days)
        )
        Visit.objects.sign_in(person, session)
    html = bob_client.get(
        reverse("attendance:person", args=[person.pk])
    ).content.decode()
    assert "3 visits" in html
    assert "Prefers a quiet corner" in html


def test_signed_out_form_post_is_kept_for_after_logging_in(client, bob, site):
    url = reverse("attendance:register", args=[site.pk])
    # Bob was signed in on this tablet and went quiet past the idle limit.
    client.force_login(bob)
    client.get(url)
    age_session(client, idle=settings.SESSION_IDLE_SECONDS + 5)
    data = {"known_as": "Nadia", "phone": "07700 900555", **contacts()}
    response = client.post(url, data, HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 302 and "/login/" in response.url
    assert not Person.objects.exists()
    # Logging in again keeps what the signed-out session kept for him.
    client.post(reverse("login"), {"username": "bob", "password": "password"})
    html = client.get(url).content.decode()
    assert "You were signed out before this was saved" in html
    assert 'value="Nadia"' in html and 'value="07700 900555"' in html
    # Shown once only.
    assert 'value="Nadia"' not in client.get(url).content.decode()


def test_activities_are_edited_by_the_coordinator(alice_client, org, activity):
    url = reverse("attendance:activities")
    alice_client.post(url, {"name": "Woodworking"})
    alice_client.post(url, {"toggle": activity.pk})
    activity.refresh_from_db()
    assert not activity.is_active
    assert org.activities.filter(name="Woodworking").exists()
    response = alice_client.post(url, {"name": "woodworking"})
    assert "already an activity with that name" in response.content.decode()


def test_logout_clears_the_shared_device(bob_client):
    response = bob_client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in bob_client.session


def test_signed_in_pages_are_not_cached(bob_client, site):
    response = bob_client.get(reverse("attendance:today", args=[site.pk]))
    assert "no-store" in response["Cache-Control"]


def test_all_problems_are_shown_at_once(bob_client, site):
    """A mistyped phone number doesn't hide the agreement question."""
    response = register(bob_client, site, phone="call me", **contacts(Mam=""))
    html = response.content.decode()
    assert "doesn&#x27;t look like a phone number" in html
    assert "Please add a phone number, or we can" in html
    assert "please check she" in html
    assert not Person.objects.exists()
