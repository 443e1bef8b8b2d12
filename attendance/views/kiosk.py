"""The kiosk: a tablet at the door that a woman uses herself.

It never shows anything stored about anyone, and goes back to the start after
each person.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from peerspace.accounts.models import Site
from peerspace.fields import new_token
from peerspace.middleware import kiosk_allowed
from peerspace.permissions import (
    KIOSK,
    memberships,
    role_required,
)
from peerspace.text import fold

from ..forms import (
    KioskNameForm,
    KioskPersonForm,
)
from ..models import (
    PendingArrival,
    Person,
    Session,
    Visit,
)
from .common import (
    exact_match,
    save_person,
)


def _kiosk_site(request) -> Site:
    kiosk = next((m for m in memberships(request.user) if m.role == KIOSK), None)
    if kiosk is None:
        raise PermissionDenied
    return kiosk.site


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_home(request):
    return render(request, "attendance/kiosk.html", {"site": _kiosk_site(request)})


@kiosk_allowed
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(KIOSK)
def kiosk_returning(request):
    site = _kiosk_site(request)
    form = KioskNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        typed = " ".join(form.cleaned_data["name"].split())
        key = fold(typed)
        candidates = [
            p
            for p in Person.objects.filter(organisation=site.organisation).search(
                typed
            )[:10]
            if exact_match(p, key)
        ]
        if len(candidates) == 1:
            Visit.objects.sign_in(
                candidates[0],
                Session.objects.today(site),
                by=request.user,
                method=Visit.KIOSK,
            )
            request.session["kiosk_greeting"] = typed
            return redirect("attendance:kiosk_done")
        PendingArrival.objects.create(site=site, name_typed=typed)
        request.session["kiosk_greeting"] = ""
        return redirect("attendance:kiosk_see_us")
    return render(
        request, "attendance/kiosk_returning.html", {"form": form, "site": site}
    )


@kiosk_allowed
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(KIOSK)
def kiosk_new(request):
    site = _kiosk_site(request)
    organisation = site.organisation
    person = Person(organisation=organisation)
    data = request.POST if request.method == "POST" else None
    form = KioskPersonForm(
        data,
        instance=person,
        organisation=organisation,
        initial={"registration_token": new_token()},
    )
    if request.method == "POST" and form.is_valid():
        person, _ = save_person(form, request.user)
        Visit.objects.sign_in(
            person, Session.objects.today(site), by=request.user, method=Visit.KIOSK
        )
        request.session["kiosk_greeting"] = person.known_as
        return redirect("attendance:kiosk_done")
    return render(
        request,
        "attendance/kiosk_new.html",
        {
            "form": form,
            "formset": form.contacts,
            "site": site,
            "organisation": organisation,
            "cancel_url": reverse("attendance:kiosk"),
        },
    )


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_done(request):
    name = request.session.pop("kiosk_greeting", "")
    return render(
        request,
        "attendance/kiosk_done.html",
        {
            "name": name,
            "site": _kiosk_site(request),
            "reset_to": reverse("attendance:kiosk"),
        },
    )


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_see_us(request):
    request.session.pop("kiosk_greeting", None)
    return render(
        request,
        "attendance/kiosk_see_us.html",
        {"site": _kiosk_site(request), "reset_to": reverse("attendance:kiosk")},
    )
