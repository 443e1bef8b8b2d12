"""Helpers the attendance views share: access to objects, and the person form."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from peerspace import drafts
from peerspace.accounts.models import Site
from peerspace.fields import new_token
from peerspace.permissions import (
    org_ids,
)

from ..forms import (
    TO_HER,
    PersonForm,
)
from ..models import (
    Person,
    Visit,
)


def sites_for_user(request: HttpRequest):
    """The open sites of the organisations she works for."""
    return Site.objects.filter(
        is_active=True, organisation_id__in=org_ids(request.user)
    )


def get_site_for_user(request: HttpRequest, pk: int) -> Site:
    return get_object_or_404(
        sites_for_user(request).select_related("organisation"), pk=pk
    )


def get_person_for_user(request: HttpRequest, pk: int) -> Person:
    return get_object_or_404(Person.objects.for_user(request.user), pk=pk)


def get_visit_for_user(request: HttpRequest, pk: int) -> Visit:
    return get_object_or_404(
        Visit.objects.select_related("session__site__organisation", "person"),
        pk=pk,
        session__site__organisation_id__in=org_ids(request.user),
    )


def remember_site(response: HttpResponse, site: Site) -> HttpResponse:
    response.set_cookie(
        settings.SITE_COOKIE_NAME,
        str(site.pk),
        max_age=settings.SITE_COOKIE_AGE,
        secure=settings.SITE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def person_form_view(request, *, person, organisation, template, context, on_saved):
    """The first-timer form and the edit form: a person and her contacts."""
    data = request.POST if request.method == "POST" else drafts.pop(request)
    if data is not None and request.method == "GET":
        messages.warning(
            request,
            _(
                "You were signed out before this was saved. Here is what you "
                "typed: check it and save again."
            ),
        )
    # At the door the facilitator can show a new woman the form in her
    # language: its questions, to her, and the privacy statement in it; the
    # rest of the page stays in the team's language.
    her_language = her_language_for(request, organisation) if person.pk is None else ""
    form = PersonForm(
        data,
        instance=person,
        organisation=organisation,
        initial={"registration_token": new_token()} if person.pk is None else None,
        words=TO_HER if her_language else None,
        language=her_language or None,
    )
    if request.method == "POST" and "show_in_language" in request.POST:
        form.show_as_typed()
    elif request.method == "POST":
        if form.is_valid():
            saved, first_time = save_person(form, request.user)
            return on_saved(saved, duplicate=not first_time)
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "formset": form.contacts,
            "organisation": organisation,
            "her_language": her_language,
            "her_languages": organisation.offered_languages()
            if person.pk is None
            else [],
        },
    )


def her_language_for(request: HttpRequest, organisation) -> str:
    """The language the facilitator chose to show the first-visit form in,
    if the organisation offers it ("" for the team's own)."""
    code = request.POST.get("her_language") or request.GET.get("her_language", "")
    return code if code in dict(organisation.offered_languages()) else ""


def save_person(form: PersonForm, user) -> tuple[Person, bool]:
    """A valid person form saved, with her contacts, once per form shown."""
    person = form.save(commit=False)
    if person.pk is None:
        person.created_by = user
    return Person.objects.save_once(person, then=form.save_contacts)
