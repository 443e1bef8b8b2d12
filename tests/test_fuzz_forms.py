"""Generated input posted to the forms: never a server error, never a partial save."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendance.models import PERSON_DETAILS, Session, Visit

# Text that has broken web apps before: control characters, surrogates are not
# valid in UTF-8 forms so Hypothesis's default text() is filtered to valid code
# points, very long strings, numbers as text, markup, SQL-ish quotes, RTL script.
nasty = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e9999",
            "99999999999999999999",
            "'; DROP TABLE attendance_person; --",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "x" * 10_001,
            "زینب بی بی",
            "\x00",
            "on",
            "2026-02-30",
            "../../etc/passwd",
        ]
    ),
)

FORMS = {
    # Every detail the form asks for, so a new one is fuzzed too.
    "attendance:register": [
        *PERSON_DETAILS,
        "agrees",
        "registration_token",
        "contacts-TOTAL_FORMS",
        "contacts-INITIAL_FORMS",
        "contacts-0-name",
        "contacts-0-phone",
        "contacts-0-relationship",
    ],
    "attendance:quick_add": ["known_as", "registration_token"],
    "attendance:headcount": ["count", "activity", "request_token"],
    "attendance:paper": ["site", "date", "names", "confirm", "line-0", "request_token"],
    "attendance:choose_site": ["site"],
    "attendance:activities": ["name", "toggle"],
    "team": [
        "add_member",
        "username",
        "first_name",
        "roles",
        "password",
        "add_kiosk",
        "site",
    ],
}
SITE_FORMS = {"attendance:register", "attendance:quick_add", "attendance:headcount"}


def row_counts() -> dict:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("attendance", "accounts")
    }


@pytest.fixture
def fuzz_client(alice, site):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


@pytest.mark.parametrize("name", sorted(FORMS))
def test_generated_input_never_breaks_a_form(name, fuzz_client, site, activity):
    kwargs = {"site_pk": site.pk} if name in SITE_FORMS else {}
    url = reverse(name, kwargs=kwargs)

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
    )
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(FORMS[name], nasty)))
    def check(data):
        data = {k: v.replace("\x00", "") for k, v in data.items()}
        before = row_counts()
        response = fuzz_client.post(url, data)
        assert response.status_code < 500, (name, data)
        if response.status_code == 200 and "confirm" not in data:
            # The form came back with a message: nothing at all was saved.
            assert row_counts() == before, (name, data)

    check()


def test_generated_visit_updates_never_break(fuzz_client, site, person):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site))
    url = reverse("attendance:visit_update", args=[visit.pk])

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({}, optional={"activity": nasty, "helped_out": nasty}))
    def check(data):
        assert fuzz_client.post(url, data).status_code < 500

    check()
