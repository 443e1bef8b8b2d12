import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerspace import drafts
from peerspace.accounts.models import AuditEvent, Site
from peerspace.middleware import kiosk_allowed
from peerspace.pdf import pdf_response, render_pdf
from peerspace.permissions import (
    COORDINATOR,
    KIOSK,
    TEAM,
    memberships,
    org_ids,
    role_required,
)

from .forms import (
    ActivityForm,
    ContactFormSet,
    HeadCountForm,
    KioskNameForm,
    KioskPersonForm,
    PaperSheetForm,
    PersonForm,
    QuickAddForm,
    VisitForm,
    new_token,
)
from .models import (
    Activity,
    EmergencyContact,
    PendingArrival,
    Person,
    Session,
    Visit,
    fold,
)

SEARCH_LIMIT = 20


def _get_site_for_user(request: HttpRequest, pk: int) -> Site:
    return get_object_or_404(
        Site.objects.select_related("organisation"),
        pk=pk,
        is_active=True,
        organisation_id__in=org_ids(request.user),
    )


def _get_person_for_user(request: HttpRequest, pk: int) -> Person:
    return get_object_or_404(Person.objects.for_user(request.user), pk=pk)


def _get_visit_for_user(request: HttpRequest, pk: int) -> Visit:
    return get_object_or_404(
        Visit.objects.select_related("session__site__organisation", "person"),
        pk=pk,
        session__site__organisation_id__in=org_ids(request.user),
    )


def _remember_site(response: HttpResponse, site: Site) -> HttpResponse:
    response.set_cookie(
        settings.SITE_COOKIE_NAME,
        str(site.pk),
        max_age=settings.SITE_COOKIE_AGE,
        secure=settings.SITE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


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
    remembered = request.COOKIES.get(settings.SITE_COOKIE_NAME, "")
    if remembered.isdigit():
        site = Site.objects.filter(
            pk=int(remembered),
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
        site_id = request.POST.get("site", "")
        site = sites.filter(pk=site_id).first() if site_id.isdigit() else None
        if site is None:
            messages.error(request, "Please choose one of the sites below.")
        else:
            return _remember_site(redirect("attendance:today", site.pk), site)
    return render(request, "attendance/choose_site.html", {"sites": sites})


@require_GET
@role_required(*TEAM)
def today(request, site_pk: int):
    site = _get_site_for_user(request, site_pk)
    context = _today_context(request, site)
    context["quick_form"] = QuickAddForm(initial={"registration_token": new_token()})
    context["headcount_form"] = HeadCountForm(
        organisation=site.organisation, initial={"request_token": new_token()}
    )
    return _remember_site(render(request, "attendance/today.html", context), site)


def _today_context(request, site: Site) -> dict:
    visits = list(_here_now(site))
    named = [v for v in visits if v.person_id]
    pending = list(site.pending_arrivals.all())
    for arrival in pending:
        arrival.matches = list(
            Person.objects.filter(organisation=site.organisation).search(
                arrival.name_typed
            )[:5]
        )
    activities = list(
        Activity.objects.filter(organisation=site.organisation, is_active=True)
    )
    return {
        "site": site,
        "visits": named,
        "unnamed": len(visits) - len(named),
        "pending": pending,
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
    site = _get_site_for_user(request, site_pk)
    return render(request, "attendance/today.html#here", _today_context(request, site))


@require_GET
@role_required(*TEAM)
def search(request, site_pk: int):
    site = _get_site_for_user(request, site_pk)
    q = request.GET.get("q", "").strip()[:100]
    people = []
    if fold(q):
        here = Visit.objects.filter(
            person=OuterRef("pk"),
            session__site=site,
            session__date=timezone.localdate(),
            left_at__isnull=True,
        )
        people = list(
            Person.objects.filter(organisation=site.organisation)
            .search(q)
            .annotate(is_here=Exists(here), last_seen=Max("visits__session__date"))
            .order_by("known_as", "id")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "attendance/today.html#results",
        {"site": site, "people": people, "q": q, "limit": SEARCH_LIMIT},
    )


def _after_change(request, site: Site, message: str) -> HttpResponse:
    """htmx gets the fresh who's-here list; a plain form post goes back to today."""
    if _is_htmx(request):
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
    site = _get_site_for_user(request, site_pk)
    person = get_object_or_404(Person, pk=person_pk, organisation=site.organisation)
    session = Session.objects.today(site)
    visit, created = Visit.objects.sign_in(person, session, by=request.user)
    pending_id = request.POST.get("pending", "")
    if pending_id.isdigit():
        PendingArrival.objects.filter(pk=int(pending_id), site=site).delete()
    if created:
        message = f"{person.known_as} is signed in. Welcome!"
    else:
        message = f"{person.known_as} is already here."
    return _after_change(request, site, message)


@require_POST
@role_required(*TEAM)
def sign_out(request, visit_pk: int):
    visit = _get_visit_for_user(request, visit_pk)
    visit.sign_out()
    name = visit.person.known_as if visit.person else "A visitor"
    return _after_change(request, visit.session.site, f"{name} is signed out.")


@require_POST
@role_required(*TEAM)
def sign_out_unnamed(request, site_pk: int):
    site = _get_site_for_user(request, site_pk)
    count = (
        Visit.objects.on_site_now(site)
        .filter(person=None)
        .update(left_at=timezone.now())
    )
    return _after_change(request, site, f"{count} unnamed visitors signed out.")


@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def sign_out_all(request, site_pk: int):
    site = _get_site_for_user(request, site_pk)
    if request.method == "POST":
        count = Visit.objects.sign_out_all(site)
        session = Session.objects.filter(site=site, date=timezone.localdate()).first()
        if session and not session.closes:
            session.closes = timezone.localtime().time().replace(microsecond=0)
            session.save(update_fields=["closes"])
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
    visit = _get_visit_for_user(request, visit_pk)
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
    if _is_htmx(request):
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


def _person_form_view(request, *, person, organisation, template, context, on_saved):
    """The first-timer form and the edit form: a person and her contacts."""
    data = request.POST if request.method == "POST" else drafts.pop(request)
    if data is not None and request.method == "GET":
        messages.warning(
            request,
            "You were signed out before this was saved. Here is what you typed: "
            "check it and save again.",
        )
    form = PersonForm(
        data,
        instance=person,
        organisation=organisation,
        initial={"registration_token": new_token()} if person.pk is None else None,
    )
    formset = ContactFormSet(data, instance=person, prefix="contacts")
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if (
            form_ok
            and formset_ok
            and _has_contacts(formset)
            and not form.cleaned_data["agrees"]
        ):
            form.add_error("agrees", form.AGREE_MESSAGE)
            form_ok = False
        if form_ok and formset_ok:
            token = form.cleaned_data.get("registration_token")
            try:
                with transaction.atomic():
                    saved = form.save(commit=False)
                    if saved.pk is None:
                        saved.created_by = request.user
                    saved.save()
                    formset.instance = saved
                    formset.save()
            except IntegrityError:
                # The same form saved twice: show the person the first save made.
                saved = get_object_or_404(
                    Person, registration_token=token, organisation=organisation
                )
                return on_saved(saved, duplicate=True)
            return on_saved(saved, duplicate=False)
        messages.error(request, "Please check the highlighted answers below.")
    return render(
        request,
        template,
        {**context, "form": form, "formset": formset, "organisation": organisation},
    )


def _has_contacts(formset) -> bool:
    return any(
        f.cleaned_data.get("name") and not f.cleaned_data.get("DELETE")
        for f in formset.forms
        if hasattr(f, "cleaned_data")
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def register(request, site_pk: int):
    site = _get_site_for_user(request, site_pk)

    def on_saved(person, duplicate):
        session = Session.objects.today(site)
        Visit.objects.sign_in(person, session, by=request.user)
        messages.success(request, f"Welcome, {person.known_as}! She's signed in.")
        return redirect("attendance:today", site.pk)

    return _person_form_view(
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
    site = _get_site_for_user(request, site_pk)
    form = QuickAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please type her name to add her.")
        return redirect("attendance:today", site.pk)
    token = form.cleaned_data["registration_token"]
    try:
        with transaction.atomic():
            person = Person.objects.create(
                organisation=site.organisation,
                known_as=form.cleaned_data["known_as"],
                form_complete=False,
                registration_token=token,
                created_by=request.user,
            )
    except IntegrityError:
        person = get_object_or_404(
            Person, registration_token=token, organisation=site.organisation
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
    site = _get_site_for_user(request, site_pk)
    form = HeadCountForm(request.POST, organisation=site.organisation)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"Head-count not added: {errors}")
        return redirect("attendance:today", site.pk)
    count = form.cleaned_data["count"]
    session = Session.objects.today(site)
    now = timezone.now()
    visits = [
        Visit(
            session=session,
            arrived_at=now,
            activity=form.cleaned_data["activity"],
            signed_in_by=request.user,
        )
        for _ in range(count)
    ]
    visits[0].request_token = form.cleaned_data["request_token"]
    try:
        with transaction.atomic():
            Visit.objects.bulk_create(visits)
    except IntegrityError:
        return _after_change(request, site, "That head-count was already added.")
    noun = "visitor" if count == 1 else "visitors"
    return _after_change(request, site, f"Added {count} unnamed {noun}.")


@require_GET
@role_required(*TEAM)
def fire_register(request, site_pk: int):
    site = _get_site_for_user(request, site_pk)
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


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def paper(request):
    """Type in a past day's paper sign-in sheet: names matched, then confirmed."""
    sites = Site.objects.filter(
        is_active=True, organisation_id__in=org_ids(request.user)
    )
    form = PaperSheetForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        site, date = form.cleaned_data["site"], form.cleaned_data["date"]
        lines = form.cleaned_data["names"]
        people = Person.objects.filter(organisation=site.organisation)
        rows = []
        for i, name in enumerate(lines):
            key = fold(name)
            matches = [p for p in people.search(name)[:8] if _exact(p, key)] or list(
                people.search(name)[:8]
            )
            choice = request.POST.get(f"line-{i}", "")
            rows.append({"i": i, "name": name, "matches": matches, "choice": choice})
        token = form.cleaned_data["request_token"] or uuid.uuid4()
        if "confirm" in request.POST:
            created, already = _save_paper(request, site, date, rows, token)
            messages.success(
                request,
                f"Saved {created} visits from the paper sheet for {site} on "
                f"{date:%-d %B %Y}."
                + (f" {already} were already recorded." if already else ""),
            )
            return redirect("attendance:paper")
        return render(
            request,
            "attendance/paper.html",
            {"form": form, "rows": rows, "site": site, "date": date, "token": token},
        )
    return render(request, "attendance/paper.html", {"form": form})


def _exact(person: Person, key: str) -> bool:
    return key in (fold(person.known_as), fold(person.full_name))


def _save_paper(request, site, date, rows, token) -> tuple[int, int]:
    created = already = 0
    with transaction.atomic():
        session = Session.objects.on(site, date)
        # A paper sheet has no times: say they came when the session opened.
        arrived = timezone.make_aware(
            dt.datetime.combine(date, session.opens or dt.time(10, 0))
        )
        left = arrived if date < timezone.localdate() else None
        by_id = {str(p.pk): p for row in rows for p in row["matches"]}
        for row in rows:
            choice = row["choice"] or (
                str(row["matches"][0].pk) if len(row["matches"]) == 1 else "new"
            )
            if choice == "skip":
                continue
            person = by_id.get(choice)
            if person is None:
                # Derived from the sheet's token, so saving it twice adds no one twice.
                line_token = uuid.uuid5(token, str(row["i"]))
                person = Person.objects.filter(registration_token=line_token).first()
                person = person or Person.objects.create(
                    organisation=site.organisation,
                    known_as=row["name"],
                    form_complete=False,
                    registration_token=line_token,
                    created_by=request.user,
                )
            visit, was_new = Visit.objects.sign_in(
                person, session, by=request.user, method=Visit.PAPER, at=arrived
            )
            if was_new:
                if left:
                    visit.left_at = left
                    visit.save(update_fields=["left_at"])
                created += 1
            else:
                already += 1
    return created, already


@require_GET
@role_required(*TEAM)
def person_list(request):
    q = request.GET.get("q", "").strip()[:100]
    to_finish = request.GET.get("to_finish") == "1"
    people = Person.objects.for_user(request.user)
    if to_finish:
        people = people.forms_to_finish()
    if fold(q):
        people = people.search(q)
    total = people.count()
    return render(
        request,
        "attendance/person_list.html",
        {"people": people[:100], "total": total, "q": q, "to_finish": to_finish},
    )


@require_GET
@role_required(*TEAM)
def person_detail(request, pk: int):
    person = _get_person_for_user(request, pk)
    visits = person.visits.select_related("session__site", "activity").order_by(
        "-session__date"
    )[:20]
    return render(
        request,
        "attendance/person_detail.html",
        {
            "person": person,
            "contacts": person.emergency_contacts.all(),
            "summary": person.visit_summary(),
            "visits": visits,
            "agreed_statement": person.organisation.data_use_statement_version(
                person.data_use_version
            )
            if person.data_use_agreed_at
            else None,
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def person_edit(request, pk: int):
    person = _get_person_for_user(request, pk)

    def on_saved(saved, duplicate):
        messages.success(request, f"{saved.known_as}'s details are saved.")
        return redirect(saved)

    return _person_form_view(
        request,
        person=person,
        organisation=person.organisation,
        template="attendance/person_form.html",
        context={"person": person},
        on_saved=on_saved,
    )


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def activities(request):
    organisations = [
        m.organisation for m in memberships(request.user) if m.role == COORDINATOR
    ]
    organisation = organisations[0]
    form = ActivityForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        toggle = request.POST.get("toggle", "")
        if toggle.isdigit():
            activity = get_object_or_404(
                Activity, pk=int(toggle), organisation=organisation
            )
            activity.is_active = not activity.is_active
            activity.save(update_fields=["is_active"])
            return redirect("attendance:activities")
        if form.is_valid():
            activity = form.save(commit=False)
            activity.organisation = organisation
            activity.save()
            messages.success(request, f"Added “{activity.name}”.")
            return redirect("attendance:activities")
    return render(
        request,
        "attendance/activities.html",
        {
            "form": form,
            "activities": Activity.objects.filter(organisation=organisation),
            "organisation": organisation,
        },
    )


# The kiosk: a tablet at the door that a woman uses herself. It never shows
# anything stored about anyone, and goes back to the start after each person.


def _kiosk_site(request) -> Site:
    kiosk = next((m for m in memberships(request.user) if m.role == KIOSK), None)
    if kiosk is None:
        raise PermissionDenied
    return kiosk.site


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_home(request):
    return render(request, "attendance/kiosk.html", {"site": _kiosk_site(request)})


@kiosk_allowed
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(KIOSK)
def kiosk_returning(request):
    site = _kiosk_site(request)
    form = KioskNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        typed = " ".join(form.cleaned_data["name"].split())
        key = fold(typed)
        candidates = [
            p
            for p in Person.objects.filter(organisation=site.organisation).search(
                typed
            )[:10]
            if _exact(p, key)
        ]
        if len(candidates) == 1:
            Visit.objects.sign_in(
                candidates[0],
                Session.objects.today(site),
                by=request.user,
                method=Visit.KIOSK,
            )
            request.session["kiosk_greeting"] = typed
            return redirect("attendance:kiosk_done")
        PendingArrival.objects.create(site=site, name_typed=typed)
        request.session["kiosk_greeting"] = ""
        return redirect("attendance:kiosk_see_us")
    return render(
        request, "attendance/kiosk_returning.html", {"form": form, "site": site}
    )


@kiosk_allowed
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(KIOSK)
def kiosk_new(request):
    site = _kiosk_site(request)
    organisation = site.organisation
    person = Person(organisation=organisation)
    data = request.POST if request.method == "POST" else None
    form = KioskPersonForm(
        data,
        instance=person,
        organisation=organisation,
        initial={"registration_token": new_token()},
    )
    formset = ContactFormSet(data, instance=person, prefix="contacts")
    if request.method == "POST":
        ok = form.is_valid() & formset.is_valid()
        if ok and _has_contacts(formset) and not form.cleaned_data["agrees"]:
            form.add_error("agrees", form.AGREE_MESSAGE)
            ok = False
        if ok:
            try:
                with transaction.atomic():
                    person = form.save(commit=False)
                    person.created_by = request.user
                    person.save()
                    formset.instance = person
                    formset.save()
            except IntegrityError:
                person = get_object_or_404(
                    Person,
                    registration_token=form.cleaned_data["registration_token"],
                    organisation=organisation,
                )
            Visit.objects.sign_in(
                person, Session.objects.today(site), by=request.user, method=Visit.KIOSK
            )
            request.session["kiosk_greeting"] = person.known_as
            return redirect("attendance:kiosk_done")
    return render(
        request,
        "attendance/kiosk_new.html",
        {
            "form": form,
            "formset": formset,
            "site": site,
            "organisation": organisation,
            "cancel_url": reverse("attendance:kiosk"),
        },
    )


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_done(request):
    name = request.session.pop("kiosk_greeting", "")
    return render(
        request,
        "attendance/kiosk_done.html",
        {
            "name": name,
            "site": _kiosk_site(request),
            "reset_to": reverse("attendance:kiosk"),
        },
    )


@kiosk_allowed
@require_GET
@role_required(KIOSK)
def kiosk_see_us(request):
    request.session.pop("kiosk_greeting", None)
    return render(
        request,
        "attendance/kiosk_see_us.html",
        {"site": _kiosk_site(request), "reset_to": reverse("attendance:kiosk")},
    )


@require_POST
@role_required(*TEAM)
def pending_dismiss(request, pk: int):
    arrival = get_object_or_404(
        PendingArrival, pk=pk, site__organisation_id__in=org_ids(request.user)
    )
    site = arrival.site
    arrival.delete()
    return _after_change(request, site, "Done.")
