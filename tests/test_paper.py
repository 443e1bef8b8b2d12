import datetime as dt

from django.urls import reverse
from django.utils import timezone

from attendance.models import Person, Visit
from tests.helpers import form_data


def test_paper_sheet_matches_names_then_saves_visits_marked_as_paper(
    bob_client, org, site, person
):
    kim = Person.objects.create(organisation=org, known_as="Kim")
    date = timezone.localdate() - dt.timedelta(days=3)
    url = reverse("attendance:paper")
    data = {
        "site": site.pk,
        "date": date.isoformat(),
        "names": "sam\nKim\n\nNew Person\nSkip Me",
    }
    preview = bob_client.post(url, data)
    html = preview.content.decode()
    assert "Someone new: add “New Person”" in html
    assert not Visit.objects.exists()
    data.update(
        {
            "request_token": str(preview.context["token"]),
            "confirm": "1",
            "line-0": str(person.pk),
            "line-1": str(kim.pk),
            "line-2": "new",
            "line-3": "skip",
        }
    )
    response = bob_client.post(url, data, follow=True)
    assert "Saved 3 visits" in response.content.decode()
    visits = Visit.objects.filter(session__date=date)
    assert visits.count() == 3
    assert {v.method for v in visits} == {Visit.PAPER}
    assert all(v.left_at is not None for v in visits)
    new = Person.objects.get(known_as="New Person")
    assert not new.form_complete
    # Entering the same sheet again adds nothing.
    response = bob_client.post(url, data, follow=True)
    assert "Saved 0 visits" in response.content.decode()
    assert Visit.objects.count() == 3
    assert Person.objects.filter(known_as="New Person").count() == 1


def test_paper_sheet_refuses_a_future_date(bob_client, site):
    date = timezone.localdate() + dt.timedelta(days=1)
    response = bob_client.post(
        reverse("attendance:paper"),
        {"site": site.pk, "date": date.isoformat(), "names": "Sam"},
    )
    assert "That date is in the future" in response.content.decode()


def test_paper_sheet_only_offers_own_sites(bob_client, site, other_site):
    response = bob_client.post(
        reverse("attendance:paper"),
        {
            "site": other_site.pk,
            "date": timezone.localdate().isoformat(),
            "names": "Sam",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Visit.objects.exists()


def test_going_back_to_change_the_names_keeps_every_name_typed(bob_client, site):
    """Checking the names is a round trip: going back must not mean retyping
    a whole sheet."""
    url = reverse("attendance:paper")
    date = timezone.localdate() - dt.timedelta(days=2)
    typed = {
        "site": [str(site.pk)],
        "date": [date.isoformat()],
        "names": ["Sam\nKim\nNew Person"],
    }
    preview = bob_client.post(url, typed).content.decode()
    sent = {k: v[0] for k, v in form_data(preview, "").items()}
    back = bob_client.post(url, {**sent, "edit": "1"}).content.decode()
    assert "Next: check the names" in back
    again = form_data(back, "")
    assert {k: again[k] for k in typed} == typed
    assert not Visit.objects.exists()
