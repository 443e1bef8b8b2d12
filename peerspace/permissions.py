"""Who may do what. Roles live on Membership(user, organisation, role).

Every query is scoped to the organisations where the user holds a role that may
see the thing; anything else is a 404 so nothing reveals that it exists.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse

from peerspace.accounts.models import Membership, Organisation
from peerspace.fields import parse_id

FACILITATOR = Membership.FACILITATOR
COORDINATOR = Membership.COORDINATOR
SAFEGUARDING = Membership.SAFEGUARDING
KIOSK = Membership.KIOSK
# Everyone on the team can use the door and see people's details.
TEAM = (FACILITATOR, COORDINATOR, SAFEGUARDING)
# The query parameter (or posted field) that says which organisation a page is
# for, when someone works for more than one.
ORG_PARAM = "org"


def memberships(user) -> list[Membership]:
    """Her roles, looked up once a request (every request asks)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_peerspace_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user_id=user.pk).select_related(
                "organisation", "site"
            )
        )
        user._peerspace_memberships = cached
    return cached


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def org_ids(user, *wanted: str) -> list[int]:
    """Ids of the organisations where the user holds one of these roles (any
    team role if none are named)."""
    wanted_roles = set(wanted or TEAM)
    return sorted(
        {m.organisation_id for m in memberships(user) if m.role in wanted_roles}
    )


def organisations(user, *wanted: str) -> list[Organisation]:
    """The organisations where the user holds one of these roles, by name."""
    wanted_roles = set(wanted or TEAM)
    found = {
        m.organisation_id: m.organisation
        for m in memberships(user)
        if m.role in wanted_roles
    }
    return sorted(found.values(), key=lambda o: (o.name, o.pk))


def organisation_for(request: HttpRequest, *wanted: str) -> Organisation:
    """The organisation the user is working in, with one of these roles.

    Someone who works for several picks one with ?org= (or a posted `org`);
    otherwise it is the first by name. An organisation she holds none of these
    roles in is a 404, so nothing says it exists; no such organisation at all
    is a 403.
    """
    found = organisations(request.user, *wanted)
    if not found:
        raise PermissionDenied
    chosen = request.GET.get(ORG_PARAM) or request.POST.get(ORG_PARAM)
    if not chosen:
        return found[0]
    pk = parse_id(chosen)
    for organisation in found:
        if organisation.pk == pk:
            return organisation
    raise Http404


def org_url(name: str, organisation: Organisation, *args) -> str:
    """A page's address for one organisation, as organisation_for() reads it."""
    return f"{reverse(name, args=args)}?{ORG_PARAM}={organisation.pk}"


def has_role(user, organisation_id: int, *wanted: str) -> bool:
    return any(
        m.organisation_id == organisation_id and m.role in wanted
        for m in memberships(user)
    )


def is_kiosk_only(user) -> bool:
    r = roles(user)
    return bool(r) and r == {KIOSK}


def role_required(*wanted: str):
    """403 unless the user holds one of these roles in some organisation."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not roles(request.user) & set(wanted):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
