"""The facilitator at the door: today at a site, sign-in, who's here, the fire register."""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerspace.accounts.models import AuditEvent, Site
from peerspace.fields import new_token, parse_id
from peerspace.http import is_htmx
from peerspace.pdf import pdf_response, render_pdf
from peerspace.permissions import (
    TEAM,
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
    sites_for_user,
)

SEARCH_LIMIT = 20
# How long the door offers "Undo" after a single "Sign out" (static/js/app.js
# takes the button away; Visit.can_undo_sign_out is the server's limit).
UNDO_SECONDS = 10
door_cache = caches["door"]


def _here_now(site: Site) -> list["Row"]:
    """Who's here, each row with only what the facilitator scans.

    Emergency contacts, activity choices and the rest are fetched when a row
    is opened (visit_contacts, visit_update); the fire register lists them all.
    """
    return _rows(Visit.objects.on_site_now(site).order_by("arrived_at", "id"))


@dataclass(slots=True)
class Row:
    """One row of who's here, as the template shows it."""

    pk: int
    person_id: int
    name: str
    arrived_at: dt.datetime
    what: str  # "arrived 10:05 · Quilting · helped out"
    person_url: str
    sign_out_url: str
    contacts_url: str
    options_url: str
    sign_out_label: str
    before: int | None = None  # in a change's answer: the row hers goes before


def _rows(visits) -> list[Row]:
    """The rows for these visits (named ones only), in their order.

    Plain values, not model instances, and everything worked out here once
    rather than by the template for every row: loading whole people (each
    decrypting her "anything to know"), reversing URLs, formatting times and
    translating words per row were most of a 200-row list's cost
    (benchmarks/README.md).
    """
    person_url, sign_out_url, contacts_url, options_url = (
        _url_pattern("attendance:person"),
        _url_pattern("attendance:sign_out"),
        _url_pattern("attendance:visit_contacts"),
        _url_pattern("attendance:visit_update"),
    )
    sign_out_label = gettext("Sign out %(name)s")
    arrived = gettext("arrived %(time)s")
    helped = gettext("helped out")
    zone = timezone.get_current_timezone()
    rows = []
    for pk, person_id, name, arrived_at, activity, helped_out in visits.filter(
        person__isnull=False
    ).values_list(
        "pk",
        "person_id",
        "person__known_as",
        "arrived_at",
        "activity__name",
        "helped_out",
    ):
        parts = [arrived % {"time": f"{arrived_at.astimezone(zone):%H:%M}"}]
        if activity:
            parts.append(activity)
        if helped_out:
            parts.append(helped)
        rows.append(
            Row(
                pk=pk,
                person_id=person_id,
                name=name,
                arrived_at=arrived_at,
                what=" · ".join(parts),
                person_url=person_url(person_id),
                sign_out_url=sign_out_url(pk),
                contacts_url=contacts_url(pk),
                options_url=options_url(pk),
                sign_out_label=sign_out_label % {"name": name},
            )
        )
    return rows


def _url_pattern(name: str):
    """A function from an id to this page's address (reversed once)."""
    return _url_template(name, get_script_prefix()).format


@functools.cache
def _url_template(name: str, prefix: str) -> str:
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{}")


def door_etag(door_version: int) -> str:
    """What the who's-here list depends on: the site's changes (its
    door_version), the day (a new day empties the list with no write) and the
    language it is in."""
    return f'"{door_version}-{timezone.localdate():%Y%m%d}-{get_language()}"'


def _etag_after_change(request, site: Site, changes: int) -> str | None:
    """The list's ETag after a write that bumped the site's door_version
    `changes` times, for the door to keep when its copy was current just
    before (its next refresh is then a 304); None when it wasn't (someone else
    changed the list too, so the refresh must fetch it)."""
    version = Site.objects.values_list("door_version", flat=True).get(pk=site.pk)
    if request.headers.get("X-Door-Etag") != door_etag(version - changes):
        return None
    return door_etag(version)


@require_GET
@role_required(*TEAM)
def door(request):
    """The facilitator's start: today at the site this device last used."""
    remembered = parse_id(request.COOKIES.get(settings.SITE_COOKIE_NAME))
    if remembered:
        site = sites_for_user(request).filter(pk=remembered).first()
        if site:
            return redirect("attendance:today", site.pk)
    return redirect("attendance:choose_site")


@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def choose_site(request):
    sites = sites_for_user(request).select_related("organisation")
    if request.method == "POST":
        site_id = parse_id(request.POST.get("site"))
        site = sites.filter(pk=site_id).first() if site_id else None
        if site is None:
            messages.error(request, gettext("Please choose one of the sites below."))
        else:
            return remember_site(redirect("attendance:today", site.pk), site)
    return render(request, "attendance/choose_site.html", {"sites": sites})


@require_GET
@role_required(*TEAM)
def today(request, site_pk: int):
    # Her open sites in one query: this one, and whether there are others to
    # switch to.
    sites = list(sites_for_user(request).select_related("organisation"))
    site = next((s for s in sites if s.pk == site_pk), None)
    if site is None:
        raise Http404
    context = _today_context(request, site)
    context["quick_form"] = QuickAddForm(initial={"registration_token": new_token()})
    context["headcount_form"] = HeadCountForm(
        organisation=site.organisation, initial={"request_token": new_token()}
    )
    context["activities"] = list(
        Activity.objects.filter(organisation=site.organisation, is_active=True)
    )
    context["forms_to_finish"] = (
        Person.objects.filter(organisation=site.organisation).forms_to_finish().count()
    )
    context["other_sites"] = len(sites) > 1
    return remember_site(render(request, "attendance/today.html", context), site)


def _today_context(request, site: Site) -> dict:
    """What the who's-here list (the #here partial) shows.

    The ETag is read first: a change made while the list is being read makes
    the next refresh fetch it again, never miss it.
    """
    etag = door_etag(site.door_version)
    return {
        "site": site,
        "etag": etag,
        "pending": PendingArrival.objects.for_door(site),
        **_here(site, etag),
    }


def _here(site: Site, etag: str) -> dict:
    """The who's-here rows as HTML, and the counts, made once for each version
    of the list.

    Every tablet at the door shows the same list, and fetches it again after
    every change anyone makes: the first to ask makes it, the rest get it from
    this process's memory (the "door" cache in settings, never a shared or
    on-disk cache, as it holds names). The ETag names the version: the site's
    changes (every write that changes who's here bumps it), the day and the
    language. The rows are the same for everyone allowed to see the site's
    door: no form tokens in them.
    """
    key = f"door-here:{site.pk}:{etag}"
    here = door_cache.get(key)
    if here is None:
        here = {
            "here_rows": render_to_string(
                "attendance/today.html#here-rows", {"visits": _here_now(site)}
            ),
            **_counts(site),
        }
        door_cache.set(key, here)
    # Made by our template, escaped as it was rendered.
    return {**here, "here_rows": mark_safe(here["here_rows"])}


def _counts(site: Site) -> dict:
    """The count, the unnamed visitors and the words for an empty list."""
    count, unnamed = Visit.objects.counts_now(site)
    context = {"count": count, "unnamed": unnamed, "nobody_yet": False}
    if not count:
        # "yet" only while the day hasn't started: not after closing, nor once
        # everyone who came has gone.
        context["nobody_yet"] = not Session.objects.filter(
            Q(closes__isnull=False) | Q(visits__isnull=False),
            site=site,
            date=timezone.localdate(),
        ).exists()
    return context


@require_GET
@role_required(*TEAM)
def here_now(request, site_pk: int):
    """The who's-here list alone, for the door's refresh every few seconds.

    Answers 304 Not Modified, at the cost of one small query, while nothing
    at the site has changed since the list the door shows (its ETag).
    """
    # Only the version first: most refreshes end here.
    version = (
        sites_for_user(request)
        .filter(pk=site_pk)
        .values_list("door_version", flat=True)[:1]
    )
    if not version:
        raise Http404
    etag = door_etag(version[0])
    # GZipMiddleware marks the header's ETag weak (W/"..."): either matches.
    sent = request.headers.get("If-None-Match", "").split(",")
    if etag in (tag.strip().removeprefix("W/") for tag in sent):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    site = get_site_for_user(request, site_pk)
    etag = door_etag(site.door_version)
    response = render(
        request, "attendance/today.html#here", _today_context(request, site)
    )
    response["ETag"] = etag
    return response


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


def _after_change(
    request,
    site: Site,
    message: str,
    *,
    added: Iterable[Visit] = (),
    removed: Iterable[int] = (),
    changes: int = 1,
    undo: Visit | None = None,
    error: bool = False,
    extra: dict | None = None,
) -> HttpResponse:
    """Answer a change at the door with what changed, not the whole list.

    htmx gets out-of-band swaps: the message, rows `added` (each placed by
    when she arrived) and `removed`, the count, the waiting arrivals and the
    list's ETag. Their size and cost don't grow with the number here. A
    plain form post goes back to today's page.

    `changes` is how many times the write bumped the site's door_version:
    when the door's copy was current before it, the answer makes it current
    again, so its next refresh is a 304; otherwise the refresh fetches the
    list (someone else changed it too).
    """
    if not is_htmx(request):
        (messages.error if error else messages.success)(request, message)
        return redirect("attendance:today", site.pk)
    etag = _etag_after_change(request, site, changes)
    rows = _rows(
        Visit.objects.filter(pk__in=[v.pk for v in added], left_at__isnull=True)
    )
    for visit in rows:
        visit.before = _next_row(site, visit)
    context = {
        "site": site,
        "flash": message,
        "error": error,
        "undo": undo,
        "undo_seconds": UNDO_SECONDS,
        "added": rows,
        "removed": list(removed),
        "etag": etag,
        "pending": PendingArrival.objects.for_door(site),
        **_counts(site),
        **(extra or {}),
    }
    response = render(request, "attendance/today.html#changes", context)
    # Everything is out of band: whatever the form asked to swap stays.
    response["HX-Reswap"] = "none"
    if not error:
        # The form that sent it can be cleared for the next person.
        response["X-Door-Saved"] = "1"
    return response


def _next_row(site: Site, visit: Row) -> int | None:
    """The row that comes after hers in the list, or None if hers is last."""
    later = Q(arrived_at__gt=visit.arrived_at) | Q(
        arrived_at=visit.arrived_at, pk__gt=visit.pk
    )
    return (
        Visit.objects.on_site_now(site)
        .filter(later, person__isnull=False)
        .order_by("arrived_at", "id")
        .values_list("pk", flat=True)
        .first()
    )


@require_POST
@role_required(*TEAM)
def sign_in(request, site_pk: int, person_pk: int):
    site = get_site_for_user(request, site_pk)
    person = get_object_or_404(Person, pk=person_pk, organisation=site.organisation)
    session = Session.objects.today(site)
    visit, created = Visit.objects.sign_in(person, session, by=request.user)
    return _after_change(
        request,
        site,
        signed_in_message(person, created),
        added=[visit] if created else [],
        changes=1 if created else 0,
    )


def signed_in_message(person: Person, signed_in: bool) -> str:
    if signed_in:
        return gettext("%(name)s is signed in. Welcome!") % {"name": person.known_as}
    return gettext("%(name)s is already here.") % {"name": person.known_as}


def _name(visit: Visit) -> str:
    return visit.person.known_as if visit.person else gettext("A visitor")


@require_POST
@role_required(*TEAM)
def sign_out(request, visit_pk: int):
    visit = get_visit_for_user(request, visit_pk)
    signed_out = visit.sign_out()
    return _after_change(
        request,
        visit.session.site,
        gettext("%(name)s is signed out.") % {"name": _name(visit)},
        removed=[visit.pk],
        changes=1 if signed_out else 0,
        undo=visit if visit.person_id and visit.can_undo_sign_out() else None,
    )


@require_POST
@role_required(*TEAM)
def undo_sign_out(request, visit_pk: int):
    """ "Undo" just after "Sign out": she is back, from when she arrived."""
    visit = get_visit_for_user(request, visit_pk)
    site = visit.session.site
    if visit.undo_sign_out():
        return _after_change(
            request,
            site,
            gettext("%(name)s is back in the list.") % {"name": _name(visit)},
            added=[visit],
        )
    message = (
        gettext("%(name)s is already here.")
        if visit.left_at is None
        else gettext("Too late to undo: please sign %(name)s in again.")
    )
    return _after_change(
        request, site, message % {"name": _name(visit)}, changes=0, error=True
    )


@require_POST
@role_required(*TEAM)
def sign_out_unnamed(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    count = Visit.objects.sign_out_unnamed(site)
    return _after_change(
        request,
        site,
        ngettext(
            "%(count)d unnamed visitor signed out.",
            "%(count)d unnamed visitors signed out.",
            count,
        )
        % {"count": count},
    )


@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def sign_out_all(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    if request.method == "POST":
        count = Session.objects.close_today(site)
        messages.success(
            request,
            ngettext(
                "Everyone is signed out (%(count)d person). Thank you!",
                "Everyone is signed out (%(count)d people). Thank you!",
                count,
            )
            % {"count": count},
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
    saved = form.is_valid()
    if saved:
        form.save()
        message = gettext("Saved.")
    else:
        message = gettext(
            "That activity isn't on the list any more; please choose another."
        )
    if is_htmx(request):
        etag = _etag_after_change(request, visit.session.site, 1 if saved else 0)
        # Her row's line ("arrived 10:05 · Quilting") says what was chosen.
        row = _rows(Visit.objects.filter(pk=visit.pk))
        return render(
            request,
            "attendance/today.html#visit-options",
            {
                "visit": visit,
                "activities": form.fields["activity"].queryset,
                "saved": message,
                "row": row[0] if saved and row else None,
                "etag": etag,
            },
        )
    messages.info(request, message)
    return redirect("attendance:today", visit.session.site_id)


@require_GET
@role_required(*TEAM)
def visit_contacts(request, visit_pk: int):
    """Her emergency contacts, fetched when her row is opened at the door."""
    visit = get_visit_for_user(request, visit_pk)
    return render(
        request,
        "attendance/today.html#visit-contacts",
        {
            "visit": visit,
            "contacts": visit.person.emergency_contacts.all() if visit.person else [],
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def register(request, site_pk: int):
    site = get_site_for_user(request, site_pk)

    def on_saved(person, duplicate):
        session = Session.objects.today(site)
        Visit.objects.sign_in(person, session, by=request.user)
        messages.success(
            request,
            gettext("Welcome, %(name)s! She's signed in.") % {"name": person.known_as},
        )
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
        return _after_change(
            request,
            site,
            gettext("Please type her name to add her."),
            changes=0,
            error=True,
        )
    person, _ = Person.objects.save_once(
        Person(
            organisation=site.organisation,
            known_as=form.cleaned_data["known_as"],
            form_complete=False,
            registration_token=form.cleaned_data["registration_token"],
            created_by=request.user,
        )
    )
    visit, created = Visit.objects.sign_in(
        person, Session.objects.today(site), by=request.user
    )
    return _after_change(
        request,
        site,
        gettext("%(name)s is signed in. Her form is on the 'forms to finish' list.")
        % {"name": person.known_as},
        added=[visit] if created else [],
        changes=1 if created else 0,
        # A fresh form for the next name, or it would find her again.
        extra={"quick_form": QuickAddForm(initial={"registration_token": new_token()})},
    )


@require_POST
@role_required(*TEAM)
def headcount(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    form = HeadCountForm(request.POST, organisation=site.organisation)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        return _after_change(
            request,
            site,
            gettext("Head-count not added: %(errors)s") % {"errors": errors},
            changes=0,
            error=True,
        )
    count = form.cleaned_data["count"]
    added = Visit.objects.add_headcount(
        Session.objects.today(site),
        count,
        activity=form.cleaned_data["activity"],
        by=request.user,
        token=form.cleaned_data["request_token"],
    )
    if not added:
        return _after_change(
            request, site, gettext("That head-count was already added."), changes=0
        )
    return _after_change(
        request,
        site,
        ngettext(
            "Added %(count)d unnamed visitor.",
            "Added %(count)d unnamed visitors.",
            count,
        )
        % {"count": count},
        extra={
            "headcount_form": HeadCountForm(
                organisation=site.organisation, initial={"request_token": new_token()}
            )
        },
    )


@require_GET
@role_required(*TEAM)
def fire_register(request, site_pk: int):
    site = get_site_for_user(request, site_pk)
    # Read afresh, not the door's kept list: everyone's full name and
    # emergency contacts, in one query for all the contacts.
    _, unnamed = Visit.objects.counts_now(site)
    context = {
        "site": site,
        "pending": PendingArrival.objects.for_door(site),
        "unnamed": unnamed,
    }
    context["visits"] = list(
        Visit.objects.on_site_now(site)
        .filter(person__isnull=False)
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "person__emergency_contacts",
                queryset=EmergencyContact.objects.order_by("id"),
            )
        )
        .order_by("arrived_at", "id")
    )
    context["printed_at"] = timezone.localtime()
    context["printed_by"] = request.user
    pdf = render_pdf("attendance/pdf/fire_register.html", context, request)
    # Names and emergency contacts of everyone in the building: note who took it.
    AuditEvent.record(
        request, site.organisation, "fire register download", f"site #{site.pk}"
    )
    filename = f"fire-register-{site.pk}-{timezone.localtime():%Y%m%d-%H%M}.pdf"
    return pdf_response(pdf, filename)
