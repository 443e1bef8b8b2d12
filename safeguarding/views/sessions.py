"""Reflection sessions: planning, the agenda, running it, minutes, actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerspace.accounts.models import Organisation
from peerspace.fields import parse_id
from peerspace.forms import keep_as_typed
from peerspace.http import is_htmx, safe_next
from peerspace.pdf import pdf_response, render_pdf
from peerspace.permissions import SAFEGUARDING, organisation_for, role_required

from ..forms import ActionFormSet, JoinForm, ReviewForm, SessionForm, team_of
from ..models import (
    AccessLog,
    Action,
    ReflectionSession,
    SessionAnswer,
    SessionWorry,
    WorryReview,
)
from .access import (
    get_action_for_user,
    get_invitation_for_user,
    get_session_for_user,
    get_session_worry_for_user,
    own_orgs,
)


@require_GET
@role_required(SAFEGUARDING)
def session_list(request):
    sessions = ReflectionSession.objects.for_user(request.user)
    today = timezone.localdate()
    invitations = (
        ReflectionSession.objects.invitations_for_user(request.user)
        .filter(date__gte=today)
        .select_related("host")
        .prefetch_related("answers")
        .order_by("date")
    )
    return render(
        request,
        "safeguarding/session_list.html",
        {
            "invitations": invitations,
            "upcoming": sessions.filter(date__gte=today)
            .order_by("date")
            .with_partners(),
            "past": sessions.filter(date__lt=today).with_partners(limit=50),
        },
    )


def _plan(request, session: ReflectionSession, *, saved: str, initial=None):
    """The session form, for a new session or a change; `saved` is what to
    say once it is saved ("%(session)s" is the session).

    Ticking a partner group posts the form back (htmx, or the "Show who can
    come" button without JavaScript) to list that group's members, keeping
    everything typed; only the Save button saves.
    """
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, instance=session, host=session.host, initial=initial)
    refreshing = data is not None and "refresh" in data
    if data is not None and not refreshing and form.is_valid():
        session = form.save()
        messages.success(request, saved % {"session": session})
        return redirect(session)
    if refreshing:
        keep_as_typed(form)
    template = "safeguarding/session_form.html"
    if refreshing and is_htmx(request):
        template += "#attendees"
    return render(
        request,
        template,
        {
            "form": form,
            "host": session.host,
            "session": session if session.pk else None,
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(SAFEGUARDING)
def session_new(request):
    host = organisation_for(request, SAFEGUARDING)
    return _plan(
        request,
        ReflectionSession(host=host, created_by=request.user),
        saved=_("%(session)s is in the diary."),
        initial={
            "date": ReflectionSession.objects.suggested_date(host),
            "attendees": [request.user.pk],
        },
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(SAFEGUARDING)
def session_edit(request, pk: int):
    return _plan(
        request, get_session_for_user(request, pk, host=True), saved=_("Saved.")
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(SAFEGUARDING)
def session_invitation(request, pk: int):
    """A partner group's answer to a session it is invited to: yes, with who
    of its own is coming, or not this time. Until it says yes it sees the
    date and the host's name, nothing more."""
    session, organisation = get_invitation_for_user(request, pk)
    answer = session.answer_for(organisation)
    # Our own members (anyone also on the host's team is the host's to list).
    ours = set(
        team_of([organisation.pk])
        .exclude(memberships__organisation=session.host)
        .values_list("pk", flat=True)
    )
    coming = [u.pk for u in session.attendees.all() if u.pk in ours]
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial={
            "attendees": coming if answer and answer.joining else [request.user.pk]
        },
    )
    if request.method == "POST":
        joining = request.POST.get("join") == "1"
        if not joining or form.is_valid():
            chosen = form.cleaned_data["attendees"] if joining else []
            with transaction.atomic():
                SessionAnswer.give(
                    session, organisation, joining=joining, by=request.user
                )
                session.attendees.remove(*ours)
                session.attendees.add(*chosen)
            if joining:
                messages.success(
                    request,
                    _("%(organisation)s is joining %(session)s.")
                    % {"organisation": organisation, "session": session},
                )
                return redirect(session)
            messages.success(
                request,
                _(
                    "Thank you. %(host)s will see that %(organisation)s isn't "
                    "joining this one."
                )
                % {"host": session.host, "organisation": organisation},
            )
            return redirect("safeguarding:sessions")
    return render(
        request,
        "safeguarding/session_invitation.html",
        {
            "session": session,
            "organisation": organisation,
            "answer": answer,
            "form": form,
        },
    )


@require_GET
@role_required(SAFEGUARDING)
def session_detail(request, pk: int):
    """The agenda, built from the records, and the screen to run the session on."""
    session = get_session_for_user(request, pk)
    own = own_orgs(request, session)
    brought = list(
        session.shared_worries().select_related("worry__person", "worry__organisation")
    )
    brought_ids = {b.worry_id for b in brought}
    reviews = {
        r.worry_id: r
        for r in session.reviews.filter(worry__organisation_id__in=own).select_related(
            "worry__person"
        )
    }
    agendas = []
    shown = []
    for organisation in Organisation.objects.filter(pk__in=own):
        agenda = session.agenda_for(organisation)
        agendas.append({"organisation": organisation, **agenda})
        shown += agenda["new"] + agenda["open"] + agenda["flagged"]
        shown += [a.worry for a in agenda["actions"]]
    on_agenda = {w.pk for w in shown}
    # Discussed here but no longer on the agenda (closed since, say).
    also_discussed = [r.worry for r in reviews.values() if r.worry_id not in on_agenda]
    shown += also_discussed
    from_partners = [b.worry for b in brought if b.worry.organisation_id not in own]
    for worry in shown:
        worry.this_review = reviews.get(worry.pk)
    AccessLog.objects.record(
        request.user,
        AccessLog.SESSION,
        organisation=session.host,
        worries={w.pk: w for w in shown + from_partners}.values(),
        session=session,
    )
    return render(
        request,
        "safeguarding/session_detail.html",
        {
            "session": session,
            "agendas": agendas,
            "reviews": reviews,
            "brought_ids": brought_ids,
            "also_discussed": also_discussed,
            "from_partners": [w.for_partner() for w in from_partners],
            "is_host": session.host_id in own,
            "is_joint": session.is_joint,
            "invited": session.invited() if session.host_id in own else [],
            "attendees": session.attendees.order_by("first_name", "username"),
            "today": timezone.localdate(),
        },
    )


@require_POST
@role_required(SAFEGUARDING)
def session_bring(request, pk: int):
    """Bring one of our worries to a joint session, or take it back out."""
    session = get_session_for_user(request, pk)
    worry_pk = parse_id(request.POST.get("worry"))
    if not worry_pk:
        raise Http404
    worry, own = get_session_worry_for_user(request, session, worry_pk)
    if not own:
        raise PermissionDenied
    link = SessionWorry.objects.filter(session=session, worry=worry).first()
    if request.POST.get("bring") == "1":
        if link is None:
            SessionWorry.objects.create(
                session=session, worry=worry, brought_by=request.user
            )
        elif link.withdrawn_at:
            link.withdrawn_at = None
            link.brought_by = request.user
            link.save()
        messages.success(
            request,
            _("%(about)s is shared with this session.") % {"about": worry.about},
        )
    elif link and not link.withdrawn_at:
        link.withdrawn_at = timezone.now()
        link.save()
        messages.success(
            request, _("%(about)s is no longer shared.") % {"about": worry.about}
        )
    return redirect(session)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@role_required(SAFEGUARDING)
def session_review(request, pk: int, worry_pk: int):
    """One worry in a session: discussion, decision, referral, actions, status."""
    session = get_session_for_user(request, pk)
    worry, own = get_session_worry_for_user(request, session, worry_pk)
    if not own:
        if request.method == "POST":
            raise PermissionDenied
        AccessLog.objects.record(
            request.user, AccessLog.REVIEW, worries=[worry], session=session
        )
        return render(
            request,
            "safeguarding/shared_worry.html",
            {"session": session, "shared": worry.for_partner()},
        )
    review = WorryReview.objects.filter(session=session, worry=worry).first()
    data = request.POST if request.method == "POST" else None
    form = ReviewForm(data, instance=review, worry=worry)
    actions = ActionFormSet(
        data,
        queryset=Action.objects.none(),
        prefix="actions",
        form_kwargs={"organisation_id": worry.organisation_id},
    )
    if request.method == "POST":
        if form.is_valid() and actions.is_valid():
            with transaction.atomic():
                review = form.save(commit=False)
                review.session, review.worry = session, worry
                review.reviewed_by = request.user
                review.save()
                for action_form in actions:
                    if (action_form.cleaned_data.get("what") or "").strip():
                        action = action_form.save(commit=False)
                        action.worry, action.review = worry, review
                        action.save()
                worry.flagged_for_review = form.cleaned_data["flag_next_time"]
                worry.set_status(
                    form.cleaned_data["status_after"],
                    form.cleaned_data["closed_reason"],
                )
            messages.success(
                request,
                _("Saved the discussion of %(about)s.") % {"about": worry.about},
            )
            return redirect(reverse("safeguarding:session", args=[session.pk]))
    else:
        AccessLog.objects.record(
            request.user, AccessLog.REVIEW, worries=[worry], session=session
        )
    return render(
        request,
        "safeguarding/review_form.html",
        {
            "session": session,
            "worry": worry,
            "form": form,
            "actions": actions,
            "open_actions": worry.actions.filter(done_at__isnull=True).select_related(
                "assigned_to"
            ),
            "earlier": worry.reviews.exclude(session=session).select_related("session"),
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@role_required(SAFEGUARDING)
def minutes(request, pk: int):
    """The minutes as the downloader's group may see them, marked confidential."""
    session = get_session_for_user(request, pk)
    own = own_orgs(request, session)
    reviews = list(
        session.reviews.filter(worry__organisation_id__in=own)
        .select_related("worry__person", "referred_by")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("assigned_to"))
        )
        .order_by("worry__raised_at", "id")
    )
    from_partners = [
        b.worry
        for b in session.shared_worries().select_related(
            "worry__organisation", "worry__person"
        )
        if b.worry.organisation_id not in own
    ]
    AccessLog.objects.record(
        request.user,
        AccessLog.MINUTES,
        organisation=session.host,
        worries=[r.worry for r in reviews] + from_partners,
        session=session,
    )
    pdf = render_pdf(
        "safeguarding/pdf/minutes.html",
        {
            "session": session,
            "reviews": reviews,
            "from_partners": [w.for_partner() for w in from_partners],
            "attendees": session.attendees.order_by("first_name", "username"),
            "printed_by": request.user,
            "printed_at": timezone.localtime(),
        },
        request,
    )
    return pdf_response(pdf, f"reflection-session-{session.pk}-{session.date}.pdf")


@require_POST
@role_required(SAFEGUARDING)
def action_done(request, pk: int):
    action = get_action_for_user(request, pk)
    action.toggle_done()
    if is_htmx(request):
        return render(
            request,
            "safeguarding/worry_detail.html#action",
            {"action": action, "today": timezone.localdate()},
        )
    return redirect(safe_next(request, action.worry.get_absolute_url()))
