import datetime as dt

from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from attendance.models import Person, Visit
from peerspace import permissions
from peerspace.accounts.models import Site
from peerspace.accounts.views import two_factor_exempt
from peerspace.middleware import first_password_allowed, kiosk_allowed


@kiosk_allowed
@require_GET
def home(request):
    roles = permissions.roles(request.user)
    if roles == {permissions.KIOSK}:
        return redirect("attendance:kiosk")
    if not roles:
        return render(request, "no_role.html", status=403)
    if roles == {permissions.FACILITATOR}:
        return redirect("attendance:door")
    orgs = permissions.org_ids(request.user)
    today = timezone.localdate()
    month_start = today.replace(day=1)
    sites = Site.objects.filter(organisation_id__in=orgs, is_active=True).annotate(
        here=Count(
            "sessions__visits",
            filter=Q(sessions__date=today, sessions__visits__left_at__isnull=True),
        ),
    )
    month = Visit.objects.filter(
        session__site__organisation_id__in=orgs,
        session__date__gte=month_start,
        session__date__lte=today,
    ).aggregate(
        visits=Count("id"),
        people=Count("person", distinct=True),
        helped=Count("person", filter=Q(helped_out=True), distinct=True),
    )
    new_people = Person.objects.filter(
        organisation_id__in=orgs, created__date__gte=month_start
    ).count()
    return render(
        request,
        "home.html",
        {
            "sites": sites,
            "month": month,
            "month_start": month_start,
            "new_people": new_people,
            "to_finish": Person.objects.filter(organisation_id__in=orgs)
            .forms_to_finish()
            .count(),
            "week_ago": today - dt.timedelta(days=7),
        },
    )


@login_not_required
@require_GET
def healthz(request):
    """For load balancers and uptime checks; also the benchmark's floor."""
    return HttpResponse("ok", content_type="text/plain")


@first_password_allowed
@two_factor_exempt
@kiosk_allowed
@require_POST
def logout(request):
    auth_logout(request)
    response = redirect("login")
    # Shared devices: drop what the browser kept of the last pages. Not
    # "cookies": the session is already gone and the tablet keeps its site.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    # No request context: the database may be what failed.
    return HttpResponseServerError(render_to_string("500.html"))
