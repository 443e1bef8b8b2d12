"""The door's side of the kiosk: people waiting to be confirmed.

Someone who said at the kiosk that she's here is not a visit until the team
sees her (see kiosk.py). The door screen lists her, with who she might be;
the facilitator confirms it's her, or removes the line.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from peerspace.fields import parse_id
from peerspace.permissions import TEAM, org_ids, role_required

from ..models import PendingArrival, Person
from .door import _after_change, signed_in_message


def get_arrival_for_user(request, pk: int) -> PendingArrival:
    return get_object_or_404(
        PendingArrival.objects.select_related("site__organisation", "person"),
        pk=pk,
        site__organisation_id__in=org_ids(request.user),
    )


@require_POST
@role_required(*TEAM)
def confirm(request, pk: int):
    """It's her: sign her in, from when she said she was here."""
    arrival = get_arrival_for_user(request, pk)
    site = arrival.site
    person = arrival.person or get_object_or_404(
        Person.objects.not_erased(),
        pk=parse_id(request.POST.get("person")) or 0,
        organisation_id=site.organisation_id,
    )
    visit, signed_in = arrival.confirm(person, by=request.user)
    return _after_change(
        request,
        site,
        signed_in_message(person, signed_in),
        added=[visit] if signed_in else [],
        # Signing her in and taking her off the waiting list.
        changes=2 if signed_in else 1,
    )


@require_POST
@role_required(*TEAM)
def dismiss(request, pk: int):
    """Not here, or sorted another way: take her off the waiting list."""
    arrival = get_arrival_for_user(request, pk)
    arrival.delete()
    return _after_change(request, arrival.site, gettext("Taken off the waiting list."))
