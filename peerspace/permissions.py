"""Who may do what. Roles live on Membership(user, organisation, role).

Every query is scoped to the organisations where the user holds a role that may
see the thing; anything else is a 404 so nothing reveals that it exists.
"""

from collections.abc import Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied

from peerspace.accounts.models import Membership

FACILITATOR = Membership.FACILITATOR
COORDINATOR = Membership.COORDINATOR
SAFEGUARDING = Membership.SAFEGUARDING
KIOSK = Membership.KIOSK
# Everyone on the team can use the door and see people's details.
TEAM = (FACILITATOR, COORDINATOR, SAFEGUARDING)


def memberships(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_peerspace_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, user__is_active=True).select_related(
                "organisation", "site"
            )
        )
        user._peerspace_memberships = cached
    return cached


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def org_ids(user, roles: Iterable[str] = TEAM) -> list[int]:
    wanted = set(roles)
    return sorted({m.organisation_id for m in memberships(user) if m.role in wanted})


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
