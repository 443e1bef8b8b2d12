"""A person's details come from one list, PERSON_DETAILS: the form asks for
them, subject access shows them, erasure blanks them and spreadsheets carry
them. A field added to Person that isn't on the list (or named here as not
about her) fails these tests, so it can't slip out of erasure or subject access."""

import csv
import io

import pytest
from django.db import models
from django.urls import reverse

from attendance.forms import EmergencyContactForm, PersonForm
from attendance.models import (
    CONTACT_DETAILS,
    PERSON_DETAILS,
    SPREADSHEET_DETAILS,
    EmergencyContact,
    Person,
)
from attendance.services import erase_person, subject_access

# Person's fields that record keeping needs and that say nothing about her.
NOT_ABOUT_HER = {
    "id",
    "organisation",
    "form_complete",
    "registration_token",
    "created",
    "created_by",
    "erased_at",
    "data_use_agreed_at",
    "data_use_version",
    "search_key",  # her names, folded: erasure empties it with them
    "kiosk_word",  # hashed, never shown or exported: erasure empties it
}
MARK = "zqx"  # in every value typed below, and nowhere else


def value_for(field: models.Field):
    """Something she might have typed into this field, carrying MARK."""
    if isinstance(field, models.BooleanField):
        return True
    if field.choices:
        return field.choices[-1][0]
    if isinstance(field, models.EmailField):
        return f"{MARK}@example.org"
    if field.name == "postcode":
        return "WN1 1AA"
    return f"{MARK} {field.name}"


def own_fields(model, leave_out) -> set[str]:
    return {f.name for f in model._meta.concrete_fields} - set(leave_out)


@pytest.fixture
def told_us_everything(org):
    person = Person.objects.create(
        organisation=org,
        **{d: value_for(Person._meta.get_field(d)) for d in PERSON_DETAILS},
    )
    EmergencyContact.objects.create(
        person=person,
        **{d: value_for(EmergencyContact._meta.get_field(d)) for d in CONTACT_DETAILS},
    )
    return person


def test_every_field_about_her_is_on_the_list():
    assert own_fields(Person, NOT_ABOUT_HER) == set(PERSON_DETAILS)
    assert own_fields(EmergencyContact, {"id", "person"}) == set(CONTACT_DETAILS)


def test_the_forms_ask_for_exactly_the_listed_details(org):
    assert list(PersonForm(organisation=org).fields) == [
        *PERSON_DETAILS,
        "agrees",
        "registration_token",
        "kiosk_word",
    ]
    assert list(EmergencyContactForm().fields) == list(CONTACT_DETAILS)


def test_subject_access_shows_every_detail_now_and_in_history(told_us_everything):
    person = told_us_everything
    data = subject_access(person)
    for detail in PERSON_DETAILS:
        assert data["person"][detail] == getattr(person, detail), detail
        assert data["history"][0]["record"][detail] == getattr(person, detail)
    contact = person.emergency_contacts.get()
    for detail in CONTACT_DETAILS:
        assert data["emergency_contacts"][0][detail] == getattr(contact, detail)
        assert data["emergency_contact_history"][0][detail] == getattr(contact, detail)


def test_erasure_leaves_nothing_she_told_us(told_us_everything):
    person = told_us_everything
    erase_person(person)
    person.refresh_from_db()
    # Only what a funder report counts survives: her age band, her district.
    assert person.age_band == value_for(Person._meta.get_field("age_band"))
    assert person.postcode == "WN1"
    for field in Person._meta.concrete_fields:
        value = getattr(person, field.attname)
        assert MARK not in str(value).lower(), field.name
        if field.name in set(PERSON_DETAILS) - {"known_as", "age_band", "postcode"}:
            assert value == field.get_default(), field.name
    assert not person.emergency_contacts.exists()
    assert not EmergencyContact.history.filter(person_id=person.pk).exists()
    assert not Person.history.filter(id=person.pk).exists()


def test_the_people_spreadsheet_has_the_named_columns_and_never_the_note(
    alice_client, told_us_everything
):
    response = alice_client.get(reverse("attendance:export_people", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["id", *SPREADSHEET_DETAILS]
    assert f"{MARK} full_name" in rows[1]
    assert f"{MARK} anything_to_know" not in response.content.decode()
