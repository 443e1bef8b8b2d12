"""Names in any script: search finds her however her name was typed, and
lists put names in alphabetical order, the same on SQLite and PostgreSQL."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from attendance.models import Person
from attendance.services import erase_person
from peerspace.text import fold, sort_key


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("محمد", "مُحَمَّد"),  # vowel marks (tashkeel) left out when typing
        ("احمد", "أحمد"),  # hamza on its seat
        ("اسماء", "إسماء"),
        ("فاطمه", "فاطمة"),  # teh marbuta typed as heh
        ("ياسمين", "یاسمین"),  # Arabic keyboard, Urdu spelling
        ("كلثوم", "کلثوم"),  # Arabic kaf, Urdu keheh
        ("فاطمہ", "فاطمه"),  # Urdu heh goal
        ("زينب", "ﺯﻳﻨﺐ"),  # presentation forms, as some old systems store them
        ("عبدالله", "عبـــدالله"),  # tatweel stretches, never changes, a word
        ("زینب", "\u200fزینب\u200f"),  # direction marks pasted with it
        ("siobhan", "Siobhán"),
        ("obrien", "O'Brien"),
    ],
)
def test_folding_matches_a_name_however_it_was_typed(typed, stored):
    assert fold(typed) == fold(stored)


def test_folding_keeps_different_names_apart():
    assert fold("بشرى") != fold("بشير")
    assert fold("Ana") != fold("Anna")


def test_she_is_found_by_what_was_typed_at_the_door(org):
    fatima = Person.objects.create(
        organisation=org, known_as="فاطمة", full_name="فاطمة الزهراء"
    )
    yasmin = Person.objects.create(organisation=org, known_as="یاسمین")
    found = Person.objects.filter(organisation=org)
    assert list(found.search("فاطمه")) == [fatima]
    assert list(found.search("الزهراء")) == [fatima]
    assert list(found.search("ياسمين")) == [yasmin]


def test_names_sort_alphabetically_in_every_script(org):
    names = [
        "zoe",
        "Émilie",
        "Zainab",
        "emily",
        "Aaliyah",
        "Łucja",
        "Lucy",
        "Ștefania",
        "Stella",
        "پروین",
        "بشری",
        "ثمینہ",
        "ٹینا",
        "تسنیم",
        "احمد",
    ]
    for name in names:
        Person.objects.create(organisation=org, known_as=name)
    listed = list(
        Person.objects.filter(organisation=org).values_list("known_as", flat=True)
    )
    assert listed == [
        "Aaliyah",
        "Émilie",
        "emily",
        "Łucja",
        "Lucy",
        "Ștefania",
        "Stella",
        "Zainab",
        "zoe",
        "احمد",
        "بشری",
        "پروین",  # after ب, as in the Urdu alphabet; its code puts it last
        "تسنیم",
        "ثمینہ",
        "ٹینا",  # the Unicode order's place for it: beside its Arabic letters
    ]


def test_the_people_page_lists_them_in_that_order(bob_client, org):
    for name in ("ٹینا", "zoe", "Émilie", "پروین", "بشری"):
        Person.objects.create(organisation=org, known_as=name)
    page = bob_client.get(reverse("attendance:people")).content.decode()
    places = [page.index(n) for n in ("Émilie", "zoe", "بشری", "پروین", "ٹینا")]
    assert places == sorted(places)


def test_a_sort_key_is_hex_so_every_database_sorts_it_the_same():
    key = sort_key("Zoë O'Brien-Smith پروین")
    assert key and set(key) <= set("0123456789abcdef") and len(key) % 4 == 0
    assert len(sort_key("a" * 500)) == 4 * 64


def test_erasing_her_resets_her_place_in_the_list(org, person):
    erase_person(person)
    person.refresh_from_db()
    assert person.sort_key == sort_key("Erased")


def test_people_already_here_get_their_place_and_language(org):
    """The migration: everyone there was is sorted, and whoever had agreed
    agreed in English, the only language there was."""
    agreed = Person.objects.create(organisation=org, known_as="پروین")
    agreed.record_agreement()
    agreed.save()
    Person.objects.filter(pk=agreed.pk).update(sort_key="", data_use_language="")
    not_asked = Person.objects.create(organisation=org, known_as="Bea")
    Person.objects.filter(pk=not_asked.pk).update(sort_key="")
    migration = importlib.import_module("attendance.migrations.0004_languages")
    migration.fill_keys_and_languages(apps, None)
    agreed.refresh_from_db()
    not_asked.refresh_from_db()
    assert (agreed.sort_key, agreed.data_use_language) == (sort_key("پروین"), "en-gb")
    assert (not_asked.sort_key, not_asked.data_use_language) == (sort_key("Bea"), "")


def test_the_doors_search_finds_them_in_name_order(org, site):
    for name in ("Sara Zed", "Ștefania Sam", "Şükran Sam", "Sam", "ثمینہ Sam"):
        Person.objects.create(organisation=org, known_as=name)
    found = Person.objects.filter(organisation=org).found_at_door("sam", site)
    assert [p.known_as for p in found] == [
        "Sam",
        "Ștefania Sam",
        "Şükran Sam",
        "ثمینہ Sam",
    ]
    assert all(hasattr(p, "is_here") and hasattr(p, "last_seen") for p in found)


def test_the_people_spreadsheet_lists_them_in_name_order(org):
    from attendance.resources import PersonResource

    for name in ("zoe", "Émilie", "Łucja", "Lucy"):
        Person.objects.create(organisation=org, known_as=name)
    rows = PersonResource(organisation=org).get_queryset()
    assert [p.known_as for p in rows] == ["Émilie", "Łucja", "Lucy", "zoe"]
