"""Every date box shows the date it was given.

A browser reads only an ISO date (2025-12-01) in an <input type="date">: the
en-GB 01/12/2025 Django writes by default leaves the box blank, and saving the
form then loses the date. Every form with a date field is found here, so a new
one can't slip past.
"""

import datetime as dt
import html
import importlib
import re

import pytest
from django import forms
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from attendance.forms import PaperSheetForm
from peerspace.accounts.models import Site
from peerspace.fields import DateInput
from peerspace.reports.forms import BuildForm, RateForm, StoryForm, TallyForm
from peerspace.reports.models import TYPED, ValueLine
from safeguarding.forms import ActionForm, ReviewForm, SessionForm
from safeguarding.models import Worry
from signposting.forms import ServiceForm, SignpostForm

DAY = dt.date(2025, 12, 1)
OUR_APPS = ("peerspace", "attendance", "safeguarding", "signposting")


def our_forms() -> set[type]:
    for app in apps.get_app_configs():
        if app.name.startswith(OUR_APPS):
            try:
                importlib.import_module(f"{app.name}.forms")
            except ModuleNotFoundError:
                pass

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {
        cls
        for cls in subclasses(forms.BaseForm)
        if cls.__module__.startswith(OUR_APPS)
        and any(isinstance(f, forms.DateField) for f in cls.base_fields.values())
    }


def line(org) -> ValueLine:
    return ValueLine.objects.create(
        organisation=org, name="Crisis", unit="a crisis", source=TYPED
    )


# How to make each form that has a date field.
MAKERS = {
    BuildForm: lambda org, user: BuildForm(organisation=org),
    StoryForm: lambda org, user: StoryForm(organisation=org),
    RateForm: lambda org, user: RateForm(line=line(org)),
    TallyForm: lambda org, user: TallyForm(line=line(org)),
    PaperSheetForm: lambda org, user: PaperSheetForm(sites=Site.objects.none()),
    SignpostForm: lambda org, user: SignpostForm(organisation=org),
    ServiceForm: lambda org, user: ServiceForm(organisation=org),
    SessionForm: lambda org, user: SessionForm(host=org),
    ReviewForm: lambda org, user: ReviewForm(
        worry=Worry.objects.create(organisation=org, raised_by=user, about_initials="A")
    ),
    ActionForm: lambda org, user: ActionForm(organisation_id=org.pk),
}


def value_of(rendered: str) -> str:
    match = re.search(r'\svalue="([^"]*)"', rendered)
    assert match, rendered
    return html.unescape(match.group(1))


def test_every_form_with_a_date_field_is_checked_here():
    assert our_forms() == set(MAKERS)


@pytest.mark.parametrize("form_class", MAKERS, ids=lambda c: c.__name__)
def test_every_date_box_shows_its_date_as_iso(org, sally, form_class):
    form = MAKERS[form_class](org, sally)
    dates = [n for n, f in form.fields.items() if isinstance(f, forms.DateField)]
    assert dates
    for name in dates:
        widget = form.fields[name].widget
        assert isinstance(widget, DateInput), (form_class, name)
        form.initial[name] = DAY
        rendered = str(form[name])
        expected = "2025-12" if widget.input_type == "month" else "2025-12-01"
        assert f'type="{widget.input_type}"' in rendered
        assert value_of(rendered) == expected, (form_class.__name__, name)


def test_a_date_typed_into_a_form_that_is_sent_back_stays_in_its_box(
    alice_client, org, site
):
    """The signposting form wrote its own date box: it is the shared one now,
    and a form sent back (no service ticked) keeps the date she chose."""
    response = alice_client.post(
        reverse("signposting:signpost_new"), {"date": "2025-11-03", "site": site.pk}
    )
    assert response.status_code == 200
    page = response.content.decode()
    box = re.search(r'<input type="date"[^>]*name="date"[^>]*>', page).group(0)
    assert value_of(box) == "2025-11-03"
    response = alice_client.get(reverse("signposting:signpost_new"))
    box = re.search(
        r'<input type="date"[^>]*name="date"[^>]*>', response.content.decode()
    ).group(0)
    assert value_of(box) == timezone.localdate().isoformat()
