"""The kiosk: a tablet at the door that a woman uses herself.

It never shows anything stored about anyone, and it answers the same whoever
is typed: anyone at the tablet could otherwise find out whether a named woman
comes here, which in a space women may use to get away from someone is a real
danger. So a name alone is never a visit. She is "waiting to be confirmed" on
the door screen until the team sees her, unless she also gives the kiosk word
she chose; and either way the kiosk says "thank you, the team will see you're
here", after the same work (see Person.objects.find_at_kiosk).

A kiosk answers KIOSK_ANSWERS_PER_MINUTE people a minute. Past that it checks
and records nothing, and asks her to say hello to the team: the same for every
name, so the limit reveals nothing either.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from peerspace.accounts.models import Site
from peerspace.fields import new_token
from peerspace.i18n import remember_language
from peerspace.middleware import kiosk_allowed
from peerspace.permissions import (
    KIOSK,
    memberships,
    role_required,
)

from ..forms import (
    KioskLogOutForm,
    KioskNameForm,
    KioskPersonForm,
)
from ..models import (
    PendingArrival,
    Person,
    Session,
    Visit,
)
from .common import save_person

BUSY = _(
    "Lots of people are signing in just now. Please say hello to one of the "
    "team and they'll help you finish: what you typed is still here."
)


def _kiosk_site(request) -> Site:
    kiosk = next((m for m in memberships(request.user) if m.role == KIOSK), None)
    if kiosk is None:
        raise PermissionDenied
    return kiosk.site


def _busy(request) -> bool:
    """Has this kiosk answered its limit of people in the last minute?"""
    since = timezone.now() - dt.timedelta(minutes=1)
    answered = PendingArrival.objects.kiosk_answered_since(request.user, since)
    return answered >= settings.KIOSK_ANSWERS_PER_MINUTE


def _page(request, template: str, context: dict, *, thanks=False):
    """A kiosk page that goes back to the start when left untouched.

    kiosk.js clears it after KIOSK_IDLE_SECONDS without a touch or a key,
    asking "still there?" first; a "thank you" page, with nothing typed on it,
    after KIOSK_THANKS_SECONDS and without asking.
    """
    return render(
        request,
        template,
        {
            "site": _kiosk_site(request),
            "clear_after": settings.KIOSK_THANKS_SECONDS
            if thanks
            else settings.KIOSK_IDLE_SECONDS,
            "warn_for": 0 if thanks else 20,
            **context,
        },
    )


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_home(request):
    site = _kiosk_site(request)
    organisation = site.organisation
    language = get_language()
    context = {"languages": organisation.offered_languages(), "language": language}
    if language != organisation.default_language:
        # Left in her language, the start goes back to the organisation's
        # for the next person.
        return _page(request, "attendance/kiosk.html", context)
    return render(request, "attendance/kiosk.html", {"site": site, **context})


@kiosk_allowed
@require_POST
@role_required(KIOSK)
def kiosk_language(request):
    """She chose her language on the first screen: the kiosk speaks it until
    she's done (kiosk_next), and only the languages the organisation offers."""
    organisation = _kiosk_site(request).organisation
    code = request.POST.get("language", "")
    if code in dict(organisation.offered_languages()):
        remember_language(request, code)
    return redirect("attendance:kiosk")


def _next_person(request) -> None:
    """Back to the organisation's language for whoever comes next: after
    the thank-you, on cancelling, and when the kiosk is left untouched."""
    default = _kiosk_site(request).organisation.default_language
    remember_language(request, default, now=False)


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_next(request):
    _next_person(request)
    return redirect("attendance:kiosk")


@kiosk_allowed
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(KIOSK)
def kiosk_returning(request):
    site = _kiosk_site(request)
    form = KioskNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _busy(request):
            return redirect("attendance:kiosk_see_us")
        name, word = form.cleaned_data["name"], form.cleaned_data["word"]
        session = Session.objects.today(site)
        PendingArrival.objects.forget_earlier_days(site)
        person = Person.objects.filter(organisation=site.organisation).find_at_kiosk(
            name, word
        )
        # One row written either way, and the same answer: nothing here may
        # tell whoever is at the tablet whether the name was known.
        if person is not None:
            Visit.objects.sign_in(person, session, by=request.user, method=Visit.KIOSK)
        else:
            PendingArrival.objects.arrive(site, name, kiosk=request.user)
        return redirect("attendance:kiosk_done")
    return _page(request, "attendance/kiosk_returning.html", {"form": form})


@kiosk_allowed
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(KIOSK)
def kiosk_new(request):
    site = _kiosk_site(request)
    organisation = site.organisation
    data = request.POST if request.method == "POST" else None
    form = KioskPersonForm(
        data,
        instance=Person(organisation=organisation),
        organisation=organisation,
        initial={"registration_token": new_token()},
    )
    if request.method == "POST" and form.is_valid():
        if _busy(request):
            form.add_error(None, BUSY)
        else:
            person, first_time = save_person(form, request.user)
            if first_time:
                # She is new, so she has no kiosk word yet that could confirm
                # her: the team will, as for a name alone.
                PendingArrival.objects.arrive(
                    site, person.known_as, kiosk=request.user, person=person
                )
            return redirect("attendance:kiosk_done")
    return _page(
        request,
        "attendance/kiosk_new.html",
        {
            "form": form,
            "formset": form.contacts,
            "organisation": organisation,
            "cancel_url": reverse("attendance:kiosk_next"),
        },
    )


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_done(request):
    # Thanked in her language; whatever comes next is in the organisation's.
    response = _page(request, "attendance/kiosk_done.html", {}, thanks=True)
    _next_person(request)
    return response


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_see_us(request):
    response = _page(request, "attendance/kiosk_see_us.html", {}, thanks=True)
    _next_person(request)
    return response


@kiosk_allowed
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(KIOSK)
def kiosk_log_out(request):
    """Staff: log the kiosk out with its password.

    The way for a keyboard or screen reader, and without JavaScript; with it,
    holding "Staff: log out" for two seconds logs out too. Either way a tap
    or a knock alone doesn't.
    """
    form = KioskLogOutForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        logout(request)
        return redirect("login")
    return _page(request, "attendance/kiosk_log_out.html", {"form": form})
