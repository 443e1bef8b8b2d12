"""Who may know a worry exists, and who may read it: one rule, on the QuerySet
(Worry.objects.for_user), that every page follows."""

import pytest
from django.urls import reverse

from safeguarding.models import Worry, initials_of
from tests.conftest import client_for
from tests.safeguarding.safeguarding_helpers import make_worry


@pytest.fixture
def worries(org, other_org, bob, fran, sally, her):
    return {
        "bob's": make_worry(org, bob, her),
        "fran's": make_worry(org, fran, about_initials="F.F."),
        # Inconsistent data on purpose: about her, but held by another group.
        "elsewhere": make_worry(other_org, bob, her),
    }


def test_the_list_shows_what_for_user_allows(client, bob, fran, sally, worries):
    for user in (bob, fran, sally):
        page = client_for(client, user).get(reverse("safeguarding:worries"))
        mine = Worry.objects.for_user(user).filter(raised_by=user)
        assert list(page.context["mine"]) == list(mine.order_by("-raised_at", "-id"))
        readable = Worry.objects.for_user(user, full=True)
        assert set(page.context["worries"]) == set(readable), user


def test_a_facilitator_knows_only_her_own_worries_and_reads_none(bob, worries):
    assert set(Worry.objects.for_user(bob)) == {worries["bob's"]}
    assert not Worry.objects.for_user(bob, full=True).exists()


def test_a_safeguarding_member_reads_her_own_organisations_worries(sally, worries):
    readable = {worries["bob's"], worries["fran's"]}
    assert set(Worry.objects.for_user(sally, full=True)) == readable
    assert set(Worry.objects.for_user(sally)) == readable


def test_the_chronology_holds_only_worries_she_may_read(client, sally, her, worries):
    page = client_for(client, sally).get(
        reverse("safeguarding:chronology", args=[her.pk])
    )
    assert page.context["worries"] == [worries["bob's"]]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Samantha O'Brien", "S.O."),
        ("S.O.", "S.O."),
        ("s o", "S.O."),
        ("Mary-Jane van der Berg", "M.V.D."),
        ("A.B.C.D.", "A.B.C."),
        ("", ""),
    ],
)
def test_initials_come_from_one_rule(name, expected):
    assert initials_of(name) == expected


def test_a_worry_by_initials_and_one_about_her_give_initials_the_same_way(
    org, bob, her
):
    about_her = make_worry(org, bob, her)
    typed = make_worry(org, bob, about_initials=initials_of(her.full_name))
    assert about_her.initials == typed.initials == initials_of(her.full_name)
    assert make_worry(org, bob, about_initials="").initials == "?"
