"""Raising, reading and closing worries; a person's chronology."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance.models import Person
from peerspace.fields import parse_id
from peerspace.forms import carried, keep_as_typed
from peerspace.http import safe_next
from peerspace.permissions import SAFEGUARDING, TEAM, org_ids, role_required
from peerspace.permissions import organisations as team_organisations
from peerspace.text import fold

from .. import services
from ..forms import WorryForm, WorryStatusForm
from ..models import (
    AccessLog,
    Action,
    ReflectionSession,
    SafeguardingSettings,
    Worry,
    WorryReview,
)
from .access import get_alert_for_user, get_worry_for_user


@require_GET
@role_required(*TEAM)
def worry_list(request):
    status = request.GET.get("status", "active")
    everyone = Worry.objects.for_user(request.user, full=True).select_related(
        "person", "organisation", "raised_by"
    )
    if status == "active":
        everyone = everyone.active()
    elif status in dict(Worry.STATUSES):
        everyone = everyone.filter(status=status)
    mine = (
        Worry.objects.for_user(request.user)
        .filter(raised_by=request.user)
        .select_related("person")
    )
    is_safeguarding = bool(org_ids(request.user, SAFEGUARDING))
    return render(
        request,
        "safeguarding/worry_list.html",
        {
            "worries": everyone.order_by("raised_at", "id")[:200]
            if is_safeguarding
            else [],
            "mine": mine.order_by("-raised_at", "-id")[:100],
            "is_safeguarding": is_safeguarding,
            "status": status,
            "statuses": Worry.STATUSES,
        },
    )


def _her(request) -> Person | None:
    """Who the new worry is about: chosen on the form ("choose", which may
    be empty to choose no one), carried through it ("person"), or given in
    the link from her page."""
    if "choose" in request.POST:
        pk = parse_id(request.POST["choose"])
    else:
        pk = parse_id(request.POST.get("person") or request.GET.get("person"))
    if not pk:
        return None
    return get_object_or_404(Person.objects.for_user(request.user), pk=pk)


def _people_called(request, q: str) -> list[Person]:
    if not fold(q):
        return []
    return list(Person.objects.for_user(request.user).search(q)[:20])


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def worry_new(request):
    """Raise a worry. Finding her, and choosing her, post the whole form back
    (or, with JavaScript, find her without leaving the page), so nothing
    already written about the worry is lost; only the last button saves."""
    data = request.POST if request.method == "POST" else None
    person = _her(request)
    organisations = team_organisations(request.user)
    form = WorryForm(data, person=person, organisations=organisations)
    looking = data is not None and ("find" in data or "choose" in data)
    if data is not None and not looking and form.is_valid():
        worry = form.save(commit=False)
        worry.person = person
        worry.organisation = (
            person.organisation
            if person
            else form.cleaned_data.get("organisation") or organisations[0]
        )
        worry.raised_by = request.user
        worry.save()
        if worry.is_serious:
            services.raise_alert(
                worry, request.build_absolute_uri(worry.get_absolute_url())
            )
        return redirect("safeguarding:worry_raised", worry.pk)
    if looking:
        keep_as_typed(form)
    q = (data or request.GET).get("q", "").strip()[:100]
    organisation = person.organisation if person else organisations[0]
    return render(
        request,
        "safeguarding/worry_form.html",
        {
            "form": form,
            "person": person,
            "q": q,
            "people": [] if person else _people_called(request, q),
            "carried": carried(data, form, "q", "find", "choose", "person"),
            "settings": SafeguardingSettings.for_organisation(organisation),
        },
    )


@require_GET
@role_required(*TEAM)
def find_her(request):
    """People by name, for the worry form's "Find her" (htmx): the results
    go inside the form, so choosing her posts everything already typed."""
    q = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "safeguarding/worry_form.html#people",
        {"q": q, "people": _people_called(request, q)},
    )


@require_GET
@role_required(*TEAM)
def worry_raised(request, pk: int):
    """Thank you, and what to do now if someone may be at risk."""
    worry = get_worry_for_user(request, pk, full=False)
    return render(
        request,
        "safeguarding/worry_raised.html",
        {
            "worry": worry,
            "settings": SafeguardingSettings.for_organisation(worry.organisation),
            # The page says "emailed" only if the mail server took every email.
            "alert": worry.alerts.order_by("-created_at", "-id").first(),
        },
    )


def _worry_page(request, worry: Worry, status_form=None):
    AccessLog.objects.record(request.user, AccessLog.WORRY, worries=[worry])
    reviews = list(
        worry.reviews.select_related("session__host", "referred_by", "reviewed_by")
    )
    # Talked about at a partner's session, after the partnership ended: the
    # group keeps what it decided, but that session is no longer open to it.
    open_sessions = set(
        ReflectionSession.objects.for_user(request.user)
        .filter(pk__in=[r.session_id for r in reviews])
        .values_list("pk", flat=True)
    )
    actions = worry.actions.select_related("assigned_to").order_by("done_at", "due")
    history = worry.history.select_related("history_user").order_by("-history_date")
    sessions = worry.brought_to.shared().select_related("session")
    alerts = worry.alerts.select_related("acknowledged_by")
    return render(
        request,
        "safeguarding/worry_detail.html",
        {
            "worry": worry,
            "reviews": reviews,
            "open_sessions": open_sessions,
            "actions": actions,
            "history": history[:50],
            "shared_in": sessions,
            "alerts": alerts,
            "status_form": status_form or WorryStatusForm(instance=worry),
            "today": timezone.localdate(),
        },
        status=400 if status_form else 200,
    )


@require_GET
@role_required(*TEAM)
def worry_detail(request, pk: int):
    return _worry_page(request, get_worry_for_user(request, pk))


@sensitive_post_parameters()
@require_POST
@role_required(*TEAM)
def worry_status(request, pk: int):
    worry = get_worry_for_user(request, pk)
    form = WorryStatusForm(request.POST, instance=worry)
    if not form.is_valid():
        # The form has already changed the instance: show the stored worry.
        return _worry_page(request, get_worry_for_user(request, pk), status_form=form)
    form.save()
    messages.success(
        request,
        _("Saved: %(status)s.") % {"status": worry.get_status_display().lower()},
    )
    return redirect(worry)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(*TEAM)
def worry_edit(request, pk: int):
    worry = get_worry_for_user(request, pk)
    was_serious = worry.is_serious
    form = WorryForm(request.POST if request.method == "POST" else None, instance=worry)
    if request.method == "POST" and form.is_valid():
        worry = form.save()
        if worry.is_serious and not was_serious:
            alert = services.raise_alert(
                worry, request.build_absolute_uri(worry.get_absolute_url())
            )
            if alert.is_sent:
                messages.success(
                    request, _("Saved. We have emailed our safeguarding members.")
                )
            else:
                messages.error(
                    request,
                    _(
                        "Saved, but the email to our safeguarding members wasn't "
                        "sent, so nobody has been told yet. Please phone one of "
                        "them now."
                    ),
                )
        else:
            messages.success(
                request, _("Saved. The earlier version is kept in its history.")
            )
        return redirect(worry)
    return render(
        request,
        "safeguarding/worry_form.html",
        {
            "form": form,
            "worry": worry,
            "person": worry.person,
            "settings": SafeguardingSettings.for_organisation(worry.organisation),
        },
    )


@require_POST
@role_required(SAFEGUARDING)
def alert_retry(request, pk: int):
    alert = get_alert_for_user(request, pk)
    if services.deliver(alert):
        messages.success(request, _("Sent: our safeguarding members have the email."))
    else:
        messages.error(
            request, _("Still not sent. %(error)s") % {"error": alert.last_error}
        )
    return redirect(safe_next(request, alert.worry.get_absolute_url()))


@require_POST
@role_required(SAFEGUARDING)
def alert_acknowledge(request, pk: int):
    """A safeguarding member knows about the worry: no more retries or banner."""
    alert = get_alert_for_user(request, pk)
    if alert.acknowledge(by=request.user):
        messages.success(
            request,
            _("Thank you. The worry's page keeps a note that the email wasn't sent."),
        )
    return redirect(safe_next(request, alert.worry.get_absolute_url()))


@require_GET
@role_required(*TEAM)
def chronology(request, person_pk: int):
    person = get_object_or_404(
        Person,
        pk=person_pk,
        organisation_id__in=org_ids(request.user, SAFEGUARDING),
    )
    worries = list(
        Worry.objects.for_user(request.user, full=True)
        .filter(person=person)
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=WorryReview.objects.select_related("session", "referred_by"),
            ),
            Prefetch("actions", queryset=Action.objects.select_related("assigned_to")),
        )
    )
    AccessLog.objects.record(
        request.user,
        AccessLog.CHRONOLOGY,
        organisation=person.organisation,
        person=person,
    )
    events = []
    for worry in worries:
        events.append((worry.raised_at.date(), 0, "raised", worry, None))
        for review in worry.reviews.all():
            events.append((review.session.date, 1, "review", worry, review))
            if review.is_referral and review.referral_date:
                events.append((review.referral_date, 2, "referral", worry, review))
        for action in worry.actions.all():
            events.append((action.created_at.date(), 3, "action", worry, action))
            if action.done_at:
                events.append((action.done_at.date(), 4, "done", worry, action))
        if worry.closed_at:
            events.append((worry.closed_at.date(), 5, "closed", worry, None))
    events.sort(key=lambda e: (e[0], e[1], e[3].pk))
    return render(
        request,
        "safeguarding/chronology.html",
        {
            "person": person,
            "worries": worries,
            "events": [
                {"date": d, "kind": k, "worry": w, "item": i}
                for d, _, k, w, i in events
            ],
        },
    )
