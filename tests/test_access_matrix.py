"""Every attendance URL × every role × own or another organisation.

A new URL in the attendance app (or at the top level) fails this test until it
is given expectations here, so nothing ships unprotected by accident.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attendance.models import OfflineEntry, PendingArrival, Session, Visit

# name: (kwargs builder key, method, {role: expected status})
# Roles: anon, kiosk, facilitator, coordinator, safeguarding, outsider.
TEAM_OK = {
    "anon": 302,
    "kiosk": 403,
    "facilitator": 200,
    "coordinator": 200,
    "safeguarding": 200,
}
KIOSK_OK = {
    "anon": 302,
    "kiosk": 200,
    "facilitator": 403,
    "coordinator": 403,
    "safeguarding": 403,
    "outsider": 403,
}
COORD_OK = {
    "anon": 302,
    "kiosk": 403,
    "facilitator": 403,
    "coordinator": 200,
    "safeguarding": 403,
    "outsider": 200,
}


ALL_200 = dict.fromkeys(
    ["anon", "kiosk", "facilitator", "coordinator", "safeguarding", "outsider"], 200
)


def team(ok=200, outsider=404, **overrides):
    return {
        **{k: ok if v == 200 else v for k, v in TEAM_OK.items()},
        "outsider": outsider,
        **overrides,
    }


EXPECTATIONS = {
    # GETs
    "home": (
        "none",
        "get",
        {
            **team(302),
            "coordinator": 200,
            "safeguarding": 200,
            "kiosk": 302,
            "outsider": 200,
        },
    ),
    "login": (
        "none",
        "get",
        {
            "anon": 200,
            "kiosk": 302,
            "facilitator": 302,
            "coordinator": 302,
            "safeguarding": 302,
            "outsider": 302,
        },
    ),
    "healthz": (
        "none",
        "get",
        {
            r: 200
            for r in (
                "anon",
                "kiosk",
                "facilitator",
                "coordinator",
                "safeguarding",
                "outsider",
            )
        },
    ),
    "attendance:door": ("none", "get", team(302, outsider=302)),
    "attendance:choose_site": ("none", "get", team(200, outsider=200)),
    "attendance:today": ("site", "get", team()),
    "attendance:here_now": ("site", "get", team()),
    "attendance:search": ("site", "get", team()),
    "attendance:register": ("site", "get", team()),
    "attendance:sign_out_all": ("site", "get", team()),
    "attendance:fire_register": ("site", "get", team()),
    "attendance:offline_door": ("site", "get", team()),
    "attendance:offline_snapshot": ("site", "get", team()),
    # No one's details, the same script for everyone (tests/test_offline_door.py).
    "attendance:service_worker": ("none", "get", ALL_200),
    "visit_options": ("visit", "get", team()),
    "attendance:paper": ("none", "get", team(200, outsider=200)),
    "attendance:people": ("none", "get", team(200, outsider=200)),
    "attendance:person": ("person", "get", team()),
    "attendance:person_edit": ("person", "get", team()),
    "attendance:activities": ("none", "get", COORD_OK),
    "attendance:kiosk": ("none", "get", KIOSK_OK),
    "attendance:kiosk_returning": ("none", "get", KIOSK_OK),
    "attendance:kiosk_new": ("none", "get", KIOSK_OK),
    "attendance:kiosk_done": ("none", "get", KIOSK_OK),
    "attendance:kiosk_see_us": ("none", "get", KIOSK_OK),
    "attendance:kiosk_log_out": ("none", "get", KIOSK_OK),
    "attendance:kiosk_next": ("none", "get", {**KIOSK_OK, "kiosk": 302}),
    "attendance:kiosk_language": ("none", "post", {**KIOSK_OK, "kiosk": 302}),
    "two_factor": ("none", "get", {**team(302, outsider=302), "kiosk": 403}),
    "two_factor_setup": ("none", "get", {**team(200, outsider=200), "kiosk": 403}),
    # Only for a first password (tests/test_first_password.py): others go home.
    "choose_password": ("none", "get", {**{r: 302 for r in ALL_200}, "kiosk": 403}),
    "password_reset": ("none", "get", ALL_200),
    "password_reset_done": ("none", "get", ALL_200),
    "password_reset_complete": ("none", "get", ALL_200),
    "password_reset_confirm": ("reset", "get", ALL_200),
    "team": ("none", "get", COORD_OK),
    "privacy_notice": ("none", "get", COORD_OK),
    "privacy_notice_save": ("none", "post", COORD_OK),
    "privacy_notice_translation": ("language", "get", COORD_OK),
    "organisation_languages": ("none", "get", COORD_OK),
    "my_language": ("none", "get", {**team(200, outsider=200)}),
    "javascript_catalog": ("none", "get", ALL_200),
    "attendance:subject_access": ("person_json", "get", {**COORD_OK, "outsider": 404}),
    "attendance:erase": ("person", "get", {**COORD_OK, "outsider": 404}),
    "attendance:import_export": ("none", "get", COORD_OK),
    "attendance:export_people": ("csv", "get", COORD_OK),
    "attendance:export_visits": ("csv", "get", COORD_OK),
    "attendance:import_people": ("none", "post", {**COORD_OK, "outsider": 200}),
    "attendance:import_visits": ("none", "post", {**COORD_OK, "outsider": 200}),
    # POST-only actions: a successful post redirects back (302).
    "logout": (
        "none",
        "post",
        {
            r: 302
            for r in (
                "anon",
                "kiosk",
                "facilitator",
                "coordinator",
                "safeguarding",
                "outsider",
            )
        },
    ),
    "attendance:sign_in": ("site_person", "post", team(302)),
    "attendance:quick_add": ("site", "post", team(302)),
    "attendance:headcount": ("site", "post", team(302)),
    "attendance:sign_out_unnamed": ("site", "post", team(302)),
    "attendance:sign_out": ("visit", "post", team(302)),
    "attendance:visit_update": ("visit", "post", team(302)),
    "attendance:undo_sign_out": ("visit", "post", team(302)),
    "attendance:visit_contacts": ("visit", "get", team()),
    "attendance:pending_dismiss": ("pending", "post", team(302)),
    "attendance:pending_confirm": ("pending", "post", team(302)),
    # A form post is not the JSON queue: a clear 400 once allowed in.
    "attendance:offline_receive": ("site", "post", team(400)),
    # No one chosen: back to the paper sheet screen, asking who she is.
    "attendance:offline_match": ("offline_entry", "post", team(302)),
    "remove_member": (
        "member",
        "post",
        {**COORD_OK, "coordinator": 302, "outsider": 404},
    ),
    "site_add": ("none", "post", {**COORD_OK, "coordinator": 302, "outsider": 302}),
    "site_toggle": (
        "site_only",
        "post",
        {**COORD_OK, "coordinator": 302, "outsider": 404},
    ),
}
# One URL answering both GET and POST is listed twice, under a second name.
ALIASES = {
    "visit_options": "attendance:visit_update",
    "privacy_notice_save": "privacy_notice",
}
# Everything a URL in these namespaces may be: pages added by other apps are
# checked by their own matrices.
CHECKED_NAMESPACES = {None, "attendance"}


def _names(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace, f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_has_expectations():
    names = {
        n for ns, n in _names(get_resolver().url_patterns) if ns in CHECKED_NAMESPACES
    }
    missing = (
        names
        - {n.replace("visit_options", "attendance:visit_update") for n in EXPECTATIONS}
        - set(EXPECTATIONS)
    )
    assert not missing, f"Give these URLs access expectations: {sorted(missing)}"


@pytest.fixture
def users(kiosk, bob, alice, sally, charlie):
    return {
        "kiosk": kiosk,
        "facilitator": bob,
        "coordinator": alice,
        "safeguarding": sally,
        "outsider": charlie,
    }


@pytest.fixture
def objects(site, person, activity, org):
    from tests.conftest import make_user

    member = make_user("removable", org, "facilitator")
    session = Session.objects.today(site)
    visit, _ = Visit.objects.sign_in(person, session)
    # She filled in the kiosk's form, so confirming her needs no choice.
    pending = PendingArrival.objects.create(
        site=site, name_typed="Someone", person=person
    )
    entry = OfflineEntry.objects.create(
        client_id="6a0f3c1e-7d0b-4f7e-9a51-0d8d2f6f2a10",
        site=site,
        kind=OfflineEntry.ARRIVED,
        name_typed="Typed Offline",
        typed_at=visit.arrived_at,
        outcome=OfflineEntry.TO_MATCH,
    )
    return {
        "none": {},
        "offline_entry": {"pk": entry.pk},
        "reset": {"uidb64": "MQ", "token": "set-password"},
        "member": {"user_pk": member.pk},
        "site_only": {"pk": site.pk},
        "person_json": {"pk": person.pk, "fmt": "json"},
        "csv": {"fmt": "csv"},
        "site": {"site_pk": site.pk},
        "person": {"pk": person.pk},
        "site_person": {"site_pk": site.pk, "person_pk": person.pk},
        "visit": {"visit_pk": visit.pk},
        "pending": {"pk": pending.pk},
        "language": {"language": "pl"},
    }


ROLES = ["anon", "kiosk", "facilitator", "coordinator", "safeguarding", "outsider"]


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_access(client, users, objects, name):
    kind, method, expected = EXPECTATIONS[name]
    url = reverse(ALIASES.get(name, name), kwargs=objects[kind])
    data = (
        {"count": "2", "known_as": "Quick", "activity": ""}
        if method == "post"
        else None
    )
    results = {}
    for role in ROLES:
        if kind == "pending":  # a successful post removes it: put it back
            PendingArrival.objects.get_or_create(
                pk=objects["pending"]["pk"],
                defaults={
                    "site_id": objects["site"]["site_pk"],
                    "name_typed": "X",
                    "person_id": objects["person"]["pk"],
                },
            )
        client.logout()
        if role != "anon":
            client.force_login(users[role])
        response = (
            getattr(client, method)(url, data)
            if data is not None
            else getattr(client, method)(url)
        )
        results[role] = response.status_code
    assert results == {r: expected[r] for r in ROLES}


@pytest.mark.parametrize(
    "name,kind",
    [
        ("attendance:sign_in", "site_person"),
        ("attendance:quick_add", "site"),
        ("attendance:headcount", "site"),
        ("attendance:sign_out", "visit"),
        ("attendance:undo_sign_out", "visit"),
        ("attendance:pending_dismiss", "pending"),
        ("attendance:pending_confirm", "pending"),
        ("attendance:sign_out_unnamed", "site"),
        ("logout", "none"),
    ],
)
def test_state_changes_refuse_get(client, bob, objects, name, kind):
    client.force_login(bob)
    assert client.get(reverse(name, kwargs=objects[kind])).status_code == 405


@pytest.mark.parametrize(
    "name,kind",
    [
        ("attendance:today", "site"),
        ("attendance:person", "person"),
        ("attendance:search", "site"),
        ("attendance:fire_register", "site"),
        ("attendance:kiosk", "none"),
    ],
)
def test_read_only_pages_refuse_post(client, bob, kiosk, objects, name, kind):
    client.force_login(kiosk if "kiosk" in name else bob)
    assert client.post(reverse(name, kwargs=objects[kind])).status_code == 405
