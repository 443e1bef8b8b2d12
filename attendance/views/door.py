"""The facilitator at the door: today at a site, sign-in, who's here, the fire register."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerspace.accounts.models import AuditEvent, Site
from peerspace.fields import new_token, parse_id
from peerspace.http import is_htmx
from peerspace.pdf import pdf_response, render_pdf
from peerspace.permissions import (
    TEAM,
    org_ids,
    role_required,
)
from peerspace.text import fold

from ..forms import (
    HeadCountForm,
    QuickAddForm,
    VisitForm,
)
from ..models import (
    Activity,
    EmergencyContact,
    PendingArrival,
    Person,
    Session,
    Visit,
)
from .common import (
    get_site_for_user,
    get_visit_for_user,
    person_form_view,
    remember_site,
)

SEARCH_LIMIT = 20


def _here_now(site: Site) -> list[Visit]:
    visits = list(
        Visit.objects.on_site_now(site)
        .select_related("person", "activity")
        .prefetch_related(
            Prefetch(
                "person__emergency_contacts",
                queryset=EmergencyContact.objects.order_by("id"),
            )
        )
        .order_by("arrived_at", "id")
    )
    # Reversing four URLs for each of 200 rows is most of the page's cost:
    # reverse each once and fill in the ids.
    person_url, edit_url, sign_out_url, options_url = (
        _url_pattern("attendance:person"),
        _url_pattern("attendance:person_edit"),
        _url_pattern("attendance:sign_out"),
        _url_pattern("attendance:visit_update"),
    )
    for visit in visits:
        visit.sign_out_url = sign_out_url(visit.pk)
        visit.options_url = options_url(visit.pk)
        if visit.person_id:
            visit.person_url = person_url(visit.person_id)
            visit.edit_url = edit_url(visit.person_id)
    return visits


def _url_pattern(name: str):
    marker = 987654321
    template = reverse(name, args=[marker]).replace(str(marker), "{}")
    return template.format


@require_GET
@role_required(*TEAM)
def door(request):
    """The facilitator's start: today at the site this device last used."""
    remembered = parse_id(request.COOKIES.get(settings.SITE_COOKIE_NAME))
    if remembered:
        site = Site.objects.filter(
            pk=remembered,
            is_active=True,
            organisation_id__in=org_ids(request.user),
        ).first()
        if site:
            return redirect("attendance:today", site.pk)
    return redirect("attendance:choose_site")


@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def choose_site(request):
    sites = Site.objects.filter(
        is_active=True, organisation_id__in=org_ids(request.user)
    ).select_related("organisation")
    if request.method == "POST":
        site_id = parse_id(request.POST.get("site"))
        site = sites.filter(pk=site_id).first() if site_id else None
        if site is None:
            messages.error(request, "Please choose one of the sites below.")
        else:
            return remember_site(redirect("attendance:today", site.pk), site)
    return render(request, "attendance/choose_site.html", {"sites": sites})


@require_GET
@role_required(*TEAM)
def today(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    context = _today_context(request, site)
    context["quick_form"] = QuickAddForm(initial={"registration_token": new_token()})
    context["headcount_form"] = HeadCountForm(
        organisation=site.organisation, initial={"request_token": new_token()}
    )
    return remember_site(render(request, "attendance/today.html", context), site)


def _today_context(request, site: Site) -> dict:
    visits = list(_here_now(site))
    named = [v for v in visits if v.person_id]
    activities = list(
        Activity.objects.filter(organisation=site.organisation, is_active=True)
    )
    return {
        "site": site,
        "visits": named,
        "unnamed": len(visits) - len(named),
        "pending": PendingArrival.objects.for_door(site),
        "activities": activities,
        "forms_to_finish": Person.objects.filter(organisation=site.organisation)
        .forms_to_finish()
        .count(),
        "other_sites": Site.objects.filter(
            is_active=True, organisation_id__in=org_ids(request.user)
        ).exclude(pk=site.pk),
    }


@require_GET
@role_required(*TEAM)
def here_now(request, site_pk: int):
    """The who's-here list alone, for htmx to refresh after a change."""
    site = get_site_for_user(request, site_pk)
    return render(request, "attendance/today.html#here", _today_context(request, site))


@require_GET
@role_required(*TEAM)
def search(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    q = request.GET.get("q", "").strip()[:100]
    people = []
    if fold(q):
        people = list(
            Person.objects.filter(organisation=site.organisation)
            .search(q)
            .here_at(site)
            .with_last_visit()
            .order_by("known_as", "id")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "attendance/today.html#results",
        {"site": site, "people": people, "q": q, "limit": SEARCH_LIMIT},
    )


def _after_change(request, site: Site, message: str) -> HttpResponse:
    """htmx gets the fresh who's-here list; a plain form post goes back to today."""
    if is_htmx(request):
        context = _today_context(request, site)
        context["flash"] = message
        response = render(request, "attendance/today.html#here", context)
        response["HX-Retarget"] = "#here"
        response["HX-Reswap"] = "outerHTML"
        return response
    messages.success(request, message)
    return redirect("attendance:today", site.pk)


@require_POST
@role_required(*TEAM)
def sign_in(request, site_pk: int, person_pk: int):
    site = get_site_for_user(request, site_pk)
    person = get_object_or_404(Person, pk=person_pk, organisation=site.organisation)
    session = Session.objects.today(site)
    visit, created = Visit.objects.sign_in(person, session, by=request.user)
    return _after_change(request, site, signed_in_message(person, created))


def signed_in_message(person: Person, signed_in: bool) -> str:
    if signed_in:
        return f"{person.known_as} is signed in. Welcome!"
    return f"{person.known_as} is already here."


@require_POST
@role_required(*TEAM)
def sign_out(request, visit_pk: int):
    visit = get_visit_for_user(request, visit_pk)
    visit.sign_out()
    name = visit.person.known_as if visit.person else "A visitor"
    return _after_change(request, visit.session.site, f"{name} is signed out.")


@require_POST
@role_required(*TEAM)
def sign_out_unnamed(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    count = (
        Visit.objects.on_site_now(site)
        .filter(person=None)
        .update(left_at=timezone.now())
    )
    return _after_change(request, site, f"{count} unnamed visitors signed out.")


@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def sign_out_all(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    if request.method == "POST":
        count = Session.objects.close_today(site)
        noun = "person" if count == 1 else "people"
        messages.success(
            request, f"Everyone is signed out ({count} {noun}). Thank you!"
        )
        return redirect("attendance:today", site.pk)
    count = Visit.objects.on_site_now(site).count()
    return render(
        request, "attendance/sign_out_all.html", {"site": site, "count": count}
    )


@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def visit_update(request, visit_pk: int):
    """A visit's activity and "helped out": fetched when its row is opened."""
    visit = get_visit_for_user(request, visit_pk)
    form = VisitForm(request.POST or None, instance=visit)
    message = ""
    if request.method == "GET":
        return render(
            request,
            "attendance/today.html#visit-more",
            {
                "visit": visit,
                "activities": form.fields["activity"].queryset,
                # So "Gave information" notes where she was given it.
                "site": visit.session.site,
            },
        )
    if form.is_valid():
        form.save()
        message = "Saved."
    else:
        message = "That activity isn't on the list any more; please choose another."
    if is_htmx(request):
        return render(
            request,
            "attendance/today.html#visit-options",
            {
                "visit": visit,
                "activities": form.fields["activity"].queryset,
                "saved": message,
            },
        )
    messages.info(request, message)
    return redirect("attendance:today", visit.session.site_id)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def register(request, site_pk: int):
    site = get_site_for_user(request, site_pk)

    def on_saved(person, duplicate):
        session = Session.objects.today(site)
        Visit.objects.sign_in(person, session, by=request.user)
        messages.success(request, f"Welcome, {person.known_as}! She's signed in.")
        return redirect("attendance:today", site.pk)

    return person_form_view(
        request,
        person=Person(organisation=site.organisation),
        organisation=site.organisation,
        template="attendance/register.html",
        context={"site": site},
        on_saved=on_saved,
    )


@sensitive_post_parameters()
@require_POST
@role_required(*TEAM)
def quick_add(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    form = QuickAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please type her name to add her.")
        return redirect("attendance:today", site.pk)
    person, _ = Person.objects.save_once(
        Person(
            organisation=site.organisation,
            known_as=form.cleaned_data["known_as"],
            form_complete=False,
            registration_token=form.cleaned_data["registration_token"],
            created_by=request.user,
        )
    )
    Visit.objects.sign_in(person, Session.objects.today(site), by=request.user)
    return _after_change(
        request,
        site,
        f"{person.known_as} is signed in. Her form is on the 'forms to finish' list.",
    )


@require_POST
@role_required(*TEAM)
def headcount(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    form = HeadCountForm(request.POST, organisation=site.organisation)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"Head-count not added: {errors}")
        return redirect("attendance:today", site.pk)
    count = form.cleaned_data["count"]
    added = Visit.objects.add_headcount(
        Session.objects.today(site),
        count,
        activity=form.cleaned_data["activity"],
        by=request.user,
        token=form.cleaned_data["request_token"],
    )
    if not added:
        return _after_change(request, site, "That head-count was already added.")
    noun = "visitor" if count == 1 else "visitors"
    return _after_change(request, site, f"Added {count} unnamed {noun}.")


@require_GET
@role_required(*TEAM)
def fire_register(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    context = _today_context(request, site)
    context["printed_at"] = timezone.localtime()
    context["printed_by"] = request.user
    pdf = render_pdf("attendance/pdf/fire_register.html", context, request)
    # Names and emergency contacts of everyone in the building: note who took it.
    AuditEvent.record(
        request, site.organisation, "fire register download", f"site #{site.pk}"
    )
    filename = f"fire-register-{site.pk}-{timezone.localtime():%Y%m%d-%H%M}.pdf"
    return pdf_response(pdf, filename)
