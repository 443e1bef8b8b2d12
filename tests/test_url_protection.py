"""Every URL in the project, whoever wrote it: signed-in only, or public on purpose.

The access matrices check who may do what on each app's pages. This is the net
under them: a new URL anywhere (any app, any namespace) that forgets the login
check, or a public view that isn't on the list below, fails here.
"""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)

from attendance.models import PendingArrival, Session, Visit
from peerspace.accounts.models import Membership
from tests.conftest import make_user

# Views anyone may open without signing in. Each must also be marked with
# Django's login_not_required; being on this list alone opens nothing.
PUBLIC = {
    "login",
    "healthz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # The JavaScript's words, for the login page's script too.
    "javascript_catalog",
    # The door's service worker: the same script for everyone, no one's details.
    "attendance:service_worker",
    # The organisation's public directory and its Open Referral UK read API,
    # both only when she switches them on.
    "signposting:public",
    "signposting:api_root",
    "signposting:api_services",
    "signposting:api_service",
    "signposting:api_service_at_locations",
    "signposting:api_service_at_location",
    "signposting:api_taxonomies",
    "signposting:api_taxonomy",
    "signposting:api_taxonomy_terms",
    "signposting:api_taxonomy_term",
}
# Read-only, no session and no cookies: a POST is refused (405) before CSRF
# could matter, so it's left out of the CSRF check's "must be 403".
READ_ONLY_API = {name for name in PUBLIC if name.startswith("signposting:api_")}


def url_patterns(patterns=None, namespace=None, prefix=""):
    """(name, full route, pattern) for every URL pattern, all namespaces."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if p.namespace and namespace:
                ns = f"{namespace}:{p.namespace}"
            yield from url_patterns(p.url_patterns, ns, route)
        elif isinstance(p, URLPattern):
            name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
            yield name, route, p


def converters(route: str, pattern: URLPattern) -> dict:
    """Every <converter:name> along the route, including the parents'."""
    found = {}
    for conv_name, kwarg in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        found[kwarg] = conv_name or "str"
    return {**found, **pattern.pattern.converters}


def kwarg_value(name: str, url_name: str, converter, objects: dict):
    """A value that makes the URL resolve, pointing at a real object if we can."""
    if isinstance(converter, str):
        converter = {
            "int": IntConverter(),
            "str": StringConverter(),
            "slug": SlugConverter(),
            "path": PathConverter(),
            "uuid": UUIDConverter(),
        }[converter]
    if isinstance(converter, IntConverter):
        if name in objects:
            return objects[name]
        for hint, pk in objects["pk_by_url"].items():
            if hint in url_name:
                return pk
        return 1
    if isinstance(converter, SlugConverter):
        return objects["slug"]
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    return "json" if name == "fmt" else "x"


def all_urls(objects) -> list[tuple[str, str, object]]:
    urls = []
    for name, route, pattern in url_patterns():
        kwargs = {
            k: kwarg_value(k, name or route, conv, objects)
            for k, conv in converters(route, pattern).items()
        }
        urls.append((name or route, build_url(name, route, kwargs), pattern.callback))
    return urls


def build_url(name: str | None, route: str, kwargs: dict) -> str:
    if name:
        return reverse(name, kwargs=kwargs)
    # An unnamed pattern: fill its route in by hand.
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


@pytest.fixture
def objects(org, site, person, bob):
    session = Session.objects.today(site)
    visit, _ = Visit.objects.sign_in(person, session)
    pending = PendingArrival.objects.create(site=site, name_typed="Someone")
    return {
        "site_pk": site.pk,
        "person_pk": person.pk,
        "visit_pk": visit.pk,
        "user_pk": bob.pk,
        "slug": org.slug,
        # A bare <int:pk>: the object the URL name suggests.
        "pk_by_url": {
            "attendance:person": person.pk,
            "attendance:erase": person.pk,
            "attendance:subject_access": person.pk,
            "attendance:pending": pending.pk,
            "site_toggle": site.pk,
        },
    }


def test_the_url_walk_finds_every_app():
    names = {name for name, _, _ in url_patterns() if name}
    for expected in (
        "home",
        "attendance:door",
        "signposting:directory",
        "safeguarding:worries",
        "signposting:api_services",
    ):
        assert expected in names
    assert PUBLIC <= names, f"Not URLs any more: {sorted(PUBLIC - names)}"


def test_every_view_needs_login_or_is_public_on_purpose(client, objects):
    problems = []
    for name, url, view in all_urls(objects):
        marked_public = getattr(view, "login_required", True) is False
        if name in PUBLIC:
            if not marked_public:
                problems.append(f"{name}: listed as public but not login_not_required")
            continue
        if marked_public:
            problems.append(f"{name}: login_not_required but not in PUBLIC")
            continue
        response = client.get(url)
        if response.status_code == 405:
            continue
        if response.status_code != 302 or not response["Location"].startswith(
            reverse("login")
        ):
            problems.append(f"{name}: anonymous GET {url} gave {response.status_code}")
    assert not problems, "\n".join(problems)


def test_public_views_answer_anyone_without_an_error(client, objects):
    for name, url, _ in all_urls(objects):
        if name in PUBLIC:
            response = client.get(url)
            assert response.status_code < 500, (name, url)
            assert response.status_code != 302 or "login" not in response.get(
                "Location", ""
            ), (name, url)


@pytest.fixture
def everything_client(org, objects):
    """Coordinator, safeguarding member and facilitator at once, as a browser
    would be: CSRF checks on."""
    user = make_user(
        "ada",
        org,
        Membership.COORDINATOR,
        Membership.SAFEGUARDING,
        Membership.FACILITATOR,
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_every_post_without_a_csrf_token_is_refused(everything_client, objects):
    problems = []
    for name, url, _ in all_urls(objects):
        response = everything_client.post(url, {"confirm": "erase", "x": "1"})
        if name in READ_ONLY_API:
            if response.status_code not in (403, 405):
                problems.append(f"{name}: POST gave {response.status_code}")
            continue
        if response.status_code != 403 or b"CSRF" not in response.content:
            problems.append(
                f"{name}: POST {url} without a CSRF token gave "
                f"{response.status_code}, not the CSRF refusal"
            )
    assert not problems, "\n".join(problems)


def test_a_post_with_the_token_gets_past_the_csrf_check(everything_client, site):
    """The refusal above is about the token, not about posting at all."""
    everything_client.get(reverse("attendance:today", args=[site.pk]))
    token = everything_client.cookies["csrftoken"].value
    response = everything_client.post(
        reverse("attendance:headcount", args=[site.pk]),
        {"count": "1", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
