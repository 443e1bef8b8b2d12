import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "BEHIND_PROXY": "1",
    "SECRET_KEY": "x9Kq2vLr8WmPz4TnB7cYhJ3dFs6GaE1uRo5iNl0QpXwVbMkZtC",
    "ALLOWED_HOSTS": "peerspace.example.org",
    "STATIC_MANIFEST": "1",
    "FIELD_ENCRYPTION_KEYS": "qBBI8cR6Fm3eWbFBpwM2Hd6s4ZKhWpJk9cUq5cDYbq8=",
}


def check(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    # The settings alone: not a local database written with another key.
    base.pop("DATABASE_URL", None)
    base["SQLITE_PATH"] = str(ROOT / "no-such-directory" / "db.sqlite3")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_check_deploy():
    result = check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_development_secret_key():
    result = check({**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr
