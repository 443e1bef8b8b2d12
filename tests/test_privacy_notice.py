"""The organisation's privacy notice: versions kept, and the one she agreed to."""

import datetime as dt
import json

from django.urls import reverse

from attendance.models import Person
from peerspace.accounts.models import (
    DEFAULT_DATA_USE_STATEMENT,
    DataUseStatementVersion,
)

NEW_WORDS = "We keep your name so we can say hello. Ask us to remove it any time."


def test_the_coordinator_sees_the_current_words(alice_client, org):
    response = alice_client.get(reverse("privacy_notice"))
    assert response.status_code == 200
    assert "Version 1" in response.content.decode()
    assert "Only our team can see" in response.content.decode()


def test_changing_the_words_makes_a_new_version_and_keeps_the_old(alice_client, org):
    org.data_use_updated = dt.date(2025, 1, 6)
    org.save()
    response = alice_client.post(reverse("privacy_notice"), {"text": NEW_WORDS})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.data_use_statement == NEW_WORDS
    assert org.data_use_version == 2
    assert org.data_use_updated > dt.date(2025, 1, 6)
    versions = {v.version: v for v in org.data_use_versions.all()}
    assert versions[1].text == DEFAULT_DATA_USE_STATEMENT
    assert versions[1].in_use_from == dt.date(2025, 1, 6)
    assert versions[2].text == NEW_WORDS
    page = alice_client.get(reverse("privacy_notice")).content.decode()
    assert (
        "Earlier versions" in page and "Version 1, in use from 6 January 2025" in page
    )


def test_saving_the_same_words_changes_nothing(alice_client, org):
    alice_client.post(
        reverse("privacy_notice"),
        {"text": "  " + DEFAULT_DATA_USE_STATEMENT + "\r\n"},
    )
    org.refresh_from_db()
    assert org.data_use_version == 1
    assert not DataUseStatementVersion.objects.filter(organisation=org).exists()


def test_empty_words_are_refused(alice_client, org):
    response = alice_client.post(reverse("privacy_notice"), {"text": "   "})
    assert response.status_code == 200
    assert "Please write how you use" in response.content.decode()
    org.refresh_from_db()
    assert org.data_use_version == 1


def test_only_coordinators_may_change_it(bob_client, sally, client, org):
    assert (
        bob_client.post(reverse("privacy_notice"), {"text": NEW_WORDS}).status_code
        == 403
    )
    client.force_login(sally)
    assert (
        client.post(reverse("privacy_notice"), {"text": NEW_WORDS}).status_code == 403
    )
    org.refresh_from_db()
    assert org.data_use_version == 1


def test_a_coordinator_changes_only_her_own_organisations_words(
    client, charlie, org, other_org
):
    client.force_login(charlie)
    client.post(reverse("privacy_notice"), {"text": NEW_WORDS})
    org.refresh_from_db()
    other_org.refresh_from_db()
    assert org.data_use_version == 1
    assert other_org.data_use_statement == NEW_WORDS


def agreed_person(org) -> Person:
    person = Person.objects.create(organisation=org, known_as="Nadia")
    person.record_agreement()
    person.save()
    return person


def test_her_page_and_her_export_show_the_words_she_agreed_to(alice_client, org):
    person = agreed_person(org)
    alice_client.post(reverse("privacy_notice"), {"text": NEW_WORDS})

    page = alice_client.get(reverse("attendance:person", args=[person.pk]))
    text = page.content.decode()
    assert "(version 1)" in text
    assert "Only our team can see" in text  # version 1's words, not today's

    export = alice_client.get(
        reverse("attendance:subject_access", args=[person.pk, "json"])
    )
    data = json.loads(export.content)
    assert data["data_use_statement_agreed"]["version"] == 1
    assert data["data_use_statement_agreed"]["text"] == DEFAULT_DATA_USE_STATEMENT
    assert data["data_use_statement_current"] == NEW_WORDS


def test_someone_who_agreed_after_the_change_sees_the_new_words(alice_client, org):
    alice_client.post(reverse("privacy_notice"), {"text": NEW_WORDS})
    org.refresh_from_db()
    person = agreed_person(org)
    assert person.data_use_version == 2
    text = alice_client.get(reverse("attendance:person", args=[person.pk])).content
    assert NEW_WORDS.encode() in text


def test_the_pdf_export_includes_the_agreed_words(alice_client, org):
    person = agreed_person(org)
    alice_client.post(reverse("privacy_notice"), {"text": NEW_WORDS})
    response = alice_client.get(
        reverse("attendance:subject_access", args=[person.pk, "pdf"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
