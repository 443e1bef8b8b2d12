"""Her rights: seeing everything we hold about her, and having it erased."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from peerspace.accounts.models import AuditEvent
from peerspace.pdf import pdf_response, render_pdf
from peerspace.permissions import (
    COORDINATOR,
    SAFEGUARDING,
    has_role,
    org_ids,
    role_required,
)

from ..models import Person
from ..services import CORE_SECTIONS, erase_person, subject_access


def _get_person_for_coordinator(request, pk: int) -> Person:
    return get_object_or_404(
        Person.objects.not_erased(),
        pk=pk,
        organisation_id__in=org_ids(request.user, COORDINATOR),
    )


@require_GET
@role_required(COORDINATOR)
def subject_access_export(request, pk: int, fmt: str):
    person = _get_person_for_coordinator(request, pk)
    # Safeguarding records only when a safeguarding member chooses to include them.
    include = request.GET.get("safeguarding") == "1" and has_role(
        request.user, person.organisation_id, SAFEGUARDING
    )
    data = subject_access(person, include_sensitive=include)
    AuditEvent.record(
        request,
        person.organisation,
        "subject access export",
        f"person #{person.pk} as {fmt}{' with safeguarding records' if include else ''}",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="subject-access-{person.pk}-{stamp}.json"'
        )
        return response
    # Other apps' sections (safeguarding) in full, as the JSON export has them.
    others = {
        title: {
            "note": content.get("note", "") if isinstance(content, dict) else "",
            "text": json.dumps(content, indent=2, ensure_ascii=False),
        }
        for title, content in data.items()
        if title not in CORE_SECTIONS
    }
    pdf = render_pdf(
        "attendance/pdf/subject_access.html",
        {
            "data": data,
            "others": others,
            "person": person,
            "include": include,
            "by": request.user,
        },
        request,
    )
    return pdf_response(pdf, f"subject-access-{person.pk}-{stamp}.pdf")


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def erase(request, pk: int):
    person = _get_person_for_coordinator(request, pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "erase":
            messages.error(request, "Please type the word erase to confirm.")
        else:
            erase_person(person)
            AuditEvent.record(
                request, person.organisation, "erased", f"person #{person.pk}"
            )
            messages.success(
                request,
                "Her details are erased. Her visits are still counted, without her name.",
            )
            return redirect("attendance:people")
    return render(request, "attendance/person_erase.html", {"person": person})
