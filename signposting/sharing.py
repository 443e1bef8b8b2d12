"""Sharing the directory: the public switches, Open Referral and spreadsheet
imports and exports. Coordinators only."""

import json
from urllib.parse import urlsplit

import tablib
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerspace import spreadsheets
from peerspace.accounts.models import Organisation
from peerspace.fields import parse_id
from peerspace.permissions import (
    COORDINATOR,
    org_url,
    organisation_for,
    organisations,
    role_required,
)
from peerspace.spreadsheets import read_csv, read_xlsx

from . import feeds as feed_checks
from . import hsds
from .forms import (
    DirectorySettingsForm,
    FeedForm,
    ImportForm,
    TableImportForm,
)
from .models import (
    Category,
    DirectorySettings,
    Feed,
    PendingImport,
    Service,
)
from .resources import ServiceResource


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def sharing(request):
    organisation = organisation_for(request, COORDINATOR)
    settings_ = DirectorySettings.for_organisation(organisation)
    form = DirectorySettingsForm(request.POST or None, instance=settings_)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Sharing settings saved.")
        return redirect(org_url("signposting:sharing", organisation))
    return render(
        request,
        "signposting/sharing.html",
        {
            "form": form,
            "organisation": organisation,
            "settings": settings_,
            "public_url": request.build_absolute_uri(
                reverse("signposting:public", args=[organisation.slug])
            ),
            "api_url": request.build_absolute_uri(
                reverse("signposting:api_root", args=[organisation.slug])
            ),
        },
    )


def _export_name(organisation: Organisation, ext: str) -> str:
    return f"directory-{organisation.slug}-{timezone.localdate():%Y%m%d}.{ext}"


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@role_required(COORDINATOR)
def export_hsds(request):
    organisation = organisation_for(request, COORDINATOR)
    services = hsds.export_services(
        Service.objects.filter(organisation=organisation).order_by("name", "id")
    )
    if request.GET.get("format") == "zip":
        return _attachment(
            hsds.csv_package(services),
            "application/zip",
            _export_name(organisation, "zip"),
        )
    return _attachment(
        json.dumps(services, indent=2, ensure_ascii=False),
        "application/json",
        _export_name(organisation, "json"),
    )


@require_GET
@role_required(COORDINATOR)
def export_table(request):
    organisation = organisation_for(request, COORDINATOR)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return spreadsheets.download(
        ServiceResource(organisation).export(), fmt, _export_name(organisation, fmt)
    )


def _stash(request, organisation, form, kind: str) -> PendingImport:
    PendingImport.clear_old()
    upload = form.cleaned_data["file"]
    return PendingImport.objects.create(
        organisation=organisation,
        uploaded_by=request.user,
        kind=kind,
        filename=(upload.name or "upload")[:200],
        data=upload.read(),
    )


def _pending(request, organisation, kind: str) -> PendingImport:
    return get_object_or_404(
        PendingImport,
        pk=parse_id(request.POST.get("pending")) or 0,
        organisation=organisation,
        uploaded_by=request.user,
        kind=kind,
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def import_hsds(request):
    """Upload, see what would happen, then import it all or nothing."""
    organisation = organisation_for(request, COORDINATOR)
    context = {"form": ImportForm()}
    if request.method == "POST" and "pending" in request.POST:
        pending = _pending(request, organisation, PendingImport.HSDS)
        try:
            plan = hsds.plan_import(
                organisation, hsds.read_bytes(bytes(pending.data), pending.filename)
            )
        except hsds.ImportFileError as e:
            plan, context["file_error"] = None, str(e)
        if plan and plan.ok:
            hsds.apply_import(plan)
            pending.delete()
            messages.success(
                request,
                f"Imported: {len(plan.added)} added, {len(plan.changed)} updated, "
                f"{len(plan.skipped)} unchanged.",
            )
            return redirect("signposting:directory")
        context["plan"] = plan
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                records = hsds.read_upload(form.cleaned_data["file"])
                context["plan"] = hsds.plan_import(organisation, records)
            except hsds.ImportFileError as e:
                context["file_error"] = str(e)
            else:
                if context["plan"].ok:
                    form.cleaned_data["file"].seek(0)
                    context["pending"] = _stash(
                        request, organisation, form, PendingImport.HSDS
                    )
    plan = context.get("plan")
    failed = (
        context.get("file_error")
        or (plan is not None and not plan.ok)
        or context["form"].errors
    )
    return render(
        request, "signposting/import.html", context, status=400 if failed else 200
    )


def _table_dataset(data: bytes, filename: str) -> tablib.Dataset:
    """The spreadsheet as rows, read with the people import's reader and limits
    (rows, unzipped size, runs of empty rows), so a huge file is refused at once."""
    reader = read_xlsx if filename.lower().endswith(".xlsx") else read_csv
    try:
        return spreadsheets.read_back(reader(data).dataset)
    except ValidationError as e:
        raise hsds.ImportFileError(" ".join(e.messages)) from None


def _table_errors(result) -> list[str]:
    errors = [f"Row {n}: {e.error}" for n, errs in result.row_errors() for e in errs]
    for invalid in result.invalid_rows:
        for field_name, msgs in invalid.error_dict.items():
            errors += [f"Row {invalid.number}: {field_name}: {m}" for m in msgs]
    return errors


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def import_table(request):
    organisation = organisation_for(request, COORDINATOR)
    context = {"form": TableImportForm()}
    status = 200
    if request.method == "POST":
        if "pending" in request.POST:
            pending = _pending(request, organisation, PendingImport.TABLE)
            data, filename = bytes(pending.data), pending.filename
        else:
            form = TableImportForm(request.POST, request.FILES)
            context["form"] = form
            if not form.is_valid():
                return render(
                    request, "signposting/import_table.html", context, status=400
                )
            pending = None
            data = form.cleaned_data["file"].read()
            filename = form.cleaned_data["file"].name
        try:
            dataset = _table_dataset(data, filename)
        except hsds.ImportFileError as e:
            context["file_error"] = str(e)
            return render(request, "signposting/import_table.html", context, status=400)
        Category.objects.seed(organisation)
        result = ServiceResource(organisation).import_data(
            dataset, dry_run=pending is None, raise_errors=False
        )
        errors = _table_errors(result)
        if errors:
            context["errors"] = errors
            status = 400
        elif pending is not None:
            pending.delete()
            totals = result.totals
            messages.success(
                request,
                f"Imported: {totals['new']} added, {totals['update']} updated, "
                f"{totals['skip']} unchanged.",
            )
            return redirect("signposting:directory")
        else:
            context["totals"] = result.totals
            context["pending"] = PendingImport.objects.create(
                organisation=organisation,
                uploaded_by=request.user,
                kind=PendingImport.TABLE,
                filename=filename[:200],
                data=data,
            )
    return render(request, "signposting/import_table.html", context, status=status)


# --- Following another directory's feed ----------------------------------------------


def _get_feed_for_user(request, pk: int) -> Feed:
    return get_object_or_404(
        Feed.objects.select_related("organisation"),
        pk=pk,
        organisation__in=organisations(request.user, COORDINATOR),
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def feeds(request):
    organisation = organisation_for(request, COORDINATOR)
    form = FeedForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        feed = form.save(commit=False)
        feed.organisation, feed.added_by = organisation, request.user
        feed.name = feed.name or (urlsplit(feed.url).hostname or "")[:200]
        feed.save()
        _check(request, feed)
        return redirect("signposting:feed", feed.pk)
    return render(
        request,
        "signposting/feeds.html",
        {"form": form, "feeds": Feed.objects.filter(organisation=organisation)},
        status=400 if form.errors else 200,
    )


def _check(request, feed: Feed) -> None:
    try:
        feed_checks.check(feed, wait_limit=feed_checks.WAIT_LIMIT_SECONDS)
    except hsds.ImportFileError as e:
        messages.error(request, f"We couldn't read {feed}: {e}")


@require_GET
@role_required(COORDINATOR)
def feed(request, pk: int):
    feed = _get_feed_for_user(request, pk)
    return render(
        request,
        "signposting/feed.html",
        {
            "feed": feed,
            "plan": feed_checks.waiting(feed),
            "followed": feed.services.count(),
            "missing": feed.services.filter(missing_from_feed__isnull=False),
        },
    )


@require_POST
@role_required(COORDINATOR)
def feed_action(request, pk: int):
    feed = _get_feed_for_user(request, pk)
    action = request.POST.get("action")
    if action == "check":
        _check(request, feed)
    elif action == "accept":
        plan = feed_checks.accept(feed)
        if plan is not None and plan.ok:
            messages.success(
                request,
                f"Accepted: {len(plan.added)} added, {len(plan.changed)} updated, "
                f"{len(plan.vanished)} flagged as no longer listed.",
            )
    elif action == "stop":
        name = str(feed)
        feed.delete()
        messages.success(
            request, f"Stopped following {name}. Its services are still here."
        )
        return redirect(org_url("signposting:feeds", feed.organisation))
    return redirect("signposting:feed", feed.pk)
