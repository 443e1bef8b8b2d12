"""Helpers the attendance views share: access to objects, and the person form."""

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from peerspace import drafts
from peerspace.accounts.models import Site
from peerspace.fields import new_token
from peerspace.permissions import (
    org_ids,
)
from peerspace.text import fold

from ..forms import (
    ContactFormSet,
    PersonForm,
)
from ..models import (
    Person,
    Visit,
)


def get_site_for_user(request: HttpRequest, pk: int) -> Site:
    return get_object_or_404(
        Site.objects.select_related("organisation"),
        pk=pk,
        is_active=True,
        organisation_id__in=org_ids(request.user),
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
            "You were signed out before this was saved. Here is what you typed: "
            "check it and save again.",
        )
    form = PersonForm(
        data,
        instance=person,
        organisation=organisation,
        initial={"registration_token": new_token()} if person.pk is None else None,
    )
    formset = ContactFormSet(data, instance=person, prefix="contacts")
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if needs_agreement(form, formset):
            form.add_error("agrees", form.AGREE_MESSAGE)
            form_ok = False
        if form_ok and formset_ok:
            token = form.cleaned_data.get("registration_token")
            try:
                with transaction.atomic():
                    saved = form.save(commit=False)
                    if saved.pk is None:
                        saved.created_by = request.user
                    saved.save()
                    formset.instance = saved
                    formset.save()
            except IntegrityError:
                # The same form saved twice: show the person the first save made.
                saved = get_object_or_404(
                    Person, registration_token=token, organisation=organisation
                )
                return on_saved(saved, duplicate=True)
            return on_saved(saved, duplicate=False)
        messages.error(request, "Please check the highlighted answers below.")
    return render(
        request,
        template,
        {**context, "form": form, "formset": formset, "organisation": organisation},
    )


def has_contacts(formset) -> bool:
    """Did she give an emergency contact? Read from what was typed, valid or not."""
    return any(
        str(f.data.get(f.add_prefix("name"), "")).strip()
        and not f.data.get(f.add_prefix("DELETE"))
        for f in formset.forms
    )


def needs_agreement(form, formset) -> bool:
    """Contacts are details too: ask for her agreement before keeping them."""
    return (
        has_contacts(formset)
        and not form.cleaned_data.get("agrees")
        and "agrees" not in form.errors
    )


def exact_match(person: Person, key: str) -> bool:
    return key in (fold(person.known_as), fold(person.full_name))
