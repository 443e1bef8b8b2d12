"""Generated input posted to the social value forms: never a server error, and
a form that comes back with a message saved nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerspace.accounts.models import Membership
from peerspace.reports.models import TYPED, Rate, Tally, ValueLevel, ValueLine
from tests.conftest import make_user
from tests.test_fuzz_forms import nasty


@pytest.fixture
def line(org):
    line = ValueLine.objects.create(
        organisation=org,
        name="Peer support",
        unit="a peer",
        source=TYPED,
        counts_people=True,
        quick_tally=True,
        tally_kinds="In person, Phone call",
    )
    level = ValueLevel.objects.create(line=line, name="Level 1")
    Rate.objects.create(
        line=line, level=level, effective_from=dt.date(2025, 1, 1), amount=1, source="s"
    )
    Tally.objects.create(line=line, level=level, month=dt.date(2025, 3, 1), count=4)
    return line, level


def forms(line, level) -> dict:
    key = f"{line.pk}-{level.pk}"
    tally = f"line{line.pk}"
    rate = ["level", "effective_from", "amount", "low", "high", "source", "DELETE"]
    return {
        reverse("reports:value_line_new"): [
            "name",
            "unit",
            "source",
            "counts_people",
            "quick_tally",
            "tally_kinds",
            "levels-TOTAL_FORMS",
            "levels-INITIAL_FORMS",
            "levels-0-name",
        ],
        reverse("reports:value_rates", args=[line.pk]): [
            "rates-TOTAL_FORMS",
            "rates-INITIAL_FORMS",
            *(f"rates-0-{f}" for f in rate),
            *(f"rates-1-{f}" for f in rate),
        ],
        reverse("reports:value_month", args=[2025, 4]): [
            f"count-{key}",
            f"rate-{key}",
            f"source-{key}",
            "newkind-0",
            "newname-0",
            "newamount-0",
        ],
        reverse("reports:tally"): [
            "line",
            f"{tally}-level",
            f"{tally}-date",
            f"{tally}-count",
            f"{tally}-minutes",
            f"{tally}-kind",
        ],
    }


def row_counts() -> dict:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label == "reports" and not m._meta.label.endswith("Historical")
    }


@pytest.mark.parametrize("which", range(4))
def test_generated_input_never_breaks_a_social_value_form(which, org, line):
    user = make_user("ada", org, Membership.COORDINATOR, Membership.FACILITATOR)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    url, fields = list(forms(*line).items())[which]

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        st.fixed_dictionaries(
            {}, optional=dict.fromkeys(fields, nasty | st.decimals().map(str))
        )
    )
    def check(data):
        data = {k: v.replace("\x00", "") for k, v in data.items()}
        before = row_counts()
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
        if response.status_code in (200, 400):
            assert row_counts() == before, (url, data)

    check()
    assert Tally.objects.filter(count=Decimal(4)).exists()
