"""One note written under a key we no longer hold must not take down the door.

Pages that list many people show a placeholder for it and keep working; a page
that would put the note into a form refuses clearly; nothing saves the
placeholder over the note.
"""

import html as html_lib
import logging

import pytest
from django.urls import reverse

from attendance.models import Person, Session, Visit
from peerspace import crypto
from tests.helpers import (
    assert_no_ciphertext,
    lost_key_token,
    pdf_text,
    read_raw,
    write_raw,
)

PLACEHOLDER = crypto.UNREADABLE_TEXT


@pytest.fixture
def unreadable(person):
    """Sam, signed in today, whose note no configured key can read."""
    token = lost_key_token()
    write_raw(Person, person.pk, "anything_to_know", token)
    return token


@pytest.fixture
def here(site, person, unreadable):
    Visit.objects.sign_in(person, Session.objects.today(site))
    return person


@pytest.mark.parametrize("view", ["attendance:today", "attendance:here_now"])
def test_the_door_screen_and_whos_here_keep_working(
    bob_client, site, here, unreadable, view
):
    response = bob_client.get(reverse(view, args=[site.pk]))
    html = html_lib.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Sign out Sam" in html
    assert_no_ciphertext(html, unreadable)
    # Her emergency contact, one tap away: fetched when her row is opened.
    visit = Visit.objects.get(person=here)
    response = bob_client.get(reverse("attendance:visit_contacts", args=[visit.pk]))
    contacts = html_lib.unescape(response.content.decode())
    assert response.status_code == 200
    assert "07700 900999" in contacts
    assert_no_ciphertext(contacts, unreadable)


def test_the_people_list_keeps_working(bob_client, here, unreadable):
    response = bob_client.get(reverse("attendance:people"))
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert "Samantha O'Brien" in html
    assert_no_ciphertext(html, unreadable)


def test_the_fire_register_still_lists_her_and_her_emergency_contact(
    bob_client, site, here, tmp_path
):
    response = bob_client.get(reverse("attendance:fire_register", args=[site.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Sam (Samantha O'Brien)" in text
    assert "Jo (sister) 07700 900999" in text
    assert "fernet:" not in text


def test_her_page_shows_the_placeholder_and_her_emergency_contact(
    bob_client, here, unreadable
):
    response = bob_client.get(reverse("attendance:person", args=[here.pk]))
    html = html_lib.unescape(response.content.decode())
    assert response.status_code == 200
    assert PLACEHOLDER in html
    assert "07700 900999" in html
    assert_no_ciphertext(html, unreadable)


def test_editing_her_details_refuses_clearly_and_changes_nothing(
    bob_client, here, unreadable
):
    url = reverse("attendance:person_edit", args=[here.pk])
    response = bob_client.get(url)
    html = html_lib.unescape(response.content.decode())
    assert response.status_code == 500
    assert "This record can't be read just now" in html
    assert "tell your coordinator" in html
    assert_no_ciphertext(html, unreadable)
    assert read_raw(Person, here.pk, "anything_to_know") == unreadable


def test_saving_a_record_with_an_unreadable_note_keeps_the_note(here, unreadable):
    person = Person.objects.get(pk=here.pk)
    assert person.anything_to_know == PLACEHOLDER
    person.known_as = "Sammy"
    person.save()
    assert read_raw(Person, here.pk, "anything_to_know") == unreadable
    # Her history copy keeps the same note, not the placeholder.
    latest = person.history.latest()
    assert latest.known_as == "Sammy"
    assert read_raw(Person.history.model, latest.pk, "anything_to_know") == unreadable


def test_the_placeholder_text_is_never_stored_as_a_note(person):
    person.anything_to_know = PLACEHOLDER
    with pytest.raises(crypto.DecryptionError):
        person.save()


def test_an_unreadable_note_is_logged_once_without_the_ciphertext(
    here, unreadable, caplog
):
    with caplog.at_level(logging.ERROR, logger="peerspace.crypto"):
        for _ in range(5):
            list(Person.objects.all())
    logged = [r for r in caplog.records if r.name == "peerspace.crypto"]
    assert len(logged) == 1
    message = logged[0].getMessage()
    assert "attendance.Person.anything_to_know" in message
    assert unreadable.removeprefix("fernet:")[:20] not in message


def test_her_subject_access_export_refuses_rather_than_leave_the_note_out(
    alice_client, here, unreadable
):
    for fmt in ("json", "pdf"):
        url = reverse("attendance:subject_access", args=[here.pk, fmt])
        response = alice_client.get(url)
        html = html_lib.unescape(response.content.decode())
        assert response.status_code == 500
        assert "This record can't be read just now" in html
        assert_no_ciphertext(html, unreadable)
