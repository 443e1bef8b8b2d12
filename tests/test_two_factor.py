import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers import without_tokens


@pytest.fixture(autouse=True)
def require_two_factor(settings):
    settings.TWO_FACTOR_ROLES = ["coordinator", "safeguarding"]


def login(client, username):
    return client.post(reverse("login"), {"username": username, "password": "password"})


def code_for(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def set_up_app(client):
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"otp_token": code_for(device)})
    codes = re.findall(r"<code>(\w+)</code>", response.content.decode())
    return TOTPDevice.objects.get(pk=device.pk), codes


def test_coordinator_pages_wait_for_the_second_step(client, alice, site):
    login(client, "alice")
    response = client.get(reverse("attendance:today", args=[site.pk]))
    assert response.status_code == 302 and response.url.startswith(
        reverse("two_factor")
    )
    # No app yet: she's taken to set one up.
    assert client.get(reverse("two_factor")).url.startswith(reverse("two_factor_setup"))


def test_setting_up_an_app_verifies_and_shows_recovery_codes_once(client, alice, site):
    login(client, "alice")
    device, codes = set_up_app(client)
    assert device.confirmed
    assert len(codes) == 10
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 200


def test_next_login_needs_a_code_and_a_code_works_once(client, alice, site):
    login(client, "alice")
    device, _ = set_up_app(client)
    code = code_for(device, drift=1)
    client.post(reverse("logout"))
    login(client, "alice")
    response = client.post(reverse("two_factor"), {"otp_token": code})
    assert response.status_code == 302
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 200
    client.post(reverse("logout"))
    login(client, "alice")
    response = client.post(reverse("two_factor"), {"otp_token": code})
    assert "That code didn" in response.content.decode()
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 302


def test_a_recovery_code_works_once(client, sally, site):
    login(client, "sally")
    _, codes = set_up_app(client)
    client.post(reverse("logout"))
    login(client, "sally")
    client.post(reverse("two_factor"), {"otp_token": codes[0]})
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 200
    client.post(reverse("logout"))
    login(client, "sally")
    client.post(reverse("two_factor"), {"otp_token": codes[0]})
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 302


def test_wrong_code_does_not_set_up_the_app(client, alice):
    login(client, "alice")
    client.get(reverse("two_factor_setup"))
    response = client.post(reverse("two_factor_setup"), {"otp_token": "000000"})
    assert "didn&#x27;t match" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_facilitators_need_no_second_step(client, bob, site):
    login(client, "bob")
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 200


def test_password_reset_never_reveals_whether_an_account_exists(client, alice):
    alice.email = "alice@example.org"
    alice.save()
    known = client.post(
        reverse("password_reset"), {"email": "alice@example.org"}, follow=True
    )
    unknown = client.post(
        reverse("password_reset"), {"email": "nobody@example.org"}, follow=True
    )
    assert without_tokens(known.content.decode()) == without_tokens(
        unknown.content.decode()
    )
    assert len(mail.outbox) == 1


def test_password_reset_does_not_give_a_verified_session(client, alice, site):
    alice.email = "alice@example.org"
    alice.save()
    client.post(reverse("password_reset"), {"email": "alice@example.org"})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link).url
    new = "a long new phrase for alice"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    # Not signed in by the reset...
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 302
    # ...and signing in with the new password still needs the second step.
    client.post(reverse("login"), {"username": "alice", "password": new})
    response = client.get(reverse("attendance:today", args=[site.pk]))
    assert response.url.startswith(reverse("two_factor"))
