"""A form posted after signing out is kept only for her, small, and not for long."""

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone

from attendance.models import Person
from peerspace import drafts
from tests.conftest import make_user
from tests.test_sessions import age_session

FOUR_MIB = 4 * 1024 * 1024


def person_form(known_as: str, anything: str = "") -> dict:
    return {
        "known_as": known_as,
        "anything_to_know": anything,
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "5",
    }


def stored() -> tuple[int, int, int]:
    """Session rows, their bytes, and the size of the database they live in."""
    sessions = Session.objects.aggregate(bytes=Sum(Length("session_data")))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            size = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT pg_total_relation_size('django_session')")
            size = cursor.fetchone()[0]
    return Session.objects.count(), sessions["bytes"] or 0, size


@pytest.fixture
def url(site):
    return reverse("attendance:register", args=[site.pk])


@pytest.fixture
def timed_out(client, bob, url, settings):
    """Bob was signed in on this device, and the idle limit has just passed."""
    client.force_login(bob)
    client.get(url)
    age_session(client, idle=settings.SESSION_IDLE_SECONDS + 5)
    return client


def post(client, url, data):
    return client.post(url, data, HTTP_REFERER=f"http://testserver{url}")


def sign_in(client, username):
    response = client.post(
        reverse("login"), {"username": username, "password": "password"}
    )
    assert response.status_code == 302


def test_posts_from_someone_never_signed_in_keep_nothing(client, url):
    before = stored()
    for _ in range(2):
        response = post(client, url, person_form("x" * FOUR_MIB))
        assert response.status_code == 302 and "/login/" in response.url
    assert stored() == before
    assert "sessionid" not in client.cookies or not client.cookies["sessionid"].value


def test_an_oversize_post_after_signing_out_keeps_nothing_and_says_so(timed_out, url):
    assert Session.objects.count() == 1
    response = post(timed_out, url, person_form("Rosa", "x" * FOUR_MIB))
    assert "/login/" in response.url
    # Her old session went; nothing took its place.
    assert stored()[:2] == (0, 0)
    login_page = timed_out.get(response.url).content.decode()
    assert "too long to keep" in login_page
    sign_in(timed_out, "bob")
    assert 'value="Rosa"' not in timed_out.get(url).content.decode()


def test_two_big_posts_do_not_grow_the_database(timed_out, client, url):
    _, _, before = stored()
    post(timed_out, url, person_form("Rosa", "x" * FOUR_MIB))
    client.cookies.clear()
    post(client, url, person_form("Rosa", "x" * FOUR_MIB))
    _, _, after = stored()
    assert after <= before


def test_she_gets_her_draft_back_after_signing_in_again(timed_out, url):
    post(timed_out, url, person_form("Rosa", "Likes the quiet room"))
    assert not Person.objects.exists()
    kept = str(Session.objects.get().get_decoded())
    assert "fernet:" in kept and "Rosa" not in kept and "quiet room" not in kept
    sign_in(timed_out, "bob")
    page = timed_out.get(url).content.decode()
    assert 'value="Rosa"' in page and "Likes the quiet room" in page
    assert "You were signed out before this was saved" in page
    # Shown once, not every time the form opens.
    assert 'value="Rosa"' not in timed_out.get(url).content.decode()


def test_someone_else_signing_in_on_that_device_does_not_get_it(timed_out, url, org):
    make_user("fran", org, "facilitator")
    post(timed_out, url, person_form("Rosa"))
    sign_in(timed_out, "fran")
    assert 'value="Rosa"' not in timed_out.get(url).content.decode()
    timed_out.post(reverse("logout"))
    sign_in(timed_out, "bob")
    assert 'value="Rosa"' not in timed_out.get(url).content.decode()


def test_a_draft_expires_with_the_absolute_session_limit(timed_out, url, settings):
    post(timed_out, url, person_form("Rosa"))
    session = timed_out.session
    key = drafts.PREFIX + url
    session[key] = {
        **session[key],
        "saved_at": session[key]["saved_at"] - settings.SESSION_COOKIE_AGE - 1,
    }
    session.save()
    sign_in(timed_out, "bob")
    assert 'value="Rosa"' not in timed_out.get(url).content.decode()


def test_clearsessions_removes_drafts_left_behind(timed_out, url):
    post(timed_out, url, person_form("Rosa"))
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    call_command("clearsessions")
    assert not Session.objects.exists()


def test_the_kiosk_keeps_no_draft_for_the_next_person(client, kiosk, settings):
    client.force_login(kiosk)
    url = reverse("attendance:kiosk_new")
    client.get(url)
    age_session(client, started=settings.SESSION_COOKIE_AGE + 5)
    assert Session.objects.count() == 1
    post(client, url, person_form("Rosa"))
    assert stored()[:2] == (0, 0)
