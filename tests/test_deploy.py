import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from peerspace.mail import check_email_reaches_people
from tests.helpers import SmtpSink, self_signed_certificate, settings_from_env

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "BEHIND_PROXY": "1",
    "SECRET_KEY": "x9Kq2vLr8WmPz4TnB7cYhJ3dFs6GaE1uRo5iNl0QpXwVbMkZtC",
    "ALLOWED_HOSTS": "peerspace.example.org",
    "STATIC_MANIFEST": "1",
    "FIELD_ENCRYPTION_KEYS": "qBBI8cR6Fm3eWbFBpwM2Hd6s4ZKhWpJk9cUq5cDYbq8=",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "peerspace@example.org",
}
# Anything the test run's own environment says about these would leak in.
OURS = {*PRODUCTION, "EMAIL_BACKEND", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL"}


def settings_only(extra: dict | None = None) -> dict:
    """This run's environment less anything our settings read, and no local
    database written with another key: the settings alone are under test."""
    base = {k: v for k, v in os.environ.items() if k not in OURS}
    base.pop("DATABASE_URL", None)
    base["SQLITE_PATH"] = str(ROOT / "no-such-directory" / "db.sqlite3")
    return {**base, **(extra or {})}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    base = settings_only()
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def check(env: dict) -> subprocess.CompletedProcess:
    return manage("check", "--deploy", "--fail-level", "WARNING", env=env)


def test_production_settings_pass_check_deploy():
    result = check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_development_secret_key():
    result = check({**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_check_deploy_refuses_production_without_a_mail_server():
    result = check({**PRODUCTION, "EMAIL_HOST": ""})
    assert result.returncode != 0
    assert "peerspace.E002" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "email",
    [
        {"EMAIL_HOST": ""},
        {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
        {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
        {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
        {"EMAIL_USE_TLS": True, "EMAIL_USE_SSL": True},
    ],
    ids=["no mail server", "console", "locmem", "files", "tls and ssl"],
)
def test_email_that_cannot_leave_the_machine_fails_the_deploy_check(settings, email):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.example.org"
    settings.DEFAULT_FROM_EMAIL = "peerspace@example.org"
    assert check_email_reaches_people(None) == []
    for name, value in email.items():
        setattr(settings, name, value)
    assert [e.id for e in check_email_reaches_people(None)] == ["peerspace.E002"]


def test_the_deploy_check_warns_about_a_from_address_at_localhost(settings):
    settings.EMAIL_HOST = "smtp.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Peerspace <peerspace@localhost>"
    assert [e.id for e in check_email_reaches_people(None)] == ["peerspace.W002"]


def test_production_never_falls_back_to_writing_mail_to_the_log(monkeypatch):
    # Reset links in a log are a way into someone's account.
    for name in OURS:
        monkeypatch.delenv(name, raising=False)
    production = settings_from_env(monkeypatch, DEBUG="0")
    assert production["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    development = settings_from_env(monkeypatch, DEBUG="1")
    assert (
        development["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    )
    assert production["EMAIL_TIMEOUT"] == 10


def deploy_md_settings() -> dict[str, str]:
    """The /etc/peerspace.env that docs/deploy.md gives, as written."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = re.search(r"```sh\n(DEBUG=0\n.*?)```", text, re.S)[1]
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def test_sendtestemail_works_with_the_settings_in_deploy_md(tmp_path):
    tls, certificate = self_signed_certificate(tmp_path)
    sink = SmtpSink(tls_context=tls, login=("peerspace@example.org", "mailbox pass"))
    documented = deploy_md_settings()
    assert documented["EMAIL_USE_TLS"] == "1"
    # Sourced by the shell, as the cron wrapper in docs/deploy.md does. Ours:
    # the keys in place of their placeholders, the mail server's address and
    # login (the sink's), and no database (sendtestemail needs none).
    ours = {
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
        "FIELD_ENCRYPTION_KEYS": PRODUCTION["FIELD_ENCRYPTION_KEYS"],
        "BACKUP_ENCRYPTION_KEY": "yq5l1nUAqPXuLDrxk_EEX5iHBW2RKfiQKHkRcl2FlW0=",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_HOST_USER": "peerspace@example.org",
        "EMAIL_HOST_PASSWORD": "'mailbox pass'",
    }
    lines = [
        f"{k}={ours.get(k, v)}" for k, v in documented.items() if k != "DATABASE_URL"
    ]
    assert not [line for line in lines if "<" in line], "a placeholder left"
    env_file = tmp_path / "peerspace.env"
    env_file.write_text("\n".join(lines) + "\n")
    sink.start()
    try:
        result = subprocess.run(
            [
                "bash",
                "-c",
                'set -a; . "$1"; set +a; "$2" manage.py sendtestemail you@example.org',
                "-",
                str(env_file),
                sys.executable,
            ],
            cwd=ROOT,
            env=settings_only({"SSL_CERT_FILE": certificate}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        sink.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    (mail,) = sink.received
    assert mail.to == ["you@example.org"]
    assert mail.mail_from == documented["DEFAULT_FROM_EMAIL"]
