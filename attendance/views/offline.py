"""The door without a connection: the service worker, the page it keeps, the
snapshot of who's here a device holds, and the queue sent when it's back.

What the device keeps, where and for how long is in docs/privacy.md.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from peerspace.accounts.models import Site
from peerspace.fields import parse_id
from peerspace.permissions import TEAM, org_ids, role_required

from ..forms import OfflineItemForm
from ..models import EmergencyContact, OfflineEntry, PendingArrival, Person, Visit
from ..services import OfflineItemError, match_offline, receive_offline, remove_offline
from .common import get_site_for_user

# Bump when the service worker or what it keeps changes: the old caches go.
CACHE_NAME = "peerspace-door-1"
# What the offline door needs besides itself, kept when the worker installs.
STATIC_FILES = (
    "favicon.svg",
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.rtl.min.css",
    "css/app.css",
    "css/offline-door.css",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "js/app.js",
    "js/offline-door.js",
)
MOST_ITEMS = 500


@login_not_required
@require_GET
def service_worker(request):
    """The door's service worker, at /door/ so that its scope covers the door.

    No one's details are in it: the same for everyone, signed in or not.
    """
    precache = [static(path) for path in STATIC_FILES] + [reverse("javascript_catalog")]
    response = render(
        request,
        "attendance/offline/sw.js",
        {
            "cache_name": json.dumps(CACHE_NAME),
            "precache": json.dumps(precache),
            "static_url": json.dumps(static("")),
            "door": json.dumps(reverse("attendance:door")),
        },
        content_type="text/javascript",
    )
    # Browsers check for a new worker on each visit: always ask.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@role_required(*TEAM)
def offline_door(request, site_pk: int):
    """The door page the service worker keeps for when there's no connection.

    It holds nobody's details: its script fills it from the snapshot kept on
    the device.
    """
    site = get_site_for_user(request, site_pk)
    return render(request, "attendance/offline/door.html", {"site": site})


@require_GET
@role_required(*TEAM)
def snapshot(request, site_pk: int):
    """Who's here now, with their emergency contacts: the device keeps this
    to show and print as a fire register if the connection drops."""
    site = get_site_for_user(request, site_pk)
    visits = (
        Visit.objects.on_site_now(site)
        .select_related("person", "activity")
        .prefetch_related("person__emergency_contacts")
        .order_by("arrived_at", "id")
    )
    here, unnamed = [], 0
    for visit in visits:
        if visit.person_id is None:
            unnamed += 1
            continue
        here.append(
            {
                "visit": visit.pk,
                "name": visit.person.known_as,
                "arrived_at": visit.arrived_at.isoformat(),
                "activity": visit.activity.name if visit.activity else "",
                "contacts": [
                    {"name": c.name, "relationship": c.relationship, "phone": c.phone}
                    for c in _contacts(visit.person)
                ],
            }
        )
    now = timezone.localtime()
    return JsonResponse(
        {
            "site": site.pk,
            "site_name": site.name,
            "date": now.date().isoformat(),
            "taken_at": now.isoformat(),
            "here": here,
            "unnamed": unnamed,
            # Said at the kiosk that they're here: in a fire, they count too.
            "waiting": [a.name_typed for a in PendingArrival.objects.waiting(site)],
            # The token for sending the queue, fresh after logging in again.
            "csrf": get_token(request),
        }
    )


def _contacts(person: Person) -> list[EmergencyContact]:
    return list(person.emergency_contacts.all())


@sensitive_post_parameters()
@require_POST
@role_required(*TEAM)
def receive(request, site_pk: int):
    """The device's queue of sign-ins and sign-outs typed offline.

    {"items": [{"id", "kind", "name" | "visit" | "ref", "typed_at"}, ...]}:
    each is received on its own, so one damaged item doesn't stop the rest,
    and each answer says whether the device may forget it (`received`).
    """
    site = get_site_for_user(request, site_pk)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _bad_request(_("The queue wasn't readable (not JSON)."))
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return _bad_request(_("The queue should be a list of items."))
    if len(items) > MOST_ITEMS:
        return _bad_request(
            _("Please send %(most)d items or fewer at a time.") % {"most": MOST_ITEMS}
        )
    results = [_receive_one(site, item, request.user) for item in items]
    return JsonResponse({"results": results})


def _receive_one(site: Site, item, user) -> dict:
    form = OfflineItemForm(item if isinstance(item, dict) else {})
    given_id = item.get("id") if isinstance(item, dict) else None
    if not form.is_valid():
        problems = "; ".join(e for errors in form.errors.values() for e in errors)
        return {
            "id": given_id if isinstance(given_id, str) else None,
            "received": False,
            "message": _("Not received: %(problems)s") % {"problems": problems},
        }
    try:
        entry, message = receive_offline(site, form.cleaned_data, by=user)
    except OfflineItemError as error:
        return {
            "id": str(form.cleaned_data["id"]),
            "received": False,
            "message": str(error),
        }
    return {
        "id": str(entry.client_id),
        "received": True,
        "outcome": entry.outcome,
        "message": message,
    }


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@require_POST
@role_required(*TEAM)
def match(request, pk: int):
    """The paper-sheet screen: who a name typed offline was."""
    entry = get_object_or_404(
        OfflineEntry.objects.select_related("site__organisation"),
        pk=pk,
        outcome=OfflineEntry.TO_MATCH,
        site__organisation_id__in=org_ids(request.user),
    )
    choice = request.POST.get("person", "")
    name = entry.name_typed
    if choice == "remove":
        remove_offline(entry)
        messages.success(request, _("“%(name)s” is removed.") % {"name": name})
        return redirect("attendance:paper")
    person = None
    if choice != "new":
        person_id = parse_id(choice)
        person = (
            Person.objects.filter(organisation=entry.site.organisation, pk=person_id)
            .not_erased()
            .first()
            if person_id
            else None
        )
        if person is None:
            messages.error(
                request, _("Please choose who “%(name)s” is.") % {"name": name}
            )
            return redirect("attendance:paper")
    visit = match_offline(entry, person, by=request.user)
    messages.success(
        request,
        _("%(name)s is signed in at %(site)s from %(time)s.")
        % {
            "name": visit.person.known_as,
            "site": entry.site.name,
            "time": f"{timezone.localtime(visit.arrived_at):%-d %b %H:%M}",
        },
    )
    return redirect("attendance:paper")
