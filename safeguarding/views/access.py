"""Access helpers: one per object type. Outside the user's scope is always a 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from peerspace.accounts.models import Organisation, Partnership
from peerspace.permissions import SAFEGUARDING, has_role, org_ids

from ..models import Action, ReflectionSession, UrgentAlert, Worry


def get_worry_for_user(request: HttpRequest, pk: int, *, full: bool = True) -> Worry:
    """A worry the user may know exists; `full` needs the safeguarding role.

    The person who raised a worry knows it exists, so she gets a 403, not a 404,
    when she tries to read it in full.
    """
    worry = get_object_or_404(
        Worry.objects.for_user(request.user).select_related(
            "person", "organisation", "raised_by"
        ),
        pk=pk,
    )
    if full and not has_role(request.user, worry.organisation_id, SAFEGUARDING):
        raise PermissionDenied
    return worry


def get_session_for_user(
    request: HttpRequest, pk: int, *, host: bool = False
) -> ReflectionSession:
    """A session the user's group hosted or joined; `host` to change it."""
    session = get_object_or_404(
        ReflectionSession.objects.for_user(request.user)
        .select_related("host")
        .prefetch_related("partners", "answers"),
        pk=pk,
    )
    if host and not has_role(request.user, session.host_id, SAFEGUARDING):
        raise PermissionDenied
    return session


def get_invitation_for_user(
    request: HttpRequest, pk: int
) -> tuple[ReflectionSession, Organisation]:
    """A session the user's group is invited to as a partner, and that group.

    Invited means the host named the group and the two are partners now; the
    group may have said yes, no or nothing yet.
    """
    ids = org_ids(request.user, SAFEGUARDING)
    session = get_object_or_404(
        ReflectionSession.objects.select_related("host").prefetch_related(
            "partners", "answers"
        ),
        pk=pk,
    )
    partners_of_host = set(session.host.partners().values_list("pk", flat=True))
    for organisation in session.partners.all():
        if organisation.pk in ids and organisation.pk in partners_of_host:
            return session, organisation
    raise Http404


def get_partnership_for_user(
    request: HttpRequest, pk: int
) -> tuple[Partnership, Organisation]:
    """A partnership one of the user's groups asked for or was asked, and
    that group (the one asked, if she is a safeguarding member of both)."""
    ids = org_ids(request.user, SAFEGUARDING)
    partnership = get_object_or_404(
        Partnership.objects.involving(*ids).select_related("organisation", "partner"),
        pk=pk,
    )
    if partnership.partner_id in ids:
        return partnership, partnership.partner
    return partnership, partnership.organisation


def get_session_worry_for_user(
    request: HttpRequest, session: ReflectionSession, pk: int
) -> tuple[Worry, bool]:
    """A worry in a session, and whether it is the user's own group's.

    Her own group's worries can all be discussed; another group's only if that
    group brought it to this session.
    """
    worry = get_object_or_404(
        Worry.objects.select_related("person", "organisation", "raised_by"),
        pk=pk,
        organisation_id__in=session.organisation_ids(),
    )
    own = worry.organisation_id in own_orgs(request, session)
    if not own and not session.brought.shared().filter(worry=worry).exists():
        raise Http404
    return worry, own


def get_action_for_user(request: HttpRequest, pk: int) -> Action:
    return get_object_or_404(
        Action.objects.select_related("worry"),
        pk=pk,
        worry__organisation_id__in=org_ids(request.user, SAFEGUARDING),
    )


def get_alert_for_user(request: HttpRequest, pk: int) -> UrgentAlert:
    """An urgent alert about one of the safeguarding member's own group's worries."""
    return get_object_or_404(
        UrgentAlert.objects.for_safeguarding(request.user).select_related("worry"),
        pk=pk,
    )


def own_orgs(request, session: ReflectionSession) -> list[int]:
    return sorted(set(org_ids(request.user, SAFEGUARDING)) & session.organisation_ids())
