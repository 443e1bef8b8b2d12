"""The door's side of the kiosk: who said they're here, waiting to be confirmed.

A name typed at the kiosk is not a visit; the facilitator sees it, with who it
might be, and confirms it. Until then it is on the fire register in a list of
its own, because in a fire everyone in the building counts.
"""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from attendance.models import (
    EmergencyContact,
    PendingArrival,
    Person,
    Session,
    Visit,
)
from attendance.services import erase_person
from tests.helpers import pdf_text


def today_html(client, site) -> str:
    return client.get(reverse("attendance:today", args=[site.pk])).content.decode()


def visit_on(person, site, days_ago: int) -> Visit:
    date = timezone.localdate() - dt.timedelta(days=days_ago)
    visit, _ = Visit.objects.sign_in(person, Session.objects.on(site, date))
    visit.sign_out()
    return visit


def samiras(org, site, site2) -> list[Person]:
    """Four women called Samira: what tells them apart?"""
    told = Person.objects.create(
        organisation=org, known_as="Samira", full_name="Samira Haddad"
    )
    wigan = Person.objects.create(organisation=org, known_as="Samira")
    leigh = Person.objects.create(organisation=org, known_as="Samira")
    new = Person.objects.create(organisation=org, known_as="Samira")
    visit_on(wigan, site, 14)
    visit_on(leigh, site2, 3)
    return [told, wigan, leigh, new]


def test_a_waiting_arrival_says_who_she_might_be_and_what_tells_them_apart(
    bob_client, org, site, site2
):
    told, wigan, leigh, new = samiras(org, site, site2)
    PendingArrival.objects.arrive(site, "samira")
    html = today_html(bob_client, site)
    assert "Waiting to be confirmed: 1" in html
    assert "Someone typed “samira”" in html
    two_weeks = timezone.localdate() - dt.timedelta(days=14)
    three_days = timezone.localdate() - dt.timedelta(days=3)
    for seen in [
        "Samira Haddad",
        f"last here {two_weeks:%-d %b %Y} at Wigan",
        f"last here {three_days:%-d %b %Y} at Leigh",
        f"not been yet (added {timezone.localdate():%-d %b %Y})",
    ]:
        assert seen in html
    assert html.count("It's her: sign in") == 4


def test_someone_already_here_is_never_offered(bob_client, org, site, site2):
    told, wigan, leigh, new = samiras(org, site, site2)
    Visit.objects.sign_in(told, Session.objects.today(site))
    Visit.objects.sign_in(leigh, Session.objects.today(site))
    PendingArrival.objects.arrive(site, "Samira")
    response = bob_client.get(reverse("attendance:today", args=[site.pk]))
    assert response.context["pending"][0].matches == [wigan, new]
    html = response.content.decode()
    assert html.count("It's her: sign in") == 2
    assert f'name="person" value="{told.pk}"' not in html
    # When everyone of that name is here, she's someone new (or a mistake).
    Visit.objects.sign_in(wigan, Session.objects.today(site))
    Visit.objects.sign_in(new, Session.objects.today(site))
    html = today_html(bob_client, site)
    assert "No one of that name who isn't already here" in html
    assert "It's her: sign in" not in html


def test_waiting_is_not_here(bob_client, site, person):
    PendingArrival.objects.arrive(site, "Sam")
    assert "Here now: 0" in today_html(bob_client, site)
    assert not Visit.objects.exists()


def test_confirming_signs_her_in_from_when_she_said_she_was_here(
    bob_client, bob, site, person
):
    arrival = PendingArrival.objects.arrive(site, "Sam")
    said = timezone.now() - dt.timedelta(minutes=7)
    PendingArrival.objects.filter(pk=arrival.pk).update(created=said)
    response = bob_client.post(
        reverse("attendance:pending_confirm", args=[arrival.pk]),
        {"person": person.pk},
        follow=True,
    )
    assert "Sam is signed in. Welcome!" in response.content.decode()
    visit = Visit.objects.get()
    assert visit.person == person and visit.session.site == site
    assert visit.arrived_at == said
    assert visit.method == Visit.KIOSK and visit.signed_in_by == bob
    assert not PendingArrival.objects.exists()


def test_confirming_someone_already_here_adds_no_visit(bob_client, site, person):
    Visit.objects.sign_in(person, Session.objects.today(site))
    arrival = PendingArrival.objects.arrive(site, "Sam")
    response = bob_client.post(
        reverse("attendance:pending_confirm", args=[arrival.pk]),
        {"person": person.pk},
        follow=True,
    )
    assert "Sam is already here." in response.content.decode()
    assert Visit.objects.count() == 1 and not PendingArrival.objects.exists()


def test_a_new_woman_from_the_kiosk_is_confirmed_as_herself(bob_client, org, site):
    grace = Person.objects.create(organisation=org, known_as="Grace")
    arrival = PendingArrival.objects.arrive(site, "Grace", person=grace)
    html = today_html(bob_client, site)
    assert "“Grace” filled in the form at" in html
    assert "She's here: sign her in" in html
    bob_client.post(reverse("attendance:pending_confirm", args=[arrival.pk]))
    assert Visit.objects.get().person == grace


def test_confirming_only_people_of_her_organisation(
    bob_client, site, other_person, person
):
    arrival = PendingArrival.objects.arrive(site, "Olga")
    response = bob_client.post(
        reverse("attendance:pending_confirm", args=[arrival.pk]),
        {"person": other_person.pk},
    )
    assert response.status_code == 404
    assert not Visit.objects.exists() and PendingArrival.objects.exists()


def test_an_arrival_can_be_removed(bob_client, site):
    arrival = PendingArrival.objects.arrive(site, "Nobody")
    bob_client.post(reverse("attendance:pending_dismiss", args=[arrival.pk]))
    assert not PendingArrival.objects.exists() and not Visit.objects.exists()


def test_another_organisation_cannot_see_or_touch_an_arrival(
    client, charlie, site, person
):
    arrival = PendingArrival.objects.arrive(site, "Sam")
    client.force_login(charlie)
    for name in ("attendance:pending_confirm", "attendance:pending_dismiss"):
        response = client.post(reverse(name, args=[arrival.pk]), {"person": person.pk})
        assert response.status_code == 404
    assert PendingArrival.objects.exists() and not Visit.objects.exists()


def test_only_todays_arrivals_wait(bob_client, kiosk, client, site):
    old = PendingArrival.objects.arrive(site, "Yesterday")
    PendingArrival.objects.filter(pk=old.pk).update(
        created=timezone.now() - dt.timedelta(days=1)
    )
    assert "Yesterday" not in today_html(bob_client, site)
    # The next arrival at the kiosk forgets it altogether.
    client.force_login(kiosk)
    client.post(reverse("attendance:kiosk_returning"), {"name": "Today"})
    assert list(PendingArrival.objects.values_list("name_typed", flat=True)) == [
        "Today"
    ]


def test_closing_for_the_day_clears_the_waiting_list(bob_client, site):
    PendingArrival.objects.arrive(site, "Sam")
    bob_client.post(reverse("attendance:sign_out_all", args=[site.pk]))
    assert not PendingArrival.objects.exists()


def test_the_fire_register_lists_who_is_waiting_apart(
    bob_client, org, site, person, tmp_path
):
    Visit.objects.sign_in(person, Session.objects.today(site))
    PendingArrival.objects.arrive(site, "Typed Name")
    grace = Person.objects.create(organisation=org, known_as="Grace")
    EmergencyContact.objects.create(
        person=grace, name="Blessing", relationship="friend", phone="07700 900778"
    )
    PendingArrival.objects.arrive(site, "Grace", person=grace)
    response = bob_client.get(reverse("attendance:fire_register", args=[site.pk]))
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "1 person signed in" in text
    assert "2 more said they're here at the kiosk, not yet confirmed" in text
    signed_in, waiting = text.split("Said they're here at the kiosk, not yet confirmed")
    assert "Sam (Samantha O'Brien)" in signed_in and "Typed Name" not in signed_in
    assert "Typed Name" in waiting
    # (A table: pdftotext reads its cells' lines side by side.)
    assert "Grace (new: filled in the" in waiting
    assert "Blessing (friend) 07700" in waiting


def test_the_fire_register_has_no_waiting_list_when_no_one_waits(
    bob_client, site, person, tmp_path
):
    response = bob_client.get(reverse("attendance:fire_register", args=[site.pk]))
    assert "not yet confirmed" not in pdf_text(response.content, tmp_path)


def test_erasing_her_forgets_her_kiosk_word_and_her_waiting_arrival(site, person):
    person.set_kiosk_word("bluebell")
    person.save()
    PendingArrival.objects.arrive(site, "Samantha", person=person)
    erase_person(person)
    person.refresh_from_db()
    assert person.kiosk_word == ""
    assert not PendingArrival.objects.exists()


def test_the_door_search_says_which_person_is_which(bob_client, org, site, site2):
    told, wigan, leigh, new = samiras(org, site, site2)
    Visit.objects.sign_in(told, Session.objects.today(site))
    response = bob_client.get(
        reverse("attendance:search", args=[site.pk]), {"q": "sami"}
    )
    html = response.content.decode()
    three_days = timezone.localdate() - dt.timedelta(days=3)
    assert "Samira Haddad" in html
    assert f"last here {three_days:%-d %b %Y} at Leigh" in html
    # The one already here has no sign-in button.
    assert html.count('aria-label="Sign in Samira"') == 3
    assert f'aria-describedby="result-{told.pk}"' not in html
    assert f'id="result-{told.pk}"' in html


def test_the_paper_sheet_says_which_person_is_which_and_skips_who_is_recorded(
    bob_client, org, site, site2
):
    told, wigan, leigh, new = samiras(org, site, site2)
    date = timezone.localdate() - dt.timedelta(days=3)
    data = {"site": site2.pk, "date": date.isoformat(), "names": "Samira\nSamira"}
    response = bob_client.post(reverse("attendance:paper"), data)
    html = response.content.decode()
    # Leigh's Samira is on that day's record already: never offered, the line
    # says so and is skipped unless someone else is chosen.
    assert f'<option value="{leigh.pk}"' not in html
    assert "Already recorded that day:" in html
    assert f"Samira · last here {date:%-d %b %Y} at Leigh" in html
    assert "Samira · Samira Haddad · not been yet" in html
    options = re.findall(r'<option value="(\w+)"( selected)?', html)
    assert ("skip", " selected") in options
    two_weeks = timezone.localdate() - dt.timedelta(days=14)
    assert f"Samira · last here {two_weeks:%-d %b %Y} at Wigan" in html
    # Sent as it stands, nothing is added.
    rows = response.context["rows"]
    assert [row["choice"] for row in rows] == ["skip", "skip"]
    data.update(
        {
            "confirm": "1",
            "request_token": str(response.context["token"]),
            "line-0": "skip",
            "line-1": str(wigan.pk),
        }
    )
    bob_client.post(reverse("attendance:paper"), data)
    assert Visit.objects.filter(session__date=date).count() == 2
