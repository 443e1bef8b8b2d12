"""Social value for coordinators: the framework (lines, levels and rates with
their history), one screen per month, the spreadsheet in and out; and the quick
tally anyone on the team can log from the door or a phone.
"""

import datetime as dt
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance.views.transfer import ImportForm, _keep, _preview, _take
from peerspace import spreadsheets
from peerspace.fields import parse_id
from peerspace.permissions import (
    COORDINATOR,
    TEAM,
    org_url,
    organisation_for,
    role_required,
)

from . import value
from .forms import LevelFormSet, MonthForm, TallyForm, ValueLineForm, rate_formset
from .models import Income, Tally, ValueLine
from .periods import add_months, fy_start
from .resources import VALUE_COLUMNS, SocialValueResource

IMPORT_KIND = "social_value"
# How far back the year picker goes for a group with no data yet.
YEARS_BACK = 5


def _get_line_for_user(request: HttpRequest, pk: int) -> ValueLine:
    return get_object_or_404(
        ValueLine.objects.for_user(request.user).select_related("organisation"),
        pk=pk,
    )


def _page(org, **params) -> str:
    """The social value page for this organisation (and a year)."""
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    return org_url("reports:social_value", org) + extra


def _month_url(org, month: dt.date) -> str:
    return org_url("reports:value_month", org, month.year, month.month)


@require_GET
@role_required(COORDINATOR)
def social_value(request):
    org = organisation_for(request, COORDINATOR)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    framework = value.build(org, [this_month])
    found = value.data_months(org)
    first_fy = fy_start(found[0]) if found else fy_start(today)
    current_fy = fy_start(today)
    year = parse_id(request.GET.get("year"))
    start = dt.date(year, 4, 1) if year and 1990 <= year <= today.year else current_fy
    months = [add_months(start, n) for n in range(12)]
    entered = set(
        Tally.objects.filter(
            line__organisation=org, month__gte=months[0], month__lte=months[-1]
        ).values_list("month", flat=True)
    ) | set(
        Income.objects.filter(
            organisation=org, month__gte=months[0], month__lte=months[-1]
        ).values_list("month", flat=True)
    )
    earliest = min(first_fy.year, current_fy.year - YEARS_BACK)
    return render(
        request,
        "reports/social_value.html",
        {
            "org": org,
            "lines": [
                {"line": line, "rows": [r for r in framework.rows if r.line == line]}
                for line in framework.lines
            ],
            "warnings": framework.overlaps(),
            "start": start,
            "months": [
                {
                    "month": m,
                    "url": _month_url(org, m),
                    "entered": m in entered,
                    "future": m > this_month,
                }
                for m in months
            ],
            "years": list(range(current_fy.year, earliest - 1, -1)),
            "import_form": ImportForm(prefix="framework"),
            "columns": VALUE_COLUMNS,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def line_edit(request, pk: int | None = None):
    if pk is None:
        line, org = None, organisation_for(request, COORDINATOR)
    else:
        line = _get_line_for_user(request, pk)
        org = line.organisation
    form = ValueLineForm(request.POST or None, instance=line, organisation=org)
    levels = LevelFormSet(request.POST or None, instance=line, prefix="levels")
    if request.method == "POST" and form.is_valid() and levels.is_valid():
        kept = [
            f
            for f in levels.forms
            if f.cleaned_data.get("name") and not f.cleaned_data.get("DELETE")
        ]
        if kept and form.cleaned_data["source"] != "typed":
            form.add_error(
                "source", _("Only lines typed in each month can have levels.")
            )
        else:
            with transaction.atomic():
                if line is None:
                    form.instance.position = org.value_lines.count()
                line = form.save()
                levels.instance = line
                for obj in levels.save(commit=False):
                    obj.save()
                for obj in levels.deleted_objects:
                    obj.delete()
                for position, level in enumerate(line.levels.order_by("id")):
                    if level.position != position:
                        level.position = position
                        level.save(update_fields=["position"])
            messages.success(request, _("Saved “%(name)s”.") % {"name": line.name})
            if not line.rates.exists():
                return redirect(reverse("reports:value_rates", args=[line.pk]))
            return redirect(_page(org))
    return render(
        request,
        "reports/value_line_form.html",
        {"form": form, "levels": levels, "line": line, "org": org},
    )


@require_POST
@role_required(COORDINATOR)
def line_delete(request, pk: int):
    line = _get_line_for_user(request, pk)
    if line.tallies.exists():
        messages.error(
            request,
            f"“{line.name}” has counts typed in, so past reports use it. It stays; "
            "to stop valuing it, end its rate.",
        )
    else:
        line.delete()
        messages.success(request, _("Removed “%(name)s”.") % {"name": line.name})
    return redirect(_page(line.organisation))


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def rates(request, pk: int):
    line = _get_line_for_user(request, pk)
    rated = set(line.rates.values_list("level_id", flat=True))
    # A blank rate for each level that has none yet, so a new line's rates
    # are one page, not one page a level.
    missing = [lv for lv in line.levels.all() if lv.pk not in rated]
    formset = rate_formset(len(missing))(
        request.POST or None,
        queryset=line.rates.select_related("level"),
        form_kwargs={"line": line},
        initial=[{"level": lv.pk} for lv in missing],
        prefix="rates",
    )
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            for obj in formset.save(commit=False):
                obj.line = line
                obj.save()
            for obj in formset.deleted_objects:
                obj.delete()
        messages.success(
            request, _("Saved the rates for “%(name)s”.") % {"name": line.name}
        )
        return redirect(_page(line.organisation))
    return render(
        request,
        "reports/value_rates.html",
        {"line": line, "formset": formset, "org": line.organisation},
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def month(request, year: int, month: int):
    org = organisation_for(request, COORDINATOR)
    try:
        this = dt.date(year, month, 1)
    except ValueError:
        raise Http404 from None
    if not 1990 <= year <= timezone.localdate().year + 1:
        raise Http404
    last = add_months(this, -1)
    framework = value.build(org, [last, this])
    copy = request.method == "GET" and request.GET.get("copy") == "1"
    form = MonthForm(request.POST or None, framework=framework, month=this, copy=copy)
    if request.method == "POST" and form.is_valid():
        form.save(request.user)
        messages.success(
            request, _("Saved %(month)s.") % {"month": date_format(this, "F Y")}
        )
        return redirect(_month_url(org, this))
    tallies = Tally.objects.quick().filter(line__organisation=org, month=this)
    return render(
        request,
        "reports/value_month.html",
        {
            "org": org,
            "month": this,
            "last": last,
            "next": add_months(this, 1),
            "form": form,
            "copied": copy,
            "records": [r for r in framework.rows if not r.line.is_typed],
            "tallies": tallies.select_related("line", "level").order_by("date", "id"),
            "previous_url": _month_url(org, last),
            "next_url": _month_url(org, add_months(this, 1)),
            "copy_url": _month_url(org, this) + "&copy=1",
            "year_url": _page(org, year=fy_start(this).year),
        },
    )


@require_GET
@role_required(COORDINATOR)
def export(request, fmt: str):
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    org = organisation_for(request, COORDINATOR)
    dataset = SocialValueResource(organisation=org).export()
    filename = f"social-value-{org.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return spreadsheets.download(dataset, fmt, filename)


def _render_import(request, org, resource, upload, sheet, preview, token=None):
    if not preview["problems"]:
        for i, row in enumerate(preview["rows"], start=1):
            row["label"] = resource.labels.get(i, row["label"])
    return render(
        request,
        "reports/value_import.html",
        {
            "org": org,
            "upload": upload,
            "sheet": sheet,
            "preview": preview,
            "ignored": resource.ignored_columns,
            "token": token,
            "confirm_url": reverse("reports:value_import"),
            "page_url": _page(org) + "#spreadsheet",
        },
        status=200 if token or not preview["problems"] else 400,
    )


def import_all_or_nothing(resource, sheet, dry_run: bool = False) -> dict:
    """Import every row in one transaction, or (if any row has a problem, or
    this is a dry run) none of them; what each row did, for the preview."""
    with transaction.atomic():
        result = resource.import_data(
            sheet.dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        preview = _preview(resource, sheet, result)
        if preview["problems"]:
            transaction.set_rollback(True)
    return preview


@require_POST
@role_required(COORDINATOR)
def import_file(request):
    """Check the upload in a dry run and show what each row would do; confirming
    runs it again for real, all or nothing."""
    org = organisation_for(request, COORDINATOR)
    if "token" in request.POST:
        return _confirm(request, org)
    form = ImportForm(request.POST, request.FILES, prefix="framework")
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect(_page(org))
    upload, sheet = form.cleaned_data["file"], form.sheet
    resource = SocialValueResource(organisation=org, user=request.user)
    try:
        resource.prepare(sheet.dataset)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect(_page(org))
    preview = import_all_or_nothing(resource, sheet, dry_run=True)
    token = None
    if not preview["problems"]:
        token = secrets.token_urlsafe(24)
        _keep(request, token, IMPORT_KIND, org, upload)
    return _render_import(request, org, resource, upload, sheet, preview, token)


def _confirm(request, org) -> HttpResponse:
    upload = _take(request, IMPORT_KIND, org, request.POST.get("token", ""))
    if upload is None:
        messages.error(
            request,
            _(
                "That file has already been imported, or the check has expired. "
                "Please upload it again."
            ),
        )
        return redirect(_page(org))
    resource = SocialValueResource(organisation=org, user=request.user)
    sheet = upload.read()
    resource.prepare(sheet.dataset)
    preview = import_all_or_nothing(resource, sheet)
    if preview["problems"]:
        return _render_import(request, org, resource, upload, sheet, preview)
    messages.success(
        request,
        ngettext("Imported %(n)s row.", "Imported %(n)s rows.", preview["total"])
        % {"n": preview["total"]},
    )
    return redirect(_page(org))


@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def tally(request):
    """ "+1" as it happens: crisis support given, a phone call. Never a name."""
    lines = list(ValueLine.objects.for_tallies(request.user).prefetch_related("levels"))
    posted = parse_id(request.POST.get("line")) if request.method == "POST" else None
    forms_ = []
    for line in lines:
        form = TallyForm(
            request.POST if line.pk == posted else None,
            line=line,
        )
        if line.pk == posted and form.is_valid():
            tally = form.save(commit=False)
            tally.recorded_by = request.user
            tally.save()
            logged = {
                "count": f"{tally.count.normalize():f}",
                "line": line.name,
                "day": date_format(tally.date, "j F"),
                "minutes": tally.minutes,
            }
            if tally.minutes:
                said = ngettext(
                    "Logged %(count)s × %(line)s, %(minutes)s minute, %(day)s.",
                    "Logged %(count)s × %(line)s, %(minutes)s minutes, %(day)s.",
                    tally.minutes,
                )
            else:
                said = _("Logged %(count)s × %(line)s, %(day)s.")
            messages.success(request, said % logged)
            return redirect("reports:tally")
        forms_.append((line, form))
    if posted and posted not in {line.pk for line in lines}:
        raise Http404
    today = timezone.localdate()
    mine = (
        Tally.objects.quick()
        .filter(recorded_by=request.user, created__date=today, line__in=lines)
        .select_related("line", "level")
        .order_by("-created")
    )
    return render(
        request,
        "reports/tally.html",
        {"forms": forms_, "mine": mine},
        status=400 if posted and request.method == "POST" else 200,
    )


@require_POST
@role_required(*TEAM)
def tally_undo(request, pk: int):
    """Take back a tally logged by mistake, the same day, by whoever logged it."""
    found = get_object_or_404(
        Tally.objects.quick().filter(
            recorded_by=request.user,
            created__date=timezone.localdate(),
            line__in=ValueLine.objects.for_tallies(request.user),
        ),
        pk=pk,
    )
    found.delete()
    messages.success(
        request, _("Took back one %(line)s tally.") % {"line": found.line.name}
    )
    return redirect("reports:tally")
