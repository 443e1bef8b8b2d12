"""The kiosk: a woman signs herself in, and the tablet confirms nothing about
anyone. Whoever is typed, it answers the same, after the same work."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance.models import KIOSK_WORD_CHECKS, PendingArrival, Person, Visit
from tests.helpers import CountingHasher, without_tokens

RETURNING = reverse("attendance:kiosk_returning")
DONE = reverse("attendance:kiosk_done")
SEE_US = reverse("attendance:kiosk_see_us")
NEW = reverse("attendance:kiosk_new")


@pytest.fixture
def counted(settings):
    settings.PASSWORD_HASHERS = ["tests.helpers.CountingHasher"]
    CountingHasher.checks = 0
    return CountingHasher


@pytest.fixture
def kiosk_client(client, kiosk):
    client.force_login(kiosk)
    client.get(RETURNING)  # the session and CSRF cookie are set up
    return client


def with_word(person: Person, word: str) -> Person:
    person.set_kiosk_word(word)
    person.save()
    return person


def headers(response) -> list:
    """Its headers, but the clock's: "Expires" says when it was sent."""
    return sorted((k, v) for k, v in response.headers.items() if k != "Expires")


def arrive(client, name: str, word: str = ""):
    return client.post(RETURNING, {"name": name, "word": word})


def test_a_name_alone_is_never_a_visit(kiosk_client, site, person):
    response = arrive(kiosk_client, "Samantha O'Brien")
    assert response.url == DONE
    assert not Visit.objects.exists()
    arrival = PendingArrival.objects.get()
    assert arrival.name_typed == "Samantha O'Brien" and arrival.site == site
    assert arrival.person is None


def test_her_own_kiosk_word_signs_her_in(kiosk_client, kiosk, site, person):
    with_word(person, "Bluebell")
    response = arrive(kiosk_client, "sam", " bluebell ")
    assert response.url == DONE
    visit = Visit.objects.get()
    assert visit.person == person and visit.session.site == site
    assert visit.method == Visit.KIOSK and visit.signed_in_by == kiosk
    assert not PendingArrival.objects.exists()


@pytest.mark.parametrize(
    "name,word",
    [
        ("Sam", "daffodil"),  # her name, a wrong word
        ("Sa", "bluebell"),  # part of her name: only her whole name counts
        ("Priya", "bluebell"),  # Sam's word with someone else's name
        ("Nobody", "bluebell"),
    ],
)
def test_anything_but_her_name_and_her_word_waits_for_the_team(
    kiosk_client, org, person, name, word
):
    with_word(person, "bluebell")
    with_word(Person.objects.create(organisation=org, known_as="Priya"), "tulips")
    assert arrive(kiosk_client, name, word).url == DONE
    assert not Visit.objects.exists()
    assert PendingArrival.objects.get().name_typed == name


def test_two_women_of_one_name_with_one_word_wait_for_the_team(
    kiosk_client, org, person
):
    with_word(person, "bluebell")
    with_word(Person.objects.create(organisation=org, known_as="Sam"), "bluebell")
    arrive(kiosk_client, "Sam", "bluebell")
    assert not Visit.objects.exists()
    assert PendingArrival.objects.count() == 1


def test_the_kiosk_only_knows_its_own_organisation(kiosk_client, other_person):
    with_word(other_person, "bluebell")
    arrive(kiosk_client, "Olga", "bluebell")
    assert not Visit.objects.exists()


def test_the_answer_is_the_same_whoever_is_typed(kiosk_client, org, person):
    with_word(person, "bluebell")
    Person.objects.create(organisation=org, known_as="Zainab")  # no word
    answers = []
    for name, word in [
        ("Nobody Atall", ""),
        ("Sam", ""),  # she comes here
        ("Zainab", "guess"),  # she comes here, and has no word
        ("Sam", "daffodil"),  # her name, the wrong word
        ("Sam", "bluebell"),  # her name and her word: signed in
        ("Nobody Atall", "bluebell"),
    ]:
        posted = arrive(kiosk_client, name, word)
        page = kiosk_client.get(posted.url)
        answers.append(
            (
                posted.status_code,
                posted.url,
                posted.content,
                headers(posted),
                sorted(posted.cookies),
                page.status_code,
                without_tokens(page.content.decode()),
                headers(page),
                sorted(page.cookies),
            )
        )
    assert Visit.objects.count() == 1  # the only one with her word
    assert all(answer == answers[0] for answer in answers)
    page = answers[0][6]
    assert "The team will see you" in page
    # Nothing she typed is shown back: the next person could read it.
    assert "Nobody" not in page and "Sam" not in page


def _work(client, name: str, word: str) -> tuple[int, list[str]]:
    """The hash checks and SQL statements (their shape) of one arrival."""
    CountingHasher.checks = 0
    with CaptureQueriesContext(connection) as queries:
        arrive(client, name, word)
    shapes = [
        re.sub(r"\s.*", "", q["sql"].lstrip()).upper()
        for q in queries.captured_queries
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", q["sql"], re.I)
    ]
    return CountingHasher.checks, shapes


def test_the_kiosk_does_the_same_work_whoever_is_typed(
    counted, kiosk_client, org, person
):
    """Nothing a stopwatch could see: the same queries and the same number of
    (slow, in production) hash checks, whether or not the name is known."""
    with_word(person, "bluebell")
    with_word(Person.objects.create(organisation=org, known_as="Sam"), "tulips")
    Person.objects.create(organisation=org, known_as="Zainab")
    with_word(Person.objects.create(organisation=org, known_as="Priya"), "roses")
    _work(kiosk_client, "warm up", "")  # today's session is opened once
    with_words = {
        (name, word): _work(kiosk_client, name, word)
        for name, word in [
            ("Nobody", "bluebell"),
            ("Zainab", "bluebell"),
            ("Priya", "bluebell"),
            ("Sam", "daffodil"),
            ("Sam", "bluebell"),
        ]
    }
    assert Visit.objects.filter(person=person).exists()
    assert {checks for checks, _ in with_words.values()} == {KIOSK_WORD_CHECKS}
    assert len({tuple(shapes) for _, shapes in with_words.values()}) == 1
    no_word = [_work(kiosk_client, name, "") for name in ("Nobody", "Sam", "Priya")]
    assert {checks for checks, _ in no_word} == {0}
    assert len({tuple(shapes) for _, shapes in no_word}) == 1


def test_past_its_limit_the_kiosk_checks_and_records_nothing(
    settings, counted, kiosk_client, person
):
    settings.KIOSK_ANSWERS_PER_MINUTE = 3
    with_word(person, "bluebell")
    for name in ("Ann", "Bea", "Cat"):
        assert arrive(kiosk_client, name).url == DONE
    # The fourth in a minute: the same "please see the team", whoever it is,
    # and nothing checked or kept, even her right word.
    answers = set()
    for name, word in [("Dee", ""), ("Sam", "bluebell"), ("Sam", "")]:
        response = arrive(kiosk_client, name, word)
        page = kiosk_client.get(response.url).content.decode()
        answers.add((response.url, without_tokens(page)))
    assert len(answers) == 1 and response.url == SEE_US
    assert "say hello to one of the team" in page
    assert counted.checks == 0
    assert PendingArrival.objects.count() == 3 and not Visit.objects.exists()
    # A minute later she is answered again.
    PendingArrival.objects.update(created=timezone.now() - dt.timedelta(seconds=61))
    assert arrive(kiosk_client, "Sam", "bluebell").url == DONE
    assert Visit.objects.get().person == person


def test_the_limit_is_each_kiosks_own(settings, client, kiosk, org, site, person):
    from tests.conftest import make_user

    settings.KIOSK_ANSWERS_PER_MINUTE = 1
    other = make_user("kiosk2", org, "kiosk", site=site)
    client.force_login(kiosk)
    assert arrive(client, "Ann").url == DONE
    assert arrive(client, "Bea").url == SEE_US
    client.force_login(other)
    assert arrive(client, "Bea").url == DONE


def new_at_kiosk(client, **fields):
    data = {
        "known_as": "Grace",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "5",
        **fields,
    }
    return client.post(NEW, data)


def test_new_at_the_kiosk_registers_her_and_waits_for_the_team(kiosk_client, site):
    response = new_at_kiosk(
        kiosk_client,
        phone="07700 900777",
        agrees="on",
        **{"contacts-0-name": "Blessing", "contacts-0-phone": "07700 900778"},
    )
    assert response.url == DONE
    person = Person.objects.get()
    assert person.data_use_agreed_at and person.emergency_contacts.count() == 1
    # Anyone could fill in the form: she is confirmed by the team, not a visit yet.
    assert not Visit.objects.exists()
    arrival = PendingArrival.objects.get()
    assert arrival.person == person and arrival.site == site


def test_a_new_form_sent_twice_waits_once(kiosk_client):
    token = "6f1c1a9e-8c1b-4c52-9a55-2b1f3c0f0a11"
    new_at_kiosk(kiosk_client, registration_token=token)
    new_at_kiosk(kiosk_client, registration_token=token)
    assert Person.objects.count() == 1 and PendingArrival.objects.count() == 1


def test_past_its_limit_the_new_form_keeps_what_she_typed(settings, kiosk_client):
    settings.KIOSK_ANSWERS_PER_MINUTE = 1
    arrive(kiosk_client, "Ann")
    response = new_at_kiosk(kiosk_client, phone="07700 900777", agrees="on")
    assert response.status_code == 200
    html = response.content.decode()
    assert "please say hello to one of the team" in html.lower()
    assert 'value="Grace"' in html and 'value="07700 900777"' in html
    assert not Person.objects.exists()


def test_a_word_chosen_on_her_first_visit_signs_her_in_the_next(kiosk_client):
    new_at_kiosk(kiosk_client, kiosk_word="Kettle 42")
    person = Person.objects.get()
    assert person.kiosk_word and "Kettle" not in person.kiosk_word  # hashed
    assert "kiosk_word" not in {f.name for f in Person.history.model._meta.fields}
    PendingArrival.objects.all().delete()
    arrive(kiosk_client, "grace", "kettle 42")
    assert Visit.objects.get().person == person


@pytest.mark.parametrize(
    "word,message",
    [
        ("12/03/1985", "isn&#x27;t a date"),
        ("120385", "isn&#x27;t a date"),
        ("1985", "isn&#x27;t a date"),
        ("grace", "other than your name"),
        ("abc", "at least 4"),
    ],
)
def test_a_kiosk_word_is_not_a_date_or_her_name(kiosk_client, word, message):
    response = new_at_kiosk(kiosk_client, kiosk_word=word)
    assert message in response.content.decode()
    assert not Person.objects.exists()


def test_the_team_can_set_or_forget_her_word_on_her_page(bob_client, person):
    url = reverse("attendance:person_edit", args=[person.pk])
    data = {
        "known_as": "Sam",
        "full_name": "Samantha O'Brien",
        "phone": "07700 900123",
        "agrees": "on",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    bob_client.post(url, {**data, "kiosk_word": "bluebell"})
    person.refresh_from_db()
    assert person.kiosk_word
    assert Person.objects.find_at_kiosk("Sam", "bluebell") == person
    assert "Forget her kiosk word" in bob_client.get(url).content.decode()
    bob_client.post(url, data)  # left blank: kept
    person.refresh_from_db()
    assert person.kiosk_word
    bob_client.post(url, {**data, "forget_kiosk_word": "on"})
    person.refresh_from_db()
    assert person.kiosk_word == ""


def test_the_kiosk_never_shows_what_is_stored(kiosk_client, person):
    for url in (RETURNING, NEW, DONE, SEE_US, reverse("attendance:kiosk")):
        # Tokens are random letters: "Jo" could turn up in one by chance.
        html = without_tokens(kiosk_client.get(url).content.decode())
        for stored in ("Samantha", "07700", "Jo", "quiet corner"):
            assert stored not in html, (url, stored)


def test_kiosk_cannot_reach_any_other_page(kiosk_client, site, person):
    for url in [
        reverse("attendance:today", args=[site.pk]),
        reverse("attendance:person", args=[person.pk]),
        reverse("attendance:people"),
        reverse("attendance:search", args=[site.pk]) + "?q=sam",
    ]:
        assert kiosk_client.get(url).status_code == 403
    assert kiosk_client.get("/").url == reverse("attendance:kiosk")


def test_staff_log_the_kiosk_out_with_its_password(kiosk_client):
    url = reverse("attendance:kiosk_log_out")
    response = kiosk_client.post(url, {"password": "wrong"})
    assert response.status_code == 200
    assert "isn&#x27;t this kiosk&#x27;s password" in response.content.decode()
    assert kiosk_client.get(RETURNING).status_code == 200  # still logged in
    response = kiosk_client.post(url, {"password": "password"})
    assert response.url == reverse("login")
    assert kiosk_client.get(RETURNING).status_code == 302


def test_the_kiosk_header_logs_out_only_by_holding_or_with_the_password(
    kiosk_client,
):
    html = kiosk_client.get(reverse("attendance:kiosk")).content.decode()
    # One tap on the button opens the password page; the log-out form that
    # holding sends is hidden, with nothing in it to tap.
    button = re.search(r'<form method="get" action="([^"]+)">\s*<button[^>]*>', html)
    assert button and button[1] == reverse("attendance:kiosk_log_out")
    assert 'data-hold-to="staff-log-out"' in button[0]
    assert re.search(r'<form id="staff-log-out" method="post"[^>]*hidden>', html)


def test_no_page_refreshes_itself():
    """Resets are kiosk.js's, after inactivity: a meta refresh clears a page
    while someone is typing on it (axe: critical)."""
    base = Path(settings.BASE_DIR)
    roots = ["templates", "attendance", "safeguarding", "signposting", "peerspace"]
    found = [
        str(path)
        for root in roots
        for path in (base / root).rglob("*.html")
        if re.search(r"http-equiv\s*=\s*[\"']?refresh", path.read_text(), re.I)
    ]
    assert not found
    assert "http-equiv" not in Path(settings.BASE_DIR, "static/js/kiosk.js").read_text()


def test_kiosk_pages_say_when_they_clear(kiosk_client):
    for url, seconds, warn in [
        (RETURNING, settings.KIOSK_IDLE_SECONDS, 20),
        (NEW, settings.KIOSK_IDLE_SECONDS, 20),
        (DONE, settings.KIOSK_THANKS_SECONDS, 0),
        (SEE_US, settings.KIOSK_THANKS_SECONDS, 0),
    ]:
        html = kiosk_client.get(url).content.decode()
        assert f'data-clear-after="{seconds}" data-warn-for="{warn}"' in html
        assert ('id="still-there"' in html) == bool(warn)
