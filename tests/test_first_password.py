"""A new login's first password is chosen by someone else, so it opens one
thing: the page where she chooses her own. Two-factor set-up comes after."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from peerspace.accounts.models import FirstPassword
from tests.test_team import NEW

GIVEN = NEW["password"]
HERS = "my own four words phrase"


TWO_FACTOR_ROLES = ["coordinator", "safeguarding"]


@pytest.fixture(autouse=True)
def require_two_factor(settings):
    settings.TWO_FACTOR_ROLES = TWO_FACTOR_ROLES


def add(client, alice, settings, data: dict):
    """Alice (already past her own second step) adds someone to the team."""
    settings.TWO_FACTOR_ROLES = []
    client.force_login(alice)
    assert client.post(reverse("team"), data).status_code == 302
    client.post(reverse("logout"))
    settings.TWO_FACTOR_ROLES = TWO_FACTOR_ROLES


@pytest.fixture
def fran(alice, org, client, settings):
    """Added by alice, with a first password alice chose."""
    add(client, alice, settings, NEW)
    return get_user_model().objects.get(username="fran")


def log_in(client, password):
    return client.post(reverse("login"), {"username": "fran", "password": password})


def choose(client, password, again=None):
    return client.post(
        reverse("choose_password"),
        {"new_password1": password, "new_password2": again or password},
    )


def test_the_first_password_opens_only_the_page_to_choose_her_own(client, fran, site):
    assert FirstPassword.objects.get(user=fran).set_by.username == "alice"
    log_in(client, GIVEN)
    choose_url = reverse("choose_password")
    for page in (
        reverse("home"),
        reverse("attendance:today", args=[site.pk]),
        reverse("two_factor"),
        reverse("two_factor_setup"),
        reverse("safeguarding:worries"),
    ):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith(choose_url), page
    assert "Choose your own password" in client.get(choose_url).content.decode()


def test_she_chooses_her_own_before_setting_up_two_factor(client, fran):
    log_in(client, GIVEN)
    response = choose(client, GIVEN)
    assert "the password you were given" in response.content.decode()
    response = choose(client, HERS)
    assert response.status_code == 302
    fran.refresh_from_db()
    assert fran.check_password(HERS)
    assert not FirstPassword.objects.filter(user=fran).exists()
    # Still signed in, and now on to the second step.
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("two_factor"))
    assert client.get(reverse("two_factor")).url.startswith(reverse("two_factor_setup"))
    # The password she was given no longer works.
    client.post(reverse("logout"))
    assert log_in(client, GIVEN).status_code == 200
    assert log_in(client, HERS).status_code == 302


def test_a_facilitator_chooses_her_own_too(client, alice, org, site, settings):
    add(client, alice, settings, {**NEW, "roles": ["facilitator"]})
    log_in(client, GIVEN)
    url = reverse("attendance:today", args=[site.pk])
    assert client.get(url).url.startswith(reverse("choose_password"))
    choose(client, HERS)
    assert client.get(url).status_code == 200


def test_she_can_log_out_instead(client, fran):
    log_in(client, GIVEN)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_kiosk_tablets_password_is_not_a_persons(client, alice, site, settings):
    kiosk = {
        "add_kiosk": "1",
        "site": site.pk,
        "username": "door-tablet",
        "password": "tablet at the door 1",
    }
    add(client, alice, settings, kiosk)
    assert get_user_model().objects.filter(username="door-tablet").exists()
    assert not FirstPassword.objects.exists()


def test_the_first_coordinator_chooses_her_own(client, db):
    call_command(
        "create_organisation",
        "Thread Together",
        "--site",
        "Wigan",
        "--coordinator",
        "chris",
        "--password",
        GIVEN,
    )
    client.post(reverse("login"), {"username": "chris", "password": GIVEN})
    assert client.get(reverse("home")).url.startswith(reverse("choose_password"))


def test_a_password_she_set_from_a_reset_link_is_her_own(client, fran):
    client.post(reverse("password_reset"), {"email": NEW["email"]})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": HERS, "new_password2": HERS})
    assert not FirstPassword.objects.filter(user=fran).exists()


def test_nobody_else_is_asked(client, bob, site):
    client.post(reverse("login"), {"username": "bob", "password": "password"})
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 200
