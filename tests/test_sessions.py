import time

from django.urls import reverse

from attendance.models import Person


def age_session(client, idle=0, started=0):
    session = client.session
    now = int(time.time())
    session["seen_at"] = now - idle
    session["started_at"] = now - started
    session.save()


def test_idle_session_is_signed_out(bob_client, site, settings):
    url = reverse("attendance:today", args=[site.pk])
    assert bob_client.get(url).status_code == 200
    age_session(bob_client, idle=settings.SESSION_IDLE_SECONDS + 5)
    response = bob_client.get(url)
    assert response.status_code == 302 and "/login/" in response.url
    assert "_auth_user_id" not in bob_client.session


def test_the_doors_own_refresh_does_not_keep_an_unattended_screen_signed_in(
    bob_client, site, settings
):
    """who's here refreshes itself every few seconds; only a person using the
    door counts as use, so a screen left open still times out."""
    today = reverse("attendance:today", args=[site.pk])
    refresh = reverse("attendance:here_now", args=[site.pk])
    background = {"HTTP_X_PEERSPACE_BACKGROUND": "1", "HTTP_HX_REQUEST": "true"}
    bob_client.get(today)
    age_session(bob_client, idle=settings.SESSION_IDLE_SECONDS - 30)
    seen = bob_client.session["seen_at"]
    for _ in range(3):
        assert bob_client.get(refresh, **background).status_code == 200
    assert bob_client.session["seen_at"] == seen
    age_session(bob_client, idle=settings.SESSION_IDLE_SECONDS + 5)
    response = bob_client.get(refresh, **background)
    assert response.status_code == 302 and "/login/" in response.url
    assert "_auth_user_id" not in bob_client.session


def test_using_the_door_keeps_the_screen_signed_in(bob_client, site, settings):
    today = reverse("attendance:today", args=[site.pk])
    bob_client.get(today)
    age_session(bob_client, idle=settings.SESSION_IDLE_SECONDS - 30)
    bob_client.get(reverse("attendance:here_now", args=[site.pk]))
    age_session(bob_client, idle=40)
    assert bob_client.get(today).status_code == 200


def test_busy_session_still_ends_at_the_absolute_limit(bob_client, site, settings):
    url = reverse("attendance:today", args=[site.pk])
    bob_client.get(url)
    age_session(bob_client, idle=10, started=settings.SESSION_COOKIE_AGE + 5)
    assert bob_client.get(url).status_code == 302


def test_active_session_carries_on(bob_client, site, settings):
    url = reverse("attendance:today", args=[site.pk])
    bob_client.get(url)
    age_session(bob_client, idle=settings.SESSION_IDLE_SECONDS - 60)
    assert bob_client.get(url).status_code == 200


def test_kiosk_has_no_idle_limit(client, kiosk, settings):
    client.force_login(kiosk)
    client.get(reverse("attendance:kiosk"))
    age_session(client, idle=settings.SESSION_IDLE_SECONDS * 4)
    assert client.get(reverse("attendance:kiosk")).status_code == 200


def test_form_posted_after_idle_timeout_is_kept(client, bob, site, settings):
    client.force_login(bob)
    url = reverse("attendance:register", args=[site.pk])
    client.get(url)
    age_session(client, idle=settings.SESSION_IDLE_SECONDS + 5)
    data = {
        "known_as": "Rosa",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "5",
    }
    response = client.post(url, data, HTTP_REFERER=f"http://testserver{url}")
    assert "/login/" in response.url
    assert not Person.objects.exists()
    client.post(reverse("login"), {"username": "bob", "password": "password"})
    assert 'value="Rosa"' in client.get(url).content.decode()


def test_deactivated_users_old_cookie_is_anonymous(bob, bob_client, site):
    bob.is_active = False
    bob.save()
    response = bob_client.get(reverse("attendance:today", args=[site.pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_closing_the_browser_ends_a_staff_session(client, bob, settings):
    response = client.post(
        reverse("login"), {"username": "bob", "password": "password"}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # No Expires or Max-Age: the browser forgets it when it closes.
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert client.session.get_expire_at_browser_close()
    # The server still ends it after a working day at most.
    assert client.session.get_expiry_age() == 12 * 60 * 60


def test_the_working_day_and_idle_limits_stay():
    from peerspace import settings as project

    assert project.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert project.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert project.SESSION_IDLE_SECONDS == 30 * 60
