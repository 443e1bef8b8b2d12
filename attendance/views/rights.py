"""Her rights: seeing everything we hold about her, and having it erased."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from peerspace import i18n
from peerspace.accounts.models import AuditEvent, is_main_language
from peerspace.pdf import pdf_response, render_pdf
from peerspace.permissions import (
    COORDINATOR,
    SAFEGUARDING,
    has_role,
    org_ids,
    role_required,
)

from ..models import Person
from ..services import CORE_SECTIONS, PERSON_FIELDS, erase_person, subject_access


def _get_person_for_coordinator(request, pk: int) -> Person:
    return get_object_or_404(
        Person.objects.not_erased(),
        pk=pk,
        organisation_id__in=org_ids(request.user, COORDINATOR),
    )


def _export_language(request) -> str:
    """The language she asked for her copy in (?language=), else English."""
    code = request.GET.get("language", "")
    if code in dict(i18n.choosable_languages()):
        return code
    return settings.LANGUAGE_CODE


def _her_details(person: Person, data: dict) -> list[tuple[str, object]]:
    """(label, value) for each detail in the export, labels in the language
    being written: the PDF shows her the form's own words, not field names."""
    rows = []
    for name in PERSON_FIELDS:
        field = Person._meta.get_field(name)
        value = data["person"][name]
        if field.choices:
            value = getattr(person, f"get_{name}_display")()
        elif name == "data_use_language":
            value = i18n.language_name(value) if value else ""
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif isinstance(value, str) and name in ("data_use_agreed_at", "created"):
            value = parse_datetime(value)
        rows.append((field.verbose_name, value))
    return rows


@require_GET
@role_required(COORDINATOR)
def subject_access_export(request, pk: int, fmt: str):
    person = _get_person_for_coordinator(request, pk)
    # Safeguarding records only when a safeguarding member chooses to include them.
    include = request.GET.get("safeguarding") == "1" and has_role(
        request.user, person.organisation_id, SAFEGUARDING
    )
    language = _export_language(request)
    data = subject_access(person, include_sensitive=include, language=language)
    AuditEvent.record(
        request,
        person.organisation,
        "subject access export",
        f"person #{person.pk} as {fmt}"
        f"{' with safeguarding records' if include else ''}"
        f"{'' if is_main_language(language) else f' in {language}'}",
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
    with translation.override(language):
        pdf = render_pdf(
            "attendance/pdf/subject_access.html",
            {
                "data": data,
                "details": _her_details(person, data),
                "generated": parse_datetime(data["generated"]),
                "others": others,
                "person": person,
                "include": include,
                "by": request.user,
                "statement_in_english": data["data_use_statement_current_language"]
                != language
                and not is_main_language(language),
            },
            request,
        )
    return pdf_response(pdf, f"subject-access-{person.pk}-{stamp}.pdf")


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def erase(request, pk: int):
    person = _get_person_for_coordinator(request, pk)
    # The word to type, in the page's language; the English one always works.
    word = translation.pgettext(
        "the word typed to confirm erasing her details", "erase"
    )
    if request.method == "POST":
        if request.POST.get("confirm") not in {word, "erase"}:
            messages.error(
                request,
                _("Please type the word %(word)s to confirm.") % {"word": word},
            )
        else:
            erase_person(person)
            AuditEvent.record(
                request, person.organisation, "erased", f"person #{person.pk}"
            )
            messages.success(
                request,
                _(
                    "Her details are erased. Her visits are still counted, "
                    "without her name."
                ),
            )
            return redirect("attendance:people")
    return render(
        request,
        "attendance/person_erase.html",
        {"person": person, "confirm_word": word},
    )
