"""`make run` loads the demo, and never into a database with data of its own."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from attendance.models import Person, Visit
from peerspace.accounts.models import Organisation
from peerspace.management.commands.demo import ORG_SLUG


def test_the_demo_is_not_loaded_into_a_database_with_its_own_organisation(org, bob):
    with pytest.raises(CommandError, match="holds Mended Together"):
        call_command("demo")
    assert list(Organisation.objects.all()) == [org]
    assert list(get_user_model().objects.all()) == [bob]


def test_make_run_says_so_and_carries_on(org):
    out = io.StringIO()
    call_command("demo", "--unless-own-data", stdout=out)
    assert "so the demo was not loaded and nothing was changed" in out.getvalue()
    assert not Organisation.objects.filter(slug=ORG_SLUG).exists()


def test_running_the_demo_again_keeps_what_was_typed_since(db):
    call_command("demo", stdout=io.StringIO())
    demo = Organisation.objects.get(slug=ORG_SLUG)
    typed = Person.objects.create(organisation=demo, known_as="Typed By Hand")
    people, visits = Person.objects.count(), Visit.objects.count()

    call_command("demo", stdout=io.StringIO())
    assert Person.objects.count() == people
    assert Visit.objects.count() == visits
    assert Person.objects.filter(pk=typed.pk, known_as="Typed By Hand").exists()
