import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance.models import Person
from peerspace.accounts.models import Organisation, Site
from peerspace.fields import new_token, parse_id
from peerspace.http import is_htmx
from peerspace.pdf import pdf_response, render_document, render_pdf
from peerspace.permissions import (
    COORDINATOR,
    TEAM,
    has_role,
    org_ids,
    org_url,
    organisation_for,
    role_required,
    roles,
)

from . import hsds, qr
from .forms import (
    CategoryForm,
    ServiceForm,
    SignpostForm,
)
from .models import (
    Category,
    DirectorySettings,
    Service,
    Signpost,
)

LIST_LIMIT = 200


def _get_service_for_user(request: HttpRequest, pk: int, edit: bool = False) -> Service:
    service = get_object_or_404(
        Service.objects.for_user(request.user).select_related("organisation", "feed"),
        pk=pk,
    )
    if edit and not has_role(request.user, service.organisation_id, COORDINATOR):
        raise PermissionDenied
    return service


def _get_category_for_user(request: HttpRequest, slug: str) -> Category:
    return get_object_or_404(
        Category.objects.for_user(request.user),
        slug=slug,
        organisation=organisation_for(request, *TEAM),
    )


# --- The directory -----------------------------------------------------------


def _filtered_services(request: HttpRequest, services):
    q = request.GET.get("q", "").strip()[:100]
    category = None
    slug = request.GET.get("category", "")
    if slug:
        category = next(
            (c for c in Category.objects.for_user(request.user) if c.slug == slug), None
        )
        if category:
            services = services.in_category(category)
    if q:
        services = services.search(q)
    return services, q, category


@require_GET
@role_required(*TEAM)
def directory(request):
    services = (
        Service.objects.for_user(request.user)
        .active()
        .prefetch_related("categories")
        .crisis_first()
    )
    services, q, category = _filtered_services(request, services)
    total = services.count()
    context = {
        "services": services[:LIST_LIMIT],
        "total": total,
        "limit": LIST_LIMIT,
        "q": q,
        "category": category,
        "categories": Category.objects.for_user(request.user),
        "to_check": Service.objects.for_user(request.user).active().stale().count(),
    }
    if is_htmx(request):
        return render(request, "signposting/directory.html#results", context)
    return render(request, "signposting/directory.html", context)


@require_GET
@role_required(*TEAM)
def service_detail(request, pk: int):
    service = _get_service_for_user(request, pk)
    return render(
        request,
        "signposting/service_detail.html",
        {
            "service": service,
            "categories": service.categories.all(),
            "can_edit": has_role(request.user, service.organisation_id, COORDINATOR),
            "times": service.signposts.count(),
            "carried": hsds.carried_details(service),
            "edited": sorted(hsds.label(f) for f in hsds.edited_here(service)),
            "source": service.feed.name if service.feed else "",
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def service_new(request):
    organisation = organisation_for(request, COORDINATOR)
    Category.objects.seed(organisation)
    form = ServiceForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        service = form.save()
        messages.success(
            request,
            _("Added “%(name)s” to the directory.") % {"name": service.name},
        )
        return redirect(service)
    return render(request, "signposting/service_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def service_edit(request, pk: int):
    service = _get_service_for_user(request, pk, edit=True)
    form = ServiceForm(
        request.POST or None, instance=service, organisation=service.organisation
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved “%(name)s”.") % {"name": service.name})
        return redirect(service)
    return render(
        request, "signposting/service_form.html", {"form": form, "service": service}
    )


@require_POST
@role_required(COORDINATOR)
def service_checked(request, pk: int):
    service = _get_service_for_user(request, pk, edit=True)
    service.mark_checked()
    messages.success(
        request,
        _("Marked “%(name)s” as checked today.") % {"name": service.name},
    )
    if request.POST.get("next") == "to_check":
        return redirect("signposting:to_check")
    return redirect(service)


@require_GET
@role_required(*TEAM)
def to_check(request):
    services = (
        Service.objects.for_user(request.user)
        .active()
        .stale()
        .order_by(F("last_checked").asc(nulls_first=True), "name")
    )
    return render(
        request,
        "signposting/to_check.html",
        {"services": services, "can_edit": COORDINATOR in roles(request.user)},
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def categories(request):
    organisation = organisation_for(request, COORDINATOR)
    Category.objects.seed(organisation)
    form = CategoryForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        category = form.save()
        messages.success(request, _("Added “%(name)s”.") % {"name": category.name})
        return redirect(org_url("signposting:categories", organisation))
    return render(
        request,
        "signposting/categories.html",
        {
            "form": form,
            "categories": Category.objects.filter(organisation=organisation),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def category_edit(request, slug: str):
    organisation = organisation_for(request, COORDINATOR)
    category = get_object_or_404(Category, organisation=organisation, slug=slug)
    form = CategoryForm(
        request.POST or None, instance=category, organisation=organisation
    )
    if request.method == "POST" and "delete" in request.POST:
        name = category.name
        services = list(category.services.all())
        category.delete()
        for service in services:
            service.refresh_search_key()
        messages.success(
            request,
            _("Removed “%(name)s”. Its services are still listed.") % {"name": name},
        )
        return redirect(org_url("signposting:categories", organisation))
    if request.method == "POST" and form.is_valid():
        category = form.save()
        for service in category.services.all():
            service.refresh_search_key()
        messages.success(request, _("Saved “%(name)s”.") % {"name": category.name})
        return redirect(org_url("signposting:categories", organisation))
    return render(
        request,
        "signposting/category_form.html",
        {"form": form, "category": category, "used": category.services.count()},
    )


# --- The signposting log -----------------------------------------------------


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def signpost_new(request):
    """'Gave information about …', from a person's page, who's here, or on its own."""
    source = request.POST if request.method == "POST" else request.GET
    person = None
    person_id = parse_id(source.get("person"))
    if person_id:
        person = get_object_or_404(Person.objects.for_user(request.user), pk=person_id)
    site = None
    site_id = parse_id(source.get("site"))
    if site_id:
        site = get_object_or_404(
            Site.objects.filter(organisation_id__in=org_ids(request.user)),
            pk=site_id,
        )
    organisation = (
        person.organisation
        if person
        else site.organisation
        if site
        else organisation_for(request, *TEAM)
    )
    if not has_role(request.user, organisation.pk, *TEAM):
        raise PermissionDenied
    initial = {
        "person": person,
        "site": site,
        "request_token": new_token(),
        "services": [s for s in request.GET.getlist("service") if parse_id(s)],
    }
    form = SignpostForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                signpost = Signpost.objects.create(
                    organisation=organisation,
                    date=data["date"],
                    site=data["site"],
                    person=data["person"],
                    helped_to_contact=data["helped_to_contact"],
                    recorded_by=request.user,
                    request_token=data["request_token"],
                )
                signpost.services.set(data["services"])
        except IntegrityError:
            pass  # A double-tapped Save: the first one counted.
        names = ", ".join(s.name for s in data["services"])
        if data["person"]:
            message = _("Noted: we gave %(name)s information about %(services)s.")
        else:
            message = _("Noted: we gave someone information about %(services)s.")
        messages.success(
            request,
            message
            % {
                "name": data["person"].known_as if data["person"] else "",
                "services": names,
            },
        )
        if data["person"]:
            return redirect(data["person"])
        return redirect("signposting:log")
    return render(
        request,
        "signposting/signpost_form.html",
        {"form": form, "person": person, "site": site},
    )


def _period(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today - dt.timedelta(days=90)
    try:
        end = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    return start, end


@require_GET
@role_required(*TEAM)
def signpost_list(request):
    start, end = _period(request)
    signposts = Signpost.objects.for_user(request.user).between(start, end)
    return render(
        request,
        "signposting/signpost_list.html",
        {
            "signposts": signposts.select_related("site", "person").prefetch_related(
                Prefetch("services", queryset=Service.objects.only("id", "name"))
            )[:LIST_LIMIT],
            "counts": signposts.counts(),
            "by_category": signposts.counts_by_category(),
            "start": start,
            "end": end,
            "limit": LIST_LIMIT,
        },
    )


# --- Printables --------------------------------------------------------------


def _qr_rows(services) -> list[dict]:
    rows = []
    for service in services:
        codes = []
        if service.website:
            codes.append(
                {
                    "kind": "website",
                    "label": _("Website"),
                    "uri": qr.data_uri(service.website),
                    "text": service.website,
                }
            )
        if service.phone:
            payload = qr.tel_payload(service.phone)
            codes.append(
                {
                    "kind": "call",
                    "label": _("Call"),
                    "uri": qr.data_uri(payload),
                    "text": payload,
                }
            )
        rows.append({"service": service, "codes": codes})
    return rows


def _public_url(request, organisation: Organisation) -> str | None:
    settings_ = DirectorySettings.objects.filter(organisation=organisation).first()
    if settings_ and settings_.public_page:
        return request.build_absolute_uri(
            reverse("signposting:public", args=[organisation.slug])
        )
    return None


@require_GET
@role_required(*TEAM)
def printables(request):
    organisation = organisation_for(request, *TEAM)
    return render(
        request,
        "signposting/printables.html",
        {
            "categories": Category.objects.filter(organisation=organisation),
            "crisis": Service.objects.filter(
                organisation=organisation, active=True, is_emergency=True
            ).count(),
        },
    )


@require_GET
@role_required(*TEAM)
def poster(request, slug: str):
    category = _get_category_for_user(request, slug)
    services = (
        Service.objects.filter(organisation=category.organisation, active=True)
        .in_category(category)
        .crisis_first()
    )
    public_url = _public_url(request, category.organisation)
    context = {
        "category": category,
        "rows": _qr_rows(services),
        "public_url": public_url,
        "public_qr": qr.data_uri(public_url) if public_url else None,
    }
    pdf = render_pdf("signposting/pdf/poster.html", context, request)
    return pdf_response(pdf, f"poster-{category.slug}.pdf")


# How the crisis card is laid out, roomiest first: a QR code to call each
# service; two columns without codes; two columns of names and numbers only.
CARD_LAYOUTS = ["codes", "columns", "numbers"]


def crisis_card_pdf(request, organisation: Organisation) -> bytes:
    """A pocket card that is always one card, however many crisis services:
    the roomiest layout that fits, and when even names and numbers don't, as
    many as fit and how many more there are (those with a number first)."""
    services = list(
        Service.objects.filter(
            organisation=organisation, active=True, is_emergency=True
        ).order_by("name", "id")
    )
    services.sort(key=lambda s: not s.phone)
    rows = _qr_rows(services)
    context = {
        "organisation": organisation,
        "public_url": _public_url(request, organisation),
    }
    template = "signposting/pdf/crisis_card.html"

    def card(layout: str, shown: int):
        return render_document(
            template,
            {
                **context,
                "layout": layout,
                "rows": rows[:shown],
                "left_out": len(rows) - shown,
            },
            request,
        )

    # Names and numbers take the least room: when even they don't all fit, no
    # roomier layout will, so don't lay out sixty QR codes to find that out.
    tightest = card(CARD_LAYOUTS[-1], len(rows))
    if len(tightest.pages) == 1:
        for layout in CARD_LAYOUTS[:-1]:
            document = card(layout, len(rows))
            if len(document.pages) == 1:
                return document.write_pdf()
        return tightest.write_pdf()
    # The most that fit with a line saying how many more: found by halving
    # (six layouts for sixty services, not sixty).
    fits, low, high = card("numbers", 0), 1, len(rows) - 1
    while low <= high:
        middle = (low + high) // 2
        document = card("numbers", middle)
        if len(document.pages) == 1:
            fits, low = document, middle + 1
        else:
            high = middle - 1
    return fits.write_pdf()


@require_GET
@role_required(*TEAM)
def crisis_card(request):
    organisation = organisation_for(request, *TEAM)
    pdf = crisis_card_pdf(request, organisation)
    return pdf_response(pdf, "crisis-numbers-card.pdf")
