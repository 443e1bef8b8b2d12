"""Import and export of people and visits, for moving off a spreadsheet.

Coordinators only, one organisation at a time. An upload is first checked in a
dry run that shows what each row would do (new, update, no change or a
problem). "Confirm import" runs it again for real in one transaction; if any
row has a problem then, all of it is rolled back, so nothing is half-imported.
Between the two steps the file waits in the session, encrypted (it's personal
data), under a random token that the confirm form sends back.
"""

import base64
import logging
import secrets
import zlib
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from peerspace import spreadsheets
from peerspace.accounts.models import AuditEvent, Organisation
from peerspace.crypto import decrypt, encrypt
from peerspace.permissions import (
    COORDINATOR,
    org_url,
    organisation_for,
    organisations,
    role_required,
)
from peerspace.spreadsheets import Sheet, read_csv, read_xlsx

from ..resources import (
    PERSON_COLUMNS,
    VISIT_COLUMNS,
    PersonResource,
    VisitResource,
)

logger = logging.getLogger(__name__)

RESOURCES = {"people": PersonResource, "visits": VisitResource}
PREVIEW_LIMIT = 500
PENDING_KEY = "pending_import"


@dataclass
class Upload:
    name: str
    fmt: str
    content: bytes

    def read(self) -> Sheet:
        return read_csv(self.content) if self.fmt == "csv" else read_xlsx(self.content)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet file"),
        help_text=gettext_lazy(
            "A CSV (.csv) or Excel (.xlsx) file. The first row must be the column "
            "headings. Nothing is saved until you've checked it and confirmed."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd."
                "openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self) -> Upload:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _(
                    "That file is %(size)s, and the most we can take is %(most)s. "
                    "Please split it into smaller files and import them one at a "
                    "time."
                )
                % {
                    "size": filesizeformat(upload.size),
                    "most": filesizeformat(settings.IMPORT_MAX_BYTES),
                }
            )
        fmt = PurePath(upload.name).suffix.lower().lstrip(".")
        if fmt not in spreadsheets.FORMATS:
            raise ValidationError(
                _(
                    "Please choose a CSV (.csv) or Excel (.xlsx) file. From your "
                    "spreadsheet program, use “Save as” or “Download” and pick one "
                    "of those."
                )
            )
        content = upload.read(settings.IMPORT_MAX_BYTES + 1)
        result = Upload(PurePath(upload.name).name[:100], fmt, content)
        self.sheet = result.read()
        return result


def _page_url(organisation: Organisation) -> str:
    return org_url("attendance:import_export", organisation)


def _render_page(request, organisation, forms_: dict | None = None):
    forms_ = forms_ or {}
    return render(
        request,
        "attendance/import_export.html",
        {
            "organisation": organisation,
            "organisations": organisations(request.user, COORDINATOR),
            "people_form": forms_.get("people") or ImportForm(prefix="people"),
            "visits_form": forms_.get("visits") or ImportForm(prefix="visits"),
            "person_columns": PERSON_COLUMNS,
            "visit_columns": VISIT_COLUMNS,
            "max_bytes": settings.IMPORT_MAX_BYTES,
        },
    )


@require_GET
@role_required(COORDINATOR)
def import_export(request):
    organisation = organisation_for(request, COORDINATOR)
    return _render_page(request, organisation)


def _export(request, kind: str, fmt: str) -> HttpResponse:
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    organisation = organisation_for(request, COORDINATOR)
    dataset = RESOURCES[kind](organisation=organisation).export()
    AuditEvent.record(request, organisation, f"{kind} export", f"as {fmt}")
    filename = f"{kind}-{organisation.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return spreadsheets.download(dataset, fmt, filename)


@require_GET
@role_required(COORDINATOR)
def export_people(request, fmt: str):
    return _export(request, "people", fmt)


@require_GET
@role_required(COORDINATOR)
def export_visits(request, fmt: str):
    return _export(request, "visits", fmt)


@require_POST
@role_required(COORDINATOR)
def import_people(request):
    return _import(request, "people")


@require_POST
@role_required(COORDINATOR)
def import_visits(request):
    return _import(request, "visits")


def _import(request, kind: str) -> HttpResponse:
    organisation = organisation_for(request, COORDINATOR)
    if "token" in request.POST:
        return _confirm(request, kind, organisation)
    form = ImportForm(request.POST, request.FILES, prefix=kind)
    if not form.is_valid():
        return _render_page(request, organisation, {kind: form})
    upload, sheet = form.cleaned_data["file"], form.sheet
    token = secrets.token_urlsafe(24)
    resource = RESOURCES[kind](
        organisation=organisation, user=request.user, batch=token
    )
    try:
        resource.prepare(sheet.dataset)
    except ValidationError as e:
        form.add_error("file", e)
        return _render_page(request, organisation, {kind: form})
    result = resource.import_data(sheet.dataset, dry_run=True, use_transactions=True)
    preview = _preview(resource, sheet, result)
    if preview["problems"]:
        token = None
    else:
        _keep(request, token, kind, organisation, upload)
    return _render_preview(request, resource, upload, sheet, preview, token)


def _confirm(request, kind: str, organisation) -> HttpResponse:
    token = request.POST.get("token", "")
    upload = _take(request, kind, organisation, token)
    if upload is None:
        messages.error(
            request,
            _(
                "That file has already been imported, or the check has expired. "
                "Please upload it again."
            ),
        )
        return redirect(_page_url(organisation))
    resource = RESOURCES[kind](
        organisation=organisation, user=request.user, batch=token
    )
    try:
        sheet = upload.read()
        resource.prepare(sheet.dataset)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect(_page_url(organisation))
    with transaction.atomic():
        result = resource.import_data(
            sheet.dataset,
            dry_run=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        preview = _preview(resource, sheet, result)
        if preview["problems"]:
            # Something changed since the check: keep none of it.
            transaction.set_rollback(True)
    if preview["problems"]:
        return _render_preview(request, resource, upload, sheet, preview)
    messages.success(request, _done_message(kind, preview["totals"]))
    return redirect(_page_url(organisation))


def _done_message(kind: str, totals: dict) -> str:
    new, update, skip = totals["new"], totals["update"], totals["skip"]
    if kind == "people":
        parts = [
            ngettext("%(n)s new person", "%(n)s new people", new) % {"n": new},
            ngettext("%(n)s updated", "%(n)s updated", update) % {"n": update},
        ]
    else:
        parts = [ngettext("%(n)s visit added", "%(n)s visits added", new) % {"n": new}]
    if skip:
        parts.append(ngettext("%(n)s skipped", "%(n)s skipped", skip) % {"n": skip})
    return _("Imported: %(what)s.") % {"what": ", ".join(parts)}


STATUS = {
    "new": (gettext_lazy("New"), "text-bg-success"),
    "update": (gettext_lazy("Update"), "text-bg-primary"),
    "skip": (gettext_lazy("Skip"), "text-bg-secondary"),
    "invalid": (gettext_lazy("Problem"), "text-bg-danger"),
    "error": (gettext_lazy("Problem"), "text-bg-danger"),
}


def _preview(resource, sheet: Sheet, result) -> dict:
    """What each row did (or would do), with the spreadsheet's row numbers."""
    rows = []
    for i, (row_result, values) in enumerate(
        zip(result.rows, sheet.dataset.dict, strict=True), start=1
    ):
        kind = row_result.import_type
        problems = []
        if row_result.validation_error is not None:
            problems = _messages(row_result.validation_error)
        elif row_result.errors:
            problems = [_error_message(e.error) for e in row_result.errors]
        label, badge = STATUS.get(kind, STATUS["error"])
        rows.append(
            {
                "number": sheet.lines[i - 1],
                "kind": kind,
                "label": label,
                "badge": badge,
                "who": resource.describe(values),
                "problems": problems,
                "note": resource.notes.get(i, ""),
            }
        )
    base_problems = []
    for error in result.base_errors:
        logger.error("Import failed", exc_info=error.error)
        base_problems.append(_("Something went wrong checking this file."))
    bad = [r for r in rows if r["problems"]]
    totals = {k: sum(1 for r in rows if r["kind"] == k) for k in ("new", "update")}
    totals["skip"] = sum(1 for r in rows if r["kind"] == "skip")
    return {
        "rows": bad if bad else rows[:PREVIEW_LIMIT],
        "more": 0 if bad else max(0, len(rows) - PREVIEW_LIMIT),
        "problems": len(bad) + len(base_problems),
        "bad_rows": len(bad),
        "base_problems": base_problems,
        "totals": totals,
        "total": len(rows),
    }


def _error_message(error: Exception) -> str:
    if isinstance(error, IntegrityError):
        return _(
            "This row has just been saved by someone else, perhaps from the same "
            "file in another tab or window."
        )
    logger.error("Import row failed", exc_info=error)
    return _("We couldn't save this row because of an unexpected problem.")


def _messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [
        message if column == NON_FIELD_ERRORS else f"{column}: {message}"
        for column, found in error.message_dict.items()
        for message in found
    ]


def _render_preview(
    request, resource, upload, sheet, preview, token=None
) -> HttpResponse:
    kind = "people" if isinstance(resource, PersonResource) else "visits"
    organisation = resource.organisation
    return render(
        request,
        "attendance/import_export_preview.html",
        {
            "kind": kind,
            "organisation": organisation,
            "upload": upload,
            "sheet": sheet,
            "preview": preview,
            "ignored": resource.ignored_columns,
            "token": token,
            "confirm_url": reverse(f"attendance:import_{kind}"),
            "page_url": _page_url(organisation),
        },
    )


def _keep(request, token: str, kind: str, organisation, upload: Upload) -> None:
    """Hold the checked file in the session until it's confirmed; one at a time."""
    packed = base64.b64encode(zlib.compress(upload.content)).decode()
    request.session[PENDING_KEY] = {
        "token": token,
        "kind": kind,
        "organisation": organisation.pk,
        "name": upload.name,
        "fmt": upload.fmt,
        "data": encrypt(packed),
    }


def _take(request, kind: str, organisation, token: str) -> Upload | None:
    pending = request.session.get(PENDING_KEY)
    if (
        not pending
        or not token
        or not secrets.compare_digest(pending["token"].encode(), token.encode())
        or pending["kind"] != kind
        or pending["organisation"] != organisation.pk
    ):
        return None
    del request.session[PENDING_KEY]
    content = zlib.decompress(base64.b64decode(decrypt(pending["data"])))
    return Upload(pending["name"], pending["fmt"], content)
