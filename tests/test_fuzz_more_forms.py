"""Generated input posted to the signposting and safeguarding forms: never a
server error, and a form that comes back with a message saved nothing."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerspace.accounts.models import Membership
from safeguarding.models import ReflectionSession
from signposting.models import Category, Service
from tests.conftest import make_user
from tests.safeguarding.safeguarding_helpers import make_worry
from tests.test_fuzz_forms import nasty

WORRY = [
    "about_initials",
    "about_description",
    "what_worries_us",
    "whats_going_well",
    "circle_of_support",
    "her_wishes",
    "does_she_know",
    "serious_harm",
    "categories",
    "organisation",
]
REVIEW = [
    "notes",
    "decision",
    "referral_to",
    "referral_to_other",
    "referral_date",
    "referred_by",
    "reference",
    "status_after",
    "closed_reason",
    "flag_next_time",
    "actions-TOTAL_FORMS",
    "actions-INITIAL_FORMS",
    "actions-0-what",
    "actions-0-assigned_to",
    "actions-0-who_else",
    "actions-0-due",
]
SERVICE = [
    "name",
    "provider_name",
    "description",
    "categories",
    "who_its_for",
    "how_to_access",
    "self_referral",
    "phone",
    "email",
    "website",
    "address",
    "postcode",
    "opening_times",
    "languages",
    "cost",
    "is_emergency",
    "last_checked",
    "active",
]
# name: (URL arguments, fields)
FORMS = {
    "safeguarding:worry_new": ({}, WORRY),
    "safeguarding:worry_edit": ({"pk": "worry"}, WORRY),
    "safeguarding:worry_status": (
        {"pk": "worry"},
        ["status", "closed_reason", "flagged_for_review"],
    ),
    "safeguarding:session_new": (
        {},
        ["date", "partners", "attendees", "guests", "checkin", "notes"],
    ),
    "safeguarding:session_edit": (
        {"pk": "session"},
        ["date", "partners", "attendees", "guests", "checkin", "notes"],
    ),
    "safeguarding:review": ({"pk": "session", "worry_pk": "worry"}, REVIEW),
    "safeguarding:settings": ({}, ["contacts", "local_numbers"]),
    "signposting:service_new": ({}, SERVICE),
    "signposting:service_edit": ({"pk": "service"}, SERVICE),
    "signposting:categories": ({}, ["name", "order"]),
    "signposting:category_edit": ({"slug": "category"}, ["name", "order"]),
    "signposting:signpost_new": (
        {},
        ["date", "site", "person", "services", "helped_to_contact", "request_token"],
    ),
    "signposting:sharing": ({}, ["public_page", "open_api"]),
}
# The access log records looks, including a look at a form sent back.
NOT_COUNTED = {"safeguarding.AccessLog"}


def row_counts() -> dict:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label
        in ("attendance", "accounts", "signposting", "safeguarding")
        and m._meta.label not in NOT_COUNTED
    }


@pytest.fixture
def objects(org, site, person, bob):
    sally = make_user("sal", org, Membership.SAFEGUARDING)
    worry = make_worry(org, bob, person)
    session = ReflectionSession.objects.create(
        host=org, date=timezone.localdate(), created_by=sally
    )
    service = Service.objects.create(organisation=org, name="Food bank")
    category = Category.objects.create(organisation=org, name="Food", slug="food")
    return {
        "worry": worry.pk,
        "session": session.pk,
        "service": service.pk,
        "category": category.slug,
    }


@pytest.fixture
def fuzz_client(org):
    user = make_user(
        "ada",
        org,
        Membership.COORDINATOR,
        Membership.SAFEGUARDING,
        Membership.FACILITATOR,
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(FORMS))
def test_generated_input_never_breaks_a_form(name, fuzz_client, objects):
    args, fields = FORMS[name]
    url = reverse(name, kwargs={k: objects[v] for k, v in args.items()})
    # The first look sets up an organisation's defaults (categories, settings).
    fuzz_client.get(url)

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
        ],
    )
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(fields, nasty)))
    def check(data):
        data = {k: v.replace("\x00", "") for k, v in data.items()}
        before = row_counts()
        response = fuzz_client.post(url, data)
        assert response.status_code < 500, (name, data)
        if response.status_code in (200, 400):
            # The form came back with a message: nothing at all was saved.
            assert row_counts() == before, (name, data)

    check()


@pytest.mark.parametrize(
    "name,field",
    [
        ("signposting:service_new", "categories"),
        ("signposting:signpost_new", "services"),
        ("safeguarding:session_new", "partners"),
        ("safeguarding:session_new", "attendees"),
    ],
)
def test_an_id_too_big_for_the_database_is_a_message_not_an_error(
    name, field, fuzz_client, objects
):
    before = row_counts()
    response = fuzz_client.post(
        reverse(name),
        {field: "99999999999999999999", "name": "x", "date": "2026-01-01"},
    )
    assert response.status_code in (200, 400)
    assert row_counts() == before
