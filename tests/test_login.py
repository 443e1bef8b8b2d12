import logging

import pytest
from axes import helpers as axes_helpers
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from tests.helpers import settings_from_env, without_tokens


def attempt(client, username, password, ip):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_repeated_wrong_passwords_lock_that_login_from_that_place(
    client, bob, alice, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "bob", "wrong", "10.0.0.1")
    response = attempt(client, "bob", "password", "10.0.0.1")
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    # The other facilitator at the same venue still gets in...
    assert attempt(client, "alice", "password", "10.0.0.1").status_code == 302
    client.post(reverse("logout"))
    # ...and so does bob from somewhere else.
    assert attempt(client, "bob", "password", "10.0.0.2").status_code == 302


def test_a_wrong_password_says_so_plainly(client, bob):
    response = attempt(client, "bob", "wrong", "10.0.0.3")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_unknown_and_known_users_get_the_same_answer(client, bob):
    known = attempt(client, "bob", "wrong", "10.0.0.4").content.decode()
    unknown = attempt(client, "nobody", "wrong", "10.0.0.4").content.decode()
    assert without_tokens(known).replace('value="bob"', "") == without_tokens(
        unknown
    ).replace('value="nobody"', "")


@pytest.mark.parametrize(
    "password", ["a" * 64, "correct horse battery staple", "xkcd936 is fine"]
)
def test_long_passphrases_are_accepted(password, bob):
    validate_password(password, bob)


@pytest.mark.parametrize("password", ["short", "password123", "qwertyuiop"])
def test_short_or_common_passwords_are_refused(password, bob):
    with pytest.raises(ValidationError):
        validate_password(password, bob)


def test_argon2_is_the_production_hasher():
    from peerspace import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_password_reset_link_never_reaches_the_log_when_mail_fails(
    client, alice, smtp_sink, caplog, capsys
):
    # Production's SMTP backend with its mail server down: the reset can't be
    # sent, and nothing anyone can read in the log opens her account.
    alice.email = "alice@example.org"
    alice.save()
    smtp_sink.stop()
    caplog.set_level(logging.DEBUG)
    response = client.post(
        reverse("password_reset"), {"email": "alice@example.org"}, follow=True
    )
    assert response.status_code == 200
    logged = caplog.text + "".join(capsys.readouterr())
    assert "Failed to send password reset email" in logged
    assert "/password-reset/" not in logged
    assert "alice@example.org" not in logged


PROXY = "127.0.0.1"  # every visitor's REMOTE_ADDR behind a reverse proxy
ATTACKER = "203.0.113.66"
FACILITATOR = "198.51.100.7"


def use_client_address_settings(settings, fresh: dict) -> None:
    for name, value in fresh.items():
        if name.startswith(("AXES_IPWARE_", "IPWARE_")):
            setattr(settings, name, value)


def via_proxy(client, username, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_axes_reads_client_addresses_through_django_ipware():
    # Without it axes silently falls back to REMOTE_ADDR and ignores the
    # proxy settings.
    assert axes_helpers.IPWARE_INSTALLED


@pytest.mark.parametrize(
    "proxies, attacker_sends, facilitator_sends",
    [
        # One proxy (Caddy replaces the header, nginx appends to it).
        ("1", ATTACKER, FACILITATOR),
        ("1", f"{FACILITATOR}, {ATTACKER}", FACILITATOR),
        ("1", f"not-an-address, {ATTACKER}", FACILITATOR),
        # A load balancer in front of the proxy.
        ("2", f"{FACILITATOR}, {ATTACKER}, 10.0.0.2", f"{FACILITATOR}, 10.0.0.2"),
    ],
    ids=["replaced", "appended-forged", "appended-junk", "two-proxies"],
)
def test_behind_a_proxy_wrong_passwords_elsewhere_do_not_lock_out_the_facilitator(
    client, bob, settings, monkeypatch, proxies, attacker_sends, facilitator_sends
):
    fresh = settings_from_env(
        monkeypatch, BEHIND_PROXY="1", TRUSTED_PROXY_COUNT=proxies
    )
    use_client_address_settings(settings, fresh)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(client, "bob", "wrong", attacker_sends)
    assert via_proxy(client, "bob", "password", attacker_sends).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # The real facilitator, through the same proxy, still gets in.
    assert via_proxy(client, "bob", "password", facilitator_sends).status_code == 302


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(
    client, bob, settings, monkeypatch
):
    fresh = settings_from_env(monkeypatch, BEHIND_PROXY="")
    use_client_address_settings(settings, fresh)
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "bob", "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        reverse("login"),
        {"username": "bob", "password": "password"},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR=FACILITATOR,
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_a_proxy_count_below_one_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        settings_from_env(monkeypatch, BEHIND_PROXY="1", TRUSTED_PROXY_COUNT="0")
