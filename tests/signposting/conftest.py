import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from signposting.models import Category, DirectorySettings, Service

REPO = Path(__file__).resolve().parents[2]
# A copy of the Open Referral UK schemas and examples (CC BY-SA 4.0) lives in
# the repository so these tests always run.
STANDARDS = REPO / "signposting" / "standards" / "openreferral-uk"


def make_service(org, name, *, categories=(), **fields):
    fields.setdefault("last_checked", timezone.localdate() - dt.timedelta(days=30))
    service = Service.objects.create(organisation=org, name=name, **fields)
    cats = [Category.objects.get(organisation=org, slug=slug) for slug in categories]
    service.categories.set(cats)
    service.refresh_search_key()
    return service


@pytest.fixture(name="make_service")
def make_service_fixture(db):
    return make_service


@pytest.fixture
def categories(org):
    Category.objects.seed(org)
    return {c.slug: c for c in Category.objects.filter(organisation=org)}


@pytest.fixture
def services(org, categories):
    """A small directory: one crisis line, two money services, one stale."""
    return {
        "debt": make_service(
            org,
            "Clear Money Debt Advice",
            provider_name="Clear Money Trust",
            description="Free help to sort out debts and bailiffs.",
            categories=["money-and-debt"],
            phone="0808 157 0103",
            website="https://clearmoney.example.org/",
            email="hello@clearmoney.example.org",
            address="12 Market Street\nWigan",
            postcode="WN1 1AA",
            opening_times="Mon to Fri 9am to 5pm",
            languages="English, Urdu",
            cost="Free",
            who_its_for="Anyone in Wigan borough",
            how_to_access="Ring or drop in.",
        ),
        "crisis": make_service(
            org,
            "Lantern Line",
            description="A listening ear, day or night.",
            categories=["mental-health-and-crisis"],
            phone="0808 157 0101",
            is_emergency=True,
        ),
        "café": make_service(
            org,
            "Zoë's Money Café",
            description="Budgeting over a cuppa.",
            categories=["money-and-debt", "benefits"],
            phone="01632 960107",
        ),
        "stale": make_service(
            org,
            "Old Food Bank",
            categories=["food"],
            last_checked=timezone.localdate() - dt.timedelta(days=400),
        ),
    }


@pytest.fixture
def other_service(other_org):
    Category.objects.seed(other_org)
    return make_service(other_org, "Elsewhere Debt Line", description="debts")


@pytest.fixture
def published(org):
    return DirectorySettings.objects.create(
        organisation=org, public_page=True, open_api=True
    )


@pytest.fixture
def standards():
    if not STANDARDS.is_dir():
        pytest.skip(f"Open Referral UK schemas not found at {STANDARDS}")
    return STANDARDS
