"""Small helpers shared by tests in several folders."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text as pdftotext reads it (poppler-utils; CI installs it)."""
    if not shutil.which("pdftotext"):
        if os.environ.get("PEERSPACE_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext is missing: apt-get install poppler-utils")
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    path = tmp_path / "read-back.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def without_tokens(html: str) -> str:
    """CSRF tokens are masked afresh on every response."""
    return re.sub(r'(CSRFToken": "|name="csrfmiddlewaretoken" value=")\w+', "", html)


def lost_key_token(text: str = "Written under a key we no longer have") -> str:
    """Ciphertext made with a key nobody configured, as a lost key leaves it."""
    return "fernet:" + Fernet(Fernet.generate_key()).encrypt(text.encode()).decode()


def write_raw(model, pk: int, column: str, value: str) -> None:
    """Put a stored value straight into a row, past the ORM's encryption."""
    table, column = map(connection.ops.quote_name, (model._meta.db_table, column))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def read_raw(model, pk: int, column: str) -> str:
    """A stored value as it is in the database, by the model's primary key."""
    table, column, key = map(
        connection.ops.quote_name,
        (model._meta.db_table, column, model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {key} = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def assert_no_ciphertext(text: str, token: str) -> None:
    assert "fernet:" not in text
    assert token.removeprefix("fernet:")[:24] not in text


def env_for_this_database(keys: str) -> dict:
    """The environment of a manage.py or server started on the test database."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    return {**env, "FIELD_ENCRYPTION_KEYS": keys, "DEBUG": "0"}
