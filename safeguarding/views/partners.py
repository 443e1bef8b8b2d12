"""Partner groups: asking another group, saying yes or no, and ending it.

Safeguarding members do all of it, not coordinators: a partnership does one
thing, which is let the two groups' safeguarding members meet in joint
reflection sessions and see each other's names and the worries each chooses
to bring. Deciding to share that is a safeguarding decision, and a
coordinator without the role never sees what it shares.

No page lists the groups using Peerspace. A group is asked by the code its
own safeguarding members give out, or by its name typed exactly; asked by
name, the answer is the same whether or not such a group is here.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerspace.accounts.models import Partnership, show_partnership_code
from peerspace.permissions import (
    SAFEGUARDING,
    org_url,
    organisation_for,
    role_required,
)

from .. import services
from ..forms import ProposeForm
from .access import get_partnership_for_user


@require_http_methods(["GET", "POST"])
@role_required(SAFEGUARDING)
def partners(request):
    organisation = organisation_for(request, SAFEGUARDING)
    form = ProposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        partnership, message = Partnership.objects.propose(
            organisation,
            request.user,
            code=form.cleaned_data["code"].strip(),
            name=form.cleaned_data["name"],
        )
        if partnership is None and form.cleaned_data["code"].strip():
            form.add_error("code", message)
        else:
            messages.success(request, message)
            return redirect(org_url("safeguarding:partners", organisation))
    everything = list(
        Partnership.objects.involving(organisation.pk).select_related(
            "organisation", "partner", "proposed_by", "answered_by", "ended_by"
        )
    )
    for p in everything:
        p.other_name = p.name_for(organisation)
        p.we_asked = p.organisation_id == organisation.pk
    return render(
        request,
        "safeguarding/partners.html",
        {
            "organisation": organisation,
            "form": form,
            "code": show_partnership_code(organisation.get_partnership_code()),
            "accepted": [p for p in everything if p.is_accepted],
            "asking_us": [p for p in everything if p.is_proposed and not p.we_asked],
            "we_asked": [p for p in everything if p.is_proposed and p.we_asked],
            "earlier": [p for p in everything if p.status not in Partnership.LIVE],
        },
        status=400 if form.errors else 200,
    )


def _back(organisation):
    return redirect(org_url("safeguarding:partners", organisation))


@require_POST
@role_required(SAFEGUARDING)
def partnership_answer(request, pk: int):
    """Yes or no, from the group that was asked."""
    partnership, organisation = get_partnership_for_user(request, pk)
    if partnership.partner_id != organisation.pk:
        raise PermissionDenied  # The group that asked can't answer for them.
    name = partnership.name_for(organisation)
    if request.POST.get("accept") == "1":
        if partnership.accept(by=request.user):
            messages.success(
                request,
                _(
                    "We're partners with %(name)s: either group can now invite "
                    "the other to a reflection session."
                )
                % {"name": name},
            )
    elif partnership.decline(by=request.user):
        messages.success(request, _("We've said no to %(name)s.") % {"name": name})
    return _back(organisation)


@require_POST
@role_required(SAFEGUARDING)
def partnership_end(request, pk: int):
    """Either group ends a partnership, or the group that asked takes it back."""
    partnership, organisation = get_partnership_for_user(request, pk)
    was_accepted = partnership.is_accepted
    name = partnership.name_for(organisation)
    if services.end_partnership(partnership, request.user, organisation):
        messages.success(
            request,
            (
                _(
                    "Our partnership with %(name)s has ended. Each group keeps "
                    "its own records; nothing more is shared."
                )
                if was_accepted
                else _("We've taken back our question to %(name)s.")
            )
            % {"name": name},
        )
    return _back(organisation)


@require_POST
@role_required(SAFEGUARDING)
def partnership_code(request):
    """A new code, when the old one went somewhere it shouldn't."""
    organisation = organisation_for(request, SAFEGUARDING)
    organisation.new_partnership_code()
    messages.success(
        request, _("Here's our new partnership code. The old one no longer works.")
    )
    return _back(organisation)
