"""Funder reports for coordinators: saved templates, preview, PDF, CSV and XLSX.

A report is a link: the period, the sites and the saved template are in the
query string, so "last quarter for the Lottery" can be bookmarked, and the PDF
and every table's download are the same link with a different ending.
"""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerspace import spreadsheets
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
from .forms import (
    BuildForm,
    IncomeFormSet,
    LogoForm,
    ReportTemplateForm,
    StoryForm,
    UnitRateFormSet,
)
from .models import SECTION_KEYS, Income, ReportSettings, ReportTemplate, Story
from .periods import PRESET_LABELS, fy_start

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
        sections=template.chosen_sections() if template else None,
    )
    if template:
        options.threshold = template.threshold
        options.title = template.name
        options.funder = template.funder
        options.headings = template.headings
        options.narrative_heading = template.narrative_heading
        options.narrative = template.narrative
    else:
        chosen = set(data["sections"])
        options.sections = [key for key in SECTION_KEYS if key in chosen]
        options.title = "Our work"
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
        "query": query,
        "back_url": reverse("reports:index"),
        "pdf_url": reverse("reports:pdf") + "?" + query,
        "tables_url": reverse("reports:view") + "table/",
        "previous_url": _shift_link(request, report, -1),
        "previous_label": "Period before",
        "next_url": _shift_link(request, report, 1),
        "next_label": "Period after",
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


@require_GET
@role_required(COORDINATOR)
def pdf(request):
    form, report = _build(request)
    if report is None:
        return _invalid(request, form)
    pdf = render_pdf("reports/pdf/report.html", {"report": report})
    return pdf_response(pdf, _filename(report, "pdf"))


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
    return spreadsheets.download(
        found.dataset(), fmt, _filename(report, f"{key}.{fmt}")
    )


def report_pdf_bytes(template: ReportTemplate, start: dt.date, end: dt.date) -> bytes:
    """The PDF `manage.py funder_report` writes: every active site."""
    from .periods import Period

    sites = list(template.organisation.sites.filter(is_active=True))
    options = Options(
        organisation=template.organisation,
        period=Period(start, end),
        sites=sites,
        all_sites=True,
        sections=template.chosen_sections(),
        threshold=template.threshold,
        title=template.name,
        funder=template.funder,
        headings=template.headings,
        narrative_heading=template.narrative_heading,
        narrative=template.narrative,
    )
    return render_pdf("reports/pdf/report.html", {"report": build_report(options)})


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
        messages.success(request, f"Saved “{template.name}”.")
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
    name = f"Copy of {template.name}"[:120]
    n = 2
    while ReportTemplate.objects.filter(
        organisation=template.organisation, name=name
    ).exists():
        name = f"Copy {n} of {template.name}"[:120]
        n += 1
    copy = template.copy(name)
    messages.success(request, "Copied. Give it a name and the new funder's details.")
    return redirect("reports:template_edit", copy.pk)


@require_POST
@role_required(COORDINATOR)
def template_delete(request, pk: int):
    template = _get_template_for_user(request, pk)
    template.delete()
    messages.success(request, f"Deleted the saved report “{template.name}”.")
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
        messages.success(request, "Saved her story.")
        return redirect(org_url("reports:stories", org))
    return render(
        request, "reports/story_form.html", {"form": form, "story": story, "org": org}
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def social_value(request):
    """Unit rates and income, the two things the social value table needs."""
    org = organisation_for(request, COORDINATOR)
    today = timezone.localdate()
    year = parse_id(request.GET.get("year"))
    start = dt.date(year, 4, 1) if year and 2000 <= year <= 2100 else fy_start(today)
    end = dt.date(start.year + 1, 3, 31)
    rates_qs = org.unit_rates.all()
    income_qs = Income.objects.filter(
        organisation=org, month__gte=start, month__lte=end
    ).order_by("month", "kind", "name")
    posted = request.method == "POST"
    rates = UnitRateFormSet(
        request.POST if posted else None, queryset=rates_qs, prefix="rates"
    )
    income = IncomeFormSet(
        request.POST if posted else None, queryset=income_qs, prefix="income"
    )
    if posted and rates.is_valid() and income.is_valid():
        kinds = [
            f.cleaned_data["kind"]
            for f in rates.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if len(kinds) != len(set(kinds)):
            rates.non_form_errors().append("Each kind of unit can have one rate.")
        else:
            with transaction.atomic():
                for formset in (rates, income):
                    for obj in formset.save(commit=False):
                        obj.organisation = org
                        obj.save()
                    for obj in formset.deleted_objects:
                        obj.delete()
            messages.success(request, "Saved the unit rates and income.")
            return redirect(
                org_url("reports:social_value", org) + f"&year={start.year}"
            )
    return render(
        request,
        "reports/social_value.html",
        {
            "org": org,
            "rates": rates,
            "income": income,
            "start": start,
            "end": end,
            "years": range(today.year - 4, today.year + 1),
        },
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
            messages.success(request, "Removed the logo.")
            return redirect(org_url("reports:logo", org))
        if form.is_valid():
            upload = form.cleaned_data["logo"]
            settings = settings or ReportSettings(organisation=org)
            settings.logo = upload.read()
            settings.logo_type = upload.content_kind
            settings.save()
            messages.success(request, "Saved the logo for report covers.")
            return redirect(org_url("reports:logo", org))
    return render(
        request,
        "reports/logo.html",
        {"org": org, "form": form, "settings": settings},
    )
