import base64
import re
import sqlite3
import subprocess

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django_otp.oath import totp

from peerspace.accounts.models import AuthenticatorApp, RecoveryCode, RecoveryCodes
from tests.helpers import read_raw, without_tokens


@pytest.fixture(autouse=True)
def require_two_factor(settings):
    settings.TWO_FACTOR_ROLES = ["coordinator", "safeguarding"]


def login(client, username):
    return client.post(reverse("login"), {"username": username, "password": "password"})


def code_for(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def set_up_app(client):
    client.get(reverse("two_factor_setup"))
    device = AuthenticatorApp.objects.get(confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"otp_token": code_for(device)})
    codes = re.findall(r"<code>(\w+)</code>", response.content.decode())
    return AuthenticatorApp.objects.get(pk=device.pk), codes


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
    assert not AuthenticatorApp.objects.filter(confirmed=True).exists()


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


def plain_dump(path) -> str:
    """Everything an unencrypted backup file holds, as text."""
    if connection.vendor == "sqlite":
        backup = sqlite3.connect(path)
        try:
            return "\n".join(backup.iterdump())
        finally:
            backup.close()
    return subprocess.run(
        ["pg_restore", "--data-only", "-f", "-", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_a_plain_backup_holds_no_authenticator_secret_or_recovery_code(
    transactional_db, client, alice, tmp_path
):
    login(client, "alice")
    device, codes = set_up_app(client)
    path = tmp_path / "plain-backup"
    call_command("backup", "--output", str(path))
    dump = plain_dump(path)
    assert "accounts_authenticatorapp" in dump or "authenticatorapp" in dump
    secret_b32 = base64.b32encode(device.bin_key).decode()
    for secret in (device.secret, secret_b32, *codes):
        assert secret.lower() not in dump.lower()


def old_table_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


def test_the_upgrade_encrypts_secrets_set_up_before_it_and_they_still_work(
    transactional_db, client, sally, site
):
    before = [("accounts", "0004_two_factor_secrets_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(
        [
            *before,
            ("otp_totp", "0003_add_timestamps"),
            ("otp_static", "0003_add_timestamps"),
        ]
    ).apps
    secret = "3132333435363738393031323334353637383930"
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=sally.pk, name="Phone", key=secret, confirmed=True
    )
    static = old.get_model("otp_static", "StaticDevice").objects.create(
        user_id=sally.pk, name="Backup"
    )
    static.token_set.create(token="abcd2345")
    static.token_set.create(token="efgh6789")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    for table in ("otp_totp_totpdevice", "otp_static_statictoken"):
        assert old_table_rows(table) == 0
    device = AuthenticatorApp.objects.get(user=sally)
    assert device.secret == secret and device.confirmed
    stored = read_raw(AuthenticatorApp, device.pk, "secret")
    assert stored.startswith("fernet:") and secret not in stored
    assert sorted(RecoveryCode.objects.values_list("code", flat=True)) == [
        "abcd2345",
        "efgh6789",
    ]
    # Her phone still works, and so does a recovery code, once.
    login(client, "sally")
    client.post(reverse("two_factor"), {"otp_token": code_for(device)})
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 200
    client.post(reverse("logout"))
    login(client, "sally")
    client.post(reverse("two_factor"), {"otp_token": "abcd2345"})
    assert client.get(reverse("attendance:today", args=[site.pk])).status_code == 200
    assert RecoveryCodes.objects.get(user=sally).codes.count() == 1
