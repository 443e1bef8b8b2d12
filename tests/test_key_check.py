"""Refuse to start or write with FIELD_ENCRYPTION_KEYS that can't read the database."""

import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import transaction

from attendance.models import Person
from peerspace import crypto
from peerspace.models import KNOWN_TEXT, KeyCheck
from tests.helpers import ROOT, env_for_this_database, lost_key_token, write_raw

MISSING = "the key it was written with is missing"


def wrong_key() -> str:
    return Fernet.generate_key().decode()


def test_start_up_with_a_wrong_key_set_fails_with_a_clear_message(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [wrong_key()]
    with pytest.raises(SystemCheckError) as failed:
        call_command("check")
    assert "FIELD_ENCRYPTION_KEYS can't read this database" in str(failed.value)
    assert MISSING in str(failed.value)


def test_start_up_with_a_new_key_before_the_old_one_is_fine(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [wrong_key(), *settings.FIELD_ENCRYPTION_KEYS]
    call_command("check")


def test_gunicorn_refuses_to_start_with_a_wrong_key_set(db):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "peerspace.wsgi",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env_for_this_database(wrong_key()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert MISSING in result.stderr


def test_the_server_starts_with_the_key_the_database_was_written_with(db, settings):
    result = subprocess.run(
        [sys.executable, "-c", "import peerspace.wsgi"],
        cwd=ROOT,
        env=env_for_this_database(settings.FIELD_ENCRYPTION_KEYS[0]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_migrate_stamps_a_database_that_has_no_key_check(db):
    KeyCheck.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert crypto.decrypt(KeyCheck.objects.get().token) == KNOWN_TEXT


def test_a_database_whose_notes_no_key_reads_is_never_stamped(person, settings):
    KeyCheck.objects.all().delete()
    settings.FIELD_ENCRYPTION_KEYS = [wrong_key()]
    with pytest.raises(crypto.WrongKeys, match=MISSING):
        call_command("migrate", verbosity=0)
    with pytest.raises(crypto.WrongKeys, match=MISSING), transaction.atomic():
        Person.objects.create(
            organisation=person.organisation, known_as="X", anything_to_know="Y"
        )
    assert not KeyCheck.objects.exists()


def test_one_damaged_note_does_not_stop_a_database_being_stamped(person, org):
    newer = Person.objects.create(
        organisation=org, known_as="Newer", anything_to_know="fine"
    )
    write_raw(Person, newer.pk, "anything_to_know", lost_key_token())
    KeyCheck.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert KeyCheck.objects.problem() is None
    assert KeyCheck.objects.exists()
