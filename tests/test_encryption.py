import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from attendance.models import Person
from peerspace import crypto
from peerspace.models import KeyCheck
from tests.helpers import lost_key_token, write_raw


def raw_note(person) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT anything_to_know FROM attendance_person WHERE id = %s", [person.pk]
        )
        return cursor.fetchone()[0]


def raw_history_notes(person) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT anything_to_know FROM attendance_historicalperson WHERE id = %s",
            [person.pk],
        )
        return [r[0] for r in cursor.fetchall()]


def test_history_copies_stay_encrypted(person):
    person.anything_to_know = "A second secret"
    person.save()
    raws = raw_history_notes(person)
    assert len(raws) == 2
    assert all(r.startswith("fernet:") and "secret" not in r for r in raws)


def test_a_wrong_key_reads_as_a_placeholder_never_as_ciphertext(person, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    note = Person.objects.get(pk=person.pk).anything_to_know
    assert isinstance(note, crypto.Unreadable)
    assert note == crypto.UNREADABLE_TEXT
    assert "fernet:" not in f"{note} {note!r}"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(raw_note(person))


def test_a_wrong_key_set_refuses_to_write(person, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(
        crypto.WrongKeys, match="the key it was written with is missing"
    ):
        Person.objects.create(
            organisation=person.organisation, known_as="X", anything_to_know="secret"
        )


def test_no_key_at_all_refuses_to_store(org, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        Person.objects.create(organisation=org, known_as="X", anything_to_know="secret")


def test_empty_notes_stay_empty(org):
    person = Person.objects.create(organisation=org, known_as="Quiet")
    assert raw_note(person) == ""


def test_rotate_key_reencrypts_under_the_new_key(person, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    before = raw_note(person)
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_key")
    after = raw_note(person)
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can now go
    assert Person.objects.get(pk=person.pk).anything_to_know == "Prefers a quiet corner"
    assert KeyCheck.objects.problem() is None
    call_command("check")
    assert all(
        Fernet(new.encode()).decrypt(r.removeprefix("fernet:").encode())
        for r in raw_history_notes(person)
    )


def test_rotate_key_stops_and_changes_nothing_when_a_value_cannot_be_read(
    person, settings
):
    before = raw_note(person)
    check_before = KeyCheck.objects.get().token
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("rotate_key")
    assert raw_note(person) == before
    assert KeyCheck.objects.get().token == check_before


def test_rotate_key_check_lists_every_value_that_cannot_be_read(org):
    people = [
        Person.objects.create(organisation=org, known_as=n, anything_to_know="x")
        for n in ("Ann", "Bea", "Cat")
    ]
    for p in people[:2]:
        write_raw(Person, p.pk, "anything_to_know", lost_key_token())
    with pytest.raises(CommandError) as failed:
        call_command("rotate_key", "--check")
    message = str(failed.value)
    assert message.startswith("2 values can't be read")
    for p in people[:2]:
        assert f"attendance.Person {p.pk}: anything_to_know" in message
    assert f"attendance.Person {people[2].pk}:" not in message
