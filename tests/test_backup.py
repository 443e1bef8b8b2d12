import io
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from attendance.models import EmergencyContact, Person, Session, Visit
from peerspace.accounts.models import Organisation, Site
from tests.helpers import ROOT, env_for_this_database


@pytest.fixture
def data(transactional_db):
    org = Organisation.objects.create(name="Backed Up", slug="backed-up")
    site = Site.objects.create(organisation=org, name="Wigan")
    people = [
        Person.objects.create(
            organisation=org, known_as=f"P{i}", anything_to_know=f"note {i}"
        )
        for i in range(5)
    ]
    EmergencyContact.objects.create(person=people[0], name="Jo", phone="07700 900999")
    session = Session.objects.today(site)
    for p in people:
        Visit.objects.sign_in(p, session)
    return org


def counts():
    return (
        Person.objects.count(),
        EmergencyContact.objects.count(),
        Visit.objects.count(),
        Person.history.count(),
    )


def integrity_ok() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA integrity_check")
            return cursor.fetchone()[0] == "ok"
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


@pytest.mark.parametrize("encrypt", [False, True])
def test_backup_and_restore_round_trip(data, tmp_path, encrypt):
    before = counts()
    path = tmp_path / "backup.bin"
    args = ["--encrypt"] if encrypt else []
    call_command("backup", "--output", str(path), *args)
    if encrypt:
        assert b"note 1" not in path.read_bytes()
    # Things go wrong after the backup...
    Person.objects.filter(known_as="P1").delete()
    Person.objects.create(organisation=data, known_as="After the backup")
    call_command("restore", str(path), "--yes")
    connection.close()
    assert counts() == before
    assert integrity_ok()
    assert not Person.objects.filter(known_as="After the backup").exists()
    assert Person.objects.get(known_as="P1").anything_to_know == "note 1"


def test_restore_refuses_a_file_that_is_not_a_backup(data, tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CommandError):
        call_command("restore", str(path), "--yes")
    assert Person.objects.count() == 5


def test_encrypted_backup_needs_the_right_key(data, tmp_path, monkeypatch):
    path = tmp_path / "backup.bin"
    call_command("backup", "--output", str(path), "--encrypt")
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", Fernet.generate_key().decode())
    with pytest.raises(CommandError, match="can't be decrypted"):
        call_command("restore", str(path), "--yes")


def test_encrypting_with_the_field_key_warns_that_one_key_guards_both(
    data, tmp_path, monkeypatch
):
    monkeypatch.delenv("BACKUP_ENCRYPTION_KEY", raising=False)
    warned = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "a"), "--encrypt", stderr=warned)
    assert "One key now protects both the data and its backup" in warned.getvalue()
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", Fernet.generate_key().decode())
    quiet = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "b"), "--encrypt", stderr=quiet)
    assert quiet.getvalue() == ""


def test_restore_refuses_a_backup_the_keys_cannot_read(data, tmp_path, settings):
    path = tmp_path / "backup.bin"
    call_command("backup", "--output", str(path))
    Person.objects.create(organisation=data, known_as="After the backup")
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="key it was written with is missing"):
        call_command("restore", str(path), "--yes")
    assert Person.objects.filter(known_as="After the backup").exists()
    # With the old key kept after a new one, the same backup restores.
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    call_command("restore", str(path), "--yes")
    connection.close()
    assert not Person.objects.filter(known_as="After the backup").exists()
    assert Person.objects.get(known_as="P1").anything_to_know == "note 1"


def test_backup_runs_whatever_the_keys(data, tmp_path):
    """Keys that can't read the database stop the server, not the backup."""
    path = tmp_path / "backup.bin"
    result = subprocess.run(
        [sys.executable, "manage.py", "backup", "--output", str(path)],
        cwd=ROOT,
        env=env_for_this_database(Fernet.generate_key().decode()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert path.stat().st_size > 0


def test_after_a_restore_no_door_takes_its_old_list_for_the_restored_one(
    data, tmp_path
):
    """The door's ETag and the server's kept rows name a site's version of who's
    here: a restored database's versions are ones never seen before."""
    from django.test import Client

    from peerspace.accounts.models import Membership
    from tests.conftest import client_for, make_user

    site = Site.objects.get(organisation=data)
    client = client_for(Client(), make_user("bob", data, Membership.FACILITATOR))
    url = f"/door/{site.pk}/here/"
    path = tmp_path / "backup.bin"
    call_command("backup", "--output", str(path))
    before = client.get(url)
    assert "P1</a>" in before.content.decode()
    call_command("restore", str(path), "--yes", stdout=io.StringIO())
    connection.close()
    # The restored list has the version the backup had, the one the door has
    # seen; but it may come from a later backup, or see other changes since.
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    assert Site.objects.get(pk=site.pk).door_version != site.door_version
