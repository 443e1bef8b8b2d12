"""Funder reports for coordinators: saved templates, preview, PDF, CSV and XLSX.

A report is a link: the period, the sites and the saved template are in the
query string, so "last quarter for the Lottery" can be bookmarked, and the PDF
and every table's download are the same link with a different ending.
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerspace import spreadsheets
from peerspace.accounts.models import AuditEvent, Organisation
from peerspace.fields import parse_id
from peerspace.pdf import pdf_response, render_pdf
from peerspace.permissions import (
    COORDINATOR,
    ORG_PARAM,
    org_url,
    organisation_for,
    organisations,
    role_required,
)

from .figures import Options, Report, build_report
from .forms import BuildForm, LogoForm, ReportTemplateForm, StoryForm
from .models import SECTION_KEYS, ReportSettings, ReportTemplate, Story
from .periods import PRESET_LABELS, Period

ONE_CLICK = ["last_quarter", "this_quarter", "last_fy", "this_fy"]


def _get_template_for_user(request: HttpRequest, pk: int) -> ReportTemplate:
    return get_object_or_404(
        ReportTemplate.objects.for_user(request.user).select_related("organisation"),
        pk=pk,
    )


def _get_story_for_user(request: HttpRequest, pk: int) -> Story:
    return get_object_or_404(Story.objects.for_user(request.user), pk=pk)


def _report_link(template: ReportTemplate | None, **params) -> str:
    query = QueryDict(mutable=True)
    if template:
        query["template"] = template.pk
        query[ORG_PARAM] = template.organisation_id
    for key, value in params.items():
        query[key] = value
    return reverse("reports:view") + "?" + query.urlencode()


@require_GET
@role_required(COORDINATOR)
def index(request):
    org = organisation_for(request, COORDINATOR)
    templates = list(ReportTemplate.objects.filter(organisation=org))
    for template in templates:
        template.links = [
            (PRESET_LABELS[name], _report_link(template, period=name))
            for name in ONE_CLICK
        ]
    form = BuildForm(
        organisation=org, initial={"period": "last_quarter", "sections": SECTION_KEYS}
    )
    return render(
        request,
        "reports/index.html",
        {
            "org": org,
            "organisations": organisations(request.user, COORDINATOR),
            "templates": templates,
            "form": form,
            "stories": Story.objects.filter(organisation=org).count(),
        },
    )


def _options(form: BuildForm) -> Options:
    data = form.cleaned_data
    sites, all_sites = form.chosen_sites()
    template = data.get("template")
    options = Options(
        organisation=form.organisation,
        period=data["range"],
        sites=sites,
        all_sites=all_sites,
        sections=None,
    )
    if template:
        options.use_template(template)
    else:
        chosen = set(data["sections"])
        options.sections = [key for key in SECTION_KEYS if key in chosen]
        options.title = _("Our work")
    return options


def _build(request) -> tuple[BuildForm, Report | None]:
    template_id = parse_id(request.GET.get("template"))
    if template_id:
        # Someone else's saved report is a 404, not a form error.
        org = _get_template_for_user(request, template_id).organisation
    else:
        org = organisation_for(request, COORDINATOR)
    form = BuildForm(request.GET, organisation=org)
    if not form.is_valid():
        return form, None
    return form, build_report(_options(form))


def _invalid(request, form: BuildForm) -> HttpResponse:
    org = form.organisation
    return render(
        request,
        "reports/index.html",
        {
            "org": org,
            "organisations": organisations(request.user, COORDINATOR),
            "templates": ReportTemplate.objects.filter(organisation=org),
            "form": form,
        },
        status=400,
    )


def _shift_link(request, report: Report, direction: int) -> str:
    period = report.options.period.shifted(direction)
    query = request.GET.copy()
    query["period"] = "custom"
    query["start"] = period.start.isoformat()
    query["end"] = period.end.isoformat()
    return reverse("reports:view") + "?" + query.urlencode()


def _context(request, report: Report) -> dict:
    query = request.GET.urlencode()
    return {
        "report": report,
        "for_pdf": False,
        "query": query,
        "back_url": reverse("reports:index"),
        "pdf_url": reverse("reports:pdf") + "?" + query,
        "tables_url": reverse("reports:view") + "table/",
        "workbook_url": reverse("reports:tables", args=["xlsx"]) + "?" + query,
        "csv_zip_url": reverse("reports:tables", args=["zip"]) + "?" + query,
        "previous_url": _shift_link(request, report, -1),
        "previous_label": _("Period before"),
        "next_url": _shift_link(request, report, 1),
        "next_label": _("Period after"),
    }


@require_GET
@role_required(COORDINATOR)
def view(request):
    form, report = _build(request)
    if report is None:
        return _invalid(request, form)
    return render(request, "reports/pdf/report.html", _context(request, report))


def _filename(report: Report, ending: str) -> str:
    p = report.options.period
    return f"{report.options.organisation.slug}-report-{p.start}-to-{p.end}.{ending}"


def _record_download(request, report: Report, what: str) -> None:
    """Who took a copy of which report, like every other download."""
    p = report.options.period
    AuditEvent.record(
        request,
        report.options.organisation,
        "report download",
        f"{what}, {p.start} to {p.end}",
    )


@require_GET
@role_required(COORDINATOR)
def pdf(request):
    form, report = _build(request)
    if report is None:
        return _invalid(request, form)
    response = pdf_response(report_pdf_bytes(report), _filename(report, "pdf"))
    _record_download(request, report, "PDF")
    return response


@require_GET
@role_required(COORDINATOR)
def table(request, key: str, fmt: str):
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    form, report = _build(request)
    if report is None:
        return _invalid(request, form)
    found = report.tables().get(key)
    if found is None:
        raise Http404
    response = spreadsheets.download(
        found.dataset(), fmt, _filename(report, f"{key}.{fmt}")
    )
    _record_download(request, report, f"table {key} as {fmt}")
    return response


@require_GET
@role_required(COORDINATOR)
def all_tables(request, fmt: str):
    """Every table at once: a workbook with a sheet each, or a zip of CSVs."""
    if fmt not in spreadsheets.BUNDLES:
        raise Http404
    form, report = _build(request)
    if report is None:
        return _invalid(request, form)
    named = [(key, table.dataset()) for key, table in report.tables().items()]
    response = spreadsheets.attachment(
        spreadsheets.bundle(named, fmt),
        spreadsheets.BUNDLES[fmt],
        _filename(report, f"tables.{fmt}"),
    )
    _record_download(request, report, f"all tables as {fmt}")
    return response


def command_options(
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    template: ReportTemplate | None = None,
    sections: list[str] | None = None,
) -> Options:
    """What `manage.py funder_report` builds: every active site, from a saved
    report or from a list of sections."""
    options = Options(
        organisation=organisation,
        period=Period(start, end),
        sites=list(organisation.sites.filter(is_active=True)),
        all_sites=True,
        sections=[key for key in SECTION_KEYS if key in (sections or [])],
        title=_("Our work"),
    )
    if template:
        options.use_template(template)
    return options


def report_pdf_bytes(report: Report) -> bytes:
    return render_pdf("reports/pdf/report.html", {"report": report})


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def template_edit(request, pk: int | None = None):
    if pk is None:
        template, org = None, organisation_for(request, COORDINATOR)
    else:
        template = _get_template_for_user(request, pk)
        org = template.organisation
    form = ReportTemplateForm(
        request.POST or None,
        instance=template,
        organisation=org,
        initial=None if template else {"sections": SECTION_KEYS},
    )
    if request.method == "POST" and form.is_valid():
        template = form.save()
        messages.success(request, _("Saved “%(name)s”.") % {"name": template.name})
        return redirect(org_url("reports:index", org))
    return render(
        request,
        "reports/template_form.html",
        {"form": form, "template": template, "org": org},
    )


@require_POST
@role_required(COORDINATOR)
def template_copy(request, pk: int):
    template = _get_template_for_user(request, pk)
    name = (_("Copy of %(name)s") % {"name": template.name})[:120]
    n = 2
    while ReportTemplate.objects.filter(
        organisation=template.organisation, name=name
    ).exists():
        name = (_("Copy %(n)s of %(name)s") % {"n": n, "name": template.name})[:120]
        n += 1
    copy = template.copy(name)
    messages.success(request, _("Copied. Give it a name and the new funder's details."))
    return redirect("reports:template_edit", copy.pk)


@require_POST
@role_required(COORDINATOR)
def template_delete(request, pk: int):
    template = _get_template_for_user(request, pk)
    template.delete()
    messages.success(
        request,
        _("Deleted the saved report “%(name)s”.") % {"name": template.name},
    )
    return redirect(org_url("reports:index", template.organisation))


@require_GET
@role_required(COORDINATOR)
def stories(request):
    org = organisation_for(request, COORDINATOR)
    return render(
        request,
        "reports/stories.html",
        {
            "org": org,
            "stories": Story.objects.filter(organisation=org).select_related("site"),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def story_edit(request, pk: int | None = None):
    if pk is None:
        story, org = None, organisation_for(request, COORDINATOR)
    else:
        story = _get_story_for_user(request, pk)
        org = story.organisation
    form = StoryForm(request.POST or None, instance=story, organisation=org)
    if request.method == "POST" and form.is_valid():
        story = form.save(commit=False)
        story.consent_date = form.cleaned_data["consent_date"]
        if story.recorded_by_id is None:
            story.recorded_by = request.user
        story.save()
        messages.success(request, _("Saved her story."))
        return redirect(org_url("reports:stories", org))
    return render(
        request, "reports/story_form.html", {"form": form, "story": story, "org": org}
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def logo(request):
    org = organisation_for(request, COORDINATOR)
    settings = ReportSettings.objects.filter(organisation=org).first()
    form = LogoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("remove") and settings:
            settings.logo, settings.logo_type = b"", ""
            settings.save()
            messages.success(request, _("Removed the logo."))
            return redirect(org_url("reports:logo", org))
        if form.is_valid():
            upload = form.cleaned_data["logo"]
            settings = settings or ReportSettings(organisation=org)
            settings.logo = upload.read()
            settings.logo_type = upload.content_kind
            settings.save()
            messages.success(request, _("Saved the logo for report covers."))
            return redirect(org_url("reports:logo", org))
    return render(
        request,
        "reports/logo.html",
        {"org": org, "form": form, "settings": settings},
    )
