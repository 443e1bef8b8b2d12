"""The access log and the organisation's safeguarding contacts."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from peerspace.fields import parse_id
from peerspace.permissions import (
    SAFEGUARDING,
    org_ids,
    org_url,
    organisation_for,
    role_required,
)

from ..forms import SettingsForm
from ..models import AccessLog, SafeguardingSettings


@require_GET
@role_required(SAFEGUARDING)
def access_log(request):
    entries = AccessLog.objects.filter(
        organisation_id__in=org_ids(request.user, SAFEGUARDING)
    ).select_related("user", "worry__person", "person", "session")
    worry_pk = parse_id(request.GET.get("worry"))
    if worry_pk:
        entries = entries.filter(worry_id=worry_pk)
    return render(
        request,
        "safeguarding/access_log.html",
        {"entries": entries[:300], "worry_pk": worry_pk},
    )


@require_http_methods(["GET", "POST"])
@role_required(SAFEGUARDING)
def settings_edit(request):
    organisation = organisation_for(request, SAFEGUARDING)
    instance = SafeguardingSettings.for_organisation(organisation)
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved. Everyone raising a worry will see these."))
        return redirect(org_url("safeguarding:settings", organisation))
    return render(
        request,
        "safeguarding/settings.html",
        {"form": form, "organisation": organisation},
    )
