from django.db import connection

from attendance.models import Person


def test_it_encrypts_anything_to_know_in_the_raw_row(person):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT anything_to_know FROM attendance_person WHERE id = %s", [person.pk]
        )
        (raw,) = cursor.fetchone()
    assert "quiet corner" not in raw
    assert raw.startswith("fernet:")
    assert Person.objects.get(pk=person.pk).anything_to_know == "Prefers a quiet corner"


def test_healthz_is_public(client, db):
    assert client.get("/healthz/").content == b"ok"
