"""Move authenticator secrets and recovery codes out of django-otp's tables,
where they were plain text, into ours, where they are encrypted, and empty
django-otp's tables so no copy is left in the database or its next backup."""

from django.db import migrations


def encrypt_existing(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    AuthenticatorApp = apps.get_model("accounts", "AuthenticatorApp")
    RecoveryCodes = apps.get_model("accounts", "RecoveryCodes")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")

    copied = [
        "user_id",
        "name",
        "confirmed",
        "throttling_failure_timestamp",
        "throttling_failure_count",
    ]
    for old in TOTPDevice.objects.all():
        AuthenticatorApp.objects.create(
            secret=old.key,
            step=old.step,
            t0=old.t0,
            digits=old.digits,
            tolerance=old.tolerance,
            drift=old.drift,
            last_t=old.last_t,
            **{f: getattr(old, f) for f in copied},
        )
    for old in StaticDevice.objects.all():
        new = RecoveryCodes.objects.create(**{f: getattr(old, f) for f in copied})
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=new, code=t.token)
            for t in StaticToken.objects.filter(device=old)
        )
    StaticToken.objects.all().delete()
    StaticDevice.objects.all().delete()
    TOTPDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_two_factor_secrets_encrypted"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt_existing, migrations.RunPython.noop)]
