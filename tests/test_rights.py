import datetime as dt
import json

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from attendance.models import EmergencyContact, Person, Session, Visit
from attendance.services import erase_person
from peerspace.accounts.models import AuditEvent

SENTINEL = "Zebedee-Quux-Sentinel"


def all_text_in_database() -> str:
    """Every text column of every table, as stored."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cols = [
                f.column
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("CharField", "TextField", "EmailField")
            ]
            if not cols:
                continue
            quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(str(v) for row in cursor.fetchall() for v in row if v)
    return "\n".join(chunks)


def visit_counts(org):
    return (
        Visit.objects.filter(session__site__organisation=org).count(),
        Visit.objects.filter(session__site__organisation=org)
        .values("person")
        .distinct()
        .count(),
    )


def test_erasure_leaves_no_trace_but_keeps_the_counts(alice_client, org, site):
    person = Person.objects.create(
        organisation=org,
        known_as=SENTINEL,
        full_name=f"{SENTINEL} Smith",
        phone="07700 900123",
        postcode="WN2 4AB",
        age_band="35-44",
        anything_to_know=SENTINEL,
    )
    contact = EmergencyContact.objects.create(
        person=person, name=SENTINEL, phone="07700 900999"
    )
    contact.name = f"{SENTINEL} again"
    contact.save()
    person.full_name = f"{SENTINEL} Jones"
    person.save()
    for days in (10, 3):
        Visit.objects.sign_in(
            person,
            Session.objects.on(site, timezone.localdate() - dt.timedelta(days=days)),
        )
    alice_client.get(reverse("attendance:subject_access", args=[person.pk, "json"]))
    before = visit_counts(org)
    assert SENTINEL in all_text_in_database()

    response = alice_client.post(
        reverse("attendance:erase", args=[person.pk]), {"confirm": "erase"}
    )
    assert response.status_code == 302

    assert SENTINEL not in all_text_in_database()
    assert visit_counts(org) == before
    person.refresh_from_db()
    assert person.erased_at and person.known_as == "Erased"
    assert person.postcode == "WN2" and person.age_band == "35-44"
    assert AuditEvent.objects.filter(
        action="erased", detail=f"person #{person.pk}"
    ).exists()
    # She can't be found or opened for another export.
    assert (
        alice_client.get(
            reverse("attendance:subject_access", args=[person.pk, "json"])
        ).status_code
        == 404
    )


def test_erasure_needs_the_word_typed(alice_client, person):
    response = alice_client.post(
        reverse("attendance:erase", args=[person.pk]), {"confirm": "yes"}
    )
    assert "type the word erase" in response.content.decode()
    person.refresh_from_db()
    assert person.erased_at is None


def test_facilitators_cannot_erase_or_export(bob_client, person):
    assert (
        bob_client.post(
            reverse("attendance:erase", args=[person.pk]), {"confirm": "erase"}
        ).status_code
        == 403
    )
    assert (
        bob_client.get(
            reverse("attendance:subject_access", args=[person.pk, "json"])
        ).status_code
        == 403
    )


def test_subject_access_export_has_everything_including_history(
    alice_client, alice, person, site
):
    person.phone = "07700 900000"
    person.save()
    Visit.objects.sign_in(person, Session.objects.today(site))
    response = alice_client.get(
        reverse("attendance:subject_access", args=[person.pk, "json"])
    )
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="subject-access-{person.pk}-'
    )
    data = json.loads(response.content)
    assert data["person"]["anything_to_know"] == "Prefers a quiet corner"
    assert data["emergency_contacts"] == [
        {"name": "Jo", "relationship": "sister", "phone": "07700 900999"}
    ]
    assert len(data["visits"]) == 1
    assert [h["change"] for h in data["history"]] == ["created", "changed"]
    event = AuditEvent.objects.get()
    assert event.user == alice and "json" in event.detail


def test_subject_access_pdf_reads_back(alice_client, person, tmp_path):
    from tests.helpers import pdf_text

    response = alice_client.get(
        reverse("attendance:subject_access", args=[person.pk, "pdf"])
    )
    text = pdf_text(response.content, tmp_path)
    assert "What Mended Together holds about Sam" in text
    assert "Prefers a quiet corner" in text


def test_another_organisations_person_is_404(alice_client, other_person):
    assert (
        alice_client.get(
            reverse("attendance:subject_access", args=[other_person.pk, "json"])
        ).status_code
        == 404
    )
    assert (
        alice_client.post(
            reverse("attendance:erase", args=[other_person.pk])
        ).status_code
        == 404
    )


def test_audit_events_cannot_be_altered(alice, org):
    import pytest

    event = AuditEvent.objects.create(organisation=org, user=alice, action="test")
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_retention_erases_only_people_not_seen_for_the_period(org, site):
    long_ago = timezone.localdate() - dt.timedelta(days=4 * 365)
    old = Person.objects.create(organisation=org, known_as="Old Friend")
    Visit.objects.sign_in(old, Session.objects.on(site, long_ago))
    never = Person.objects.create(
        organisation=org,
        known_as="Never Came",
        created=timezone.now() - dt.timedelta(days=4 * 365),
    )
    recent = Person.objects.create(organisation=org, known_as="Recent")
    Visit.objects.sign_in(recent, Session.objects.on(site, long_ago))
    Visit.objects.sign_in(recent, Session.objects.today(site))

    call_command("apply_retention", "--dry-run")
    assert Person.objects.filter(erased_at__isnull=False).count() == 0

    call_command("apply_retention")
    erased = set(
        Person.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)
    )
    assert erased == {old.pk, never.pk}
    assert Visit.objects.count() == 3


def test_erase_person_service_is_idempotent(person):
    erase_person(person)
    erase_person(person)
    assert Person.objects.get(pk=person.pk).known_as == "Erased"
