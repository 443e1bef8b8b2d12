import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from peerspace.accounts.models import Membership, Organisation, Site

NEW = {
    "add_member": "1",
    "username": "fran",
    "first_name": "Fran",
    "email": "fran@example.org",
    "roles": ["facilitator", "safeguarding"],
    "password": "a long enough phrase",
}


def test_coordinator_adds_a_team_member_with_roles(alice_client, org):
    response = alice_client.post(reverse("team"), NEW)
    assert response.status_code == 302
    fran = get_user_model().objects.get(username="fran")
    assert fran.check_password("a long enough phrase")
    assert sorted(fran.memberships.values_list("role", flat=True)) == [
        "facilitator",
        "safeguarding",
    ]


def test_weak_password_or_taken_name_is_refused_plainly(alice_client, bob):
    response = alice_client.post(
        reverse("team"), {**NEW, "username": "BOB", "password": "short"}
    )
    html = response.content.decode()
    assert "That login name is taken" in html
    assert "too short" in html
    assert not get_user_model().objects.filter(username="fran").exists()


def test_kiosk_tablet_is_tied_to_a_site(alice_client, site):
    alice_client.post(
        reverse("team"),
        {
            "add_kiosk": "1",
            "site": site.pk,
            "username": "door-tablet",
            "password": "tablet at the door 1",
        },
    )
    membership = Membership.objects.get(user__username="door-tablet")
    assert membership.role == "kiosk" and membership.site == site


def test_removing_someone_deactivates_a_login_with_no_other_organisation(
    alice_client, bob
):
    alice_client.post(reverse("remove_member", args=[bob.pk]))
    bob.refresh_from_db()
    assert not bob.is_active and not bob.memberships.exists()


def test_someone_with_two_roles_is_removed_in_one_go(alice_client, org, bob):
    Membership.objects.create(user=bob, organisation=org, role="safeguarding")
    response = alice_client.post(reverse("remove_member", args=[bob.pk]))
    assert response.status_code == 302
    bob.refresh_from_db()
    assert not bob.is_active and not bob.memberships.exists()


def test_cannot_remove_someone_from_another_organisation(alice_client, charlie):
    assert (
        alice_client.post(reverse("remove_member", args=[charlie.pk])).status_code
        == 404
    )
    assert charlie.memberships.exists()


def test_sites_are_added_and_closed_not_deleted(alice_client, org, site):
    alice_client.post(reverse("site_add"), {"name": "Ince", "address": ""})
    assert org.sites.filter(name="Ince").exists()
    alice_client.post(reverse("site_toggle", args=[site.pk]))
    site.refresh_from_db()
    assert not site.is_active


def test_site_of_another_organisation_is_404(alice_client, other_site):
    assert (
        alice_client.post(reverse("site_toggle", args=[other_site.pk])).status_code
        == 404
    )


def test_facilitator_cannot_manage_the_team(bob_client):
    assert bob_client.get(reverse("team")).status_code == 403


def test_create_organisation_command(db):
    call_command(
        "create_organisation",
        "Thread Together",
        "--site",
        "Wigan",
        "--site",
        "Leigh",
        "--coordinator",
        "chris",
        "--password",
        "a long enough phrase",
    )
    org = Organisation.objects.get(slug="thread-together")
    assert list(
        Site.objects.filter(organisation=org).values_list("name", flat=True)
    ) == ["Leigh", "Wigan"]
    assert Membership.objects.get(user__username="chris").role == "coordinator"
    with pytest.raises(CommandError):
        call_command(
            "create_organisation",
            "Thread Together",
            "--site",
            "X",
            "--coordinator",
            "other",
            "--password",
            "a long enough phrase",
        )
