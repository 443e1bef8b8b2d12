"""People's pages, paper sign-in sheets and the activity list."""

import datetime as dt
import uuid

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from peerspace import i18n
from peerspace.accounts.models import is_main_language
from peerspace.fields import parse_id
from peerspace.forms import keep_as_typed
from peerspace.permissions import (
    COORDINATOR,
    TEAM,
    org_url,
    organisation_for,
    role_required,
)
from peerspace.text import fold

from ..forms import (
    ActivityForm,
    PaperSheetForm,
)
from ..models import (
    Activity,
    OfflineEntry,
    Person,
    Session,
    Visit,
)
from .common import (
    get_person_for_user,
    person_form_view,
    sites_for_user,
)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def paper(request):
    """Type in a past day's paper sign-in sheet: names matched, then confirmed."""
    sites = sites_for_user(request)
    form = PaperSheetForm(request.POST or None, sites=sites)
    if "edit" in request.POST:
        # Back to the names as typed, to put one right: not retyped from scratch.
        return render(request, "attendance/paper.html", {"form": keep_as_typed(form)})
    if request.method == "POST" and form.is_valid():
        site, date = form.cleaned_data["site"], form.cleaned_data["date"]
        lines = form.cleaned_data["names"]
        people = (
            Person.objects.filter(organisation=site.organisation)
            .with_last_visit()
            .recorded_on(site, date)
        )
        rows = []
        for i, name in enumerate(lines):
            found = people.called(name, 8) or list(people.search(name)[:8])
            # Someone already recorded that day is never offered again: the
            # line says so, and is skipped unless someone else is chosen.
            already = [p for p in found if p.recorded]
            matches = [p for p in found if not p.recorded]
            choice = request.POST.get(f"line-{i}", "")
            if not choice and already:
                choice = "skip"
            rows.append(
                {
                    "i": i,
                    "name": name,
                    "matches": matches,
                    "already": already,
                    "choice": choice,
                }
            )
        token = form.cleaned_data["request_token"] or uuid.uuid4()
        if "confirm" in request.POST:
            created, already = _save_paper(request, site, date, rows, token)
            saved = ngettext(
                "Saved %(count)s visit from the paper sheet for %(site)s on %(day)s.",
                "Saved %(count)s visits from the paper sheet for %(site)s on %(day)s.",
                created,
            ) % {
                "count": created,
                "site": site,
                "day": date_format(date, "DATE_FORMAT"),
            }
            if already:
                saved += " " + ngettext(
                    "%(count)s was already recorded.",
                    "%(count)s were already recorded.",
                    already,
                ) % {"count": already}
            messages.success(request, saved)
            return redirect("attendance:paper")
        return render(
            request,
            "attendance/paper.html",
            {"form": form, "rows": rows, "site": site, "date": date, "token": token},
        )
    return render(
        request,
        "attendance/paper.html",
        # Names typed at the door while offline that need matching.
        {"form": form, "offline": OfflineEntry.objects.to_match(sites)},
    )


def _save_paper(request, site, date, rows, token) -> tuple[int, int]:
    created = already = 0
    with transaction.atomic():
        session = Session.objects.on(site, date)
        # A paper sheet has no times: say they came when the session opened.
        arrived = timezone.make_aware(
            dt.datetime.combine(date, session.opens or dt.time(10, 0))
        )
        left = arrived if date < timezone.localdate() else None
        # Someone already recorded that day may still be chosen (the sheet sent
        # again): her visit is found, not made twice.
        by_id = {
            str(p.pk): p for row in rows for p in (*row["matches"], *row["already"])
        }
        for row in rows:
            choice = row["choice"] or (
                str(row["matches"][0].pk) if len(row["matches"]) == 1 else "new"
            )
            if choice == "skip" or (choice != "new" and choice not in by_id):
                continue
            person = by_id.get(choice)
            if person is None:
                # Derived from the sheet's token, so saving it twice adds no one twice.
                person, _ = Person.objects.save_once(
                    Person(
                        organisation=site.organisation,
                        known_as=row["name"],
                        form_complete=False,
                        registration_token=uuid.uuid5(token, str(row["i"])),
                        created_by=request.user,
                    )
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
    person = get_person_for_user(request, pk)
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
            "agreed_statement": person.agreed_statement(),
            # The language she read them in, when it wasn't English.
            "agreed_in": ""
            if is_main_language(person.data_use_language)
            else i18n.language_name(person.data_use_language),
            "export_languages": i18n.languages_with_catalogue(),
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def person_edit(request, pk: int):
    person = get_person_for_user(request, pk)

    def on_saved(saved, duplicate):
        messages.success(
            request, _("%(name)s's details are saved.") % {"name": saved.known_as}
        )
        return redirect(saved)

    return person_form_view(
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
    organisation = organisation_for(request, COORDINATOR)
    form = ActivityForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        toggle = parse_id(request.POST.get("toggle"))
        if toggle:
            activity = get_object_or_404(Activity, pk=toggle, organisation=organisation)
            activity.is_active = not activity.is_active
            activity.save(update_fields=["is_active"])
            return redirect(org_url("attendance:activities", organisation))
        if form.is_valid():
            activity = form.save(commit=False)
            activity.organisation = organisation
            activity.save()
            messages.success(request, _("Added “%(name)s”.") % {"name": activity.name})
            return redirect(org_url("attendance:activities", organisation))
    return render(
        request,
        "attendance/activities.html",
        {
            "form": form,
            "activities": Activity.objects.filter(organisation=organisation),
            "organisation": organisation,
        },
    )
