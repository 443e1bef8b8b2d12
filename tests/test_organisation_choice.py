"""Which organisation a page is for: one rule, one query parameter (?org=)."""

from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from peerspace.accounts.models import Membership
from peerspace.http import is_htmx
from peerspace.permissions import (
    COORDINATOR,
    FACILITATOR,
    SAFEGUARDING,
    TEAM,
    org_ids,
    organisation_for,
    organisations,
)
from tests.conftest import client_for, make_user

ROOT = Path(__file__).resolve().parent.parent
APPS = ["attendance", "peerspace", "safeguarding", "signposting"]

# Every page that works on one organisation of the user's, with the context
# name it gives it.
PAGES = [
    ("reports:index", "org"),
    ("reports:stories", "org"),
    ("attendance:import_export", "organisation"),
    ("attendance:activities", "organisation"),
    ("team", "organisation"),
    ("signposting:sharing", "organisation"),
    ("safeguarding:settings", "organisation"),
]


@pytest.fixture
def olive(org, other_org):
    """Coordinator and safeguarding member for two groups."""
    user = make_user("olive", org, COORDINATOR, SAFEGUARDING)
    for role in (COORDINATOR, SAFEGUARDING):
        Membership.objects.create(user=user, organisation=other_org, role=role)
    return user


@pytest.mark.parametrize("name,key", PAGES)
def test_someone_in_two_groups_picks_one_with_org(
    client, olive, org, other_org, name, key
):
    c = client_for(client, olive)
    assert c.get(reverse(name)).context[key] == other_org  # the first by name
    assert c.get(reverse(name), {"org": org.pk}).context[key] == org
    assert c.get(reverse(name), {"org": other_org.pk}).context[key] == other_org


@pytest.mark.parametrize("name,key", PAGES)
def test_an_organisation_she_doesnt_work_for_is_not_found(
    client, org, other_org, name, key
):
    c = client_for(client, make_user("ann", org, COORDINATOR, SAFEGUARDING))
    assert c.get(reverse(name)).context[key] == org
    assert c.get(reverse(name), {"org": other_org.pk}).status_code == 404
    assert c.get(reverse(name), {"org": "¹"}).status_code == 404


def test_a_posted_org_chooses_too(rf: RequestFactory, olive, org):
    request = rf.post("/", {"org": str(org.pk)})
    request.user = olive
    assert organisation_for(request, COORDINATOR) == org


def test_org_ids_takes_roles_like_has_role(org, other_org, olive, bob):
    Membership.objects.create(user=bob, organisation=other_org, role=SAFEGUARDING)
    assert org_ids(bob) == sorted([org.pk, other_org.pk])
    assert org_ids(bob, FACILITATOR) == [org.pk]
    assert org_ids(bob, SAFEGUARDING) == [other_org.pk]
    assert org_ids(bob, *TEAM) == org_ids(bob)
    assert [o.name for o in organisations(olive, COORDINATOR)] == [
        "Elsewhere Group",
        "Mended Together",
    ]


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, path.read_text()


def test_only_one_place_reads_the_htmx_header(rf):
    assert is_htmx(rf.get("/", headers={"HX-Request": "true"}))
    assert not is_htmx(rf.get("/"))
    readers = [p.name for p, text in _sources() if "HX-Request" in text]
    assert readers == ["http.py"]


def test_a_change_made_for_the_chosen_organisation_stays_with_it(
    client, olive, org, other_org
):
    c = client_for(client, olive)
    team = c.get(reverse("team"), {"org": org.pk}).content.decode()
    # The page's own forms and links carry the choice on.
    assert f'{reverse("site_add")}?org={org.pk}"' in team
    response = c.post(f"{reverse('site_add')}?org={org.pk}", {"name": "Hindley"})
    assert response.url == f"{reverse('team')}?org={org.pk}"
    assert org.sites.filter(name="Hindley").exists()
    assert not other_org.sites.exists()
