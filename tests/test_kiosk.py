from django.urls import reverse

from attendance.models import PendingArrival, Person, Visit


def test_a_unique_match_signs_her_in_with_a_greeting(client, kiosk, site, person):
    client.force_login(kiosk)
    response = client.post(
        reverse("attendance:kiosk_returning"), {"name": "samantha o'brien"}
    )
    assert response.url == reverse("attendance:kiosk_done")
    visit = Visit.objects.get()
    assert visit.person == person and visit.method == Visit.KIOSK
    html = client.get(response.url).content.decode()
    # Greeted with what she typed, never with anything stored about her.
    assert "Welcome, samantha o&#x27;brien!" in html
    assert "07700" not in html and "Jo" not in html
    assert 'http-equiv="refresh"' in html


def test_no_match_or_several_asks_her_to_see_the_facilitator(
    client, kiosk, org, site, person
):
    Person.objects.create(organisation=org, known_as="Sam")  # a second Sam
    client.force_login(kiosk)
    response = client.post(reverse("attendance:kiosk_returning"), {"name": "Sam"})
    assert response.url == reverse("attendance:kiosk_see_us")
    html = client.get(response.url).content.decode()
    assert "say hello to one of the team" in html
    assert "O&#x27;Brien" not in html
    assert not Visit.objects.exists()
    assert PendingArrival.objects.get().name_typed == "Sam"


def test_a_partial_name_is_not_a_match(client, kiosk, person):
    client.force_login(kiosk)
    response = client.post(reverse("attendance:kiosk_returning"), {"name": "Sa"})
    assert response.url == reverse("attendance:kiosk_see_us")


def test_kiosk_only_matches_its_own_organisation(client, kiosk, other_person):
    client.force_login(kiosk)
    client.post(reverse("attendance:kiosk_returning"), {"name": "Olga"})
    assert not Visit.objects.exists()


def test_new_at_the_kiosk_registers_and_signs_her_in(client, kiosk, site):
    client.force_login(kiosk)
    data = {
        "known_as": "Grace",
        "phone": "07700 900777",
        "agrees": "on",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "5",
        "contacts-0-name": "Blessing",
        "contacts-0-phone": "07700 900778",
    }
    response = client.post(reverse("attendance:kiosk_new"), data)
    assert response.url == reverse("attendance:kiosk_done")
    person = Person.objects.get()
    assert person.data_use_agreed_at and person.emergency_contacts.count() == 1
    assert Visit.objects.get().method == Visit.KIOSK


def test_kiosk_form_speaks_to_her(client, kiosk):
    client.force_login(kiosk)
    html = client.get(reverse("attendance:kiosk_new")).content.decode()
    assert "How we use your information" in html
    assert "anything_to_know" not in html


def test_kiosk_cannot_reach_any_other_page(client, kiosk, site, person):
    client.force_login(kiosk)
    for url in [
        reverse("attendance:today", args=[site.pk]),
        reverse("attendance:person", args=[person.pk]),
        reverse("attendance:people"),
        reverse("attendance:search", args=[site.pk]) + "?q=sam",
    ]:
        assert client.get(url).status_code == 403
    assert client.get("/").url == reverse("attendance:kiosk")
