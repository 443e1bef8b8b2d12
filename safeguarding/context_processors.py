from django.utils.functional import SimpleLazyObject

from peerspace.permissions import SAFEGUARDING, roles

from .models import UrgentAlert


def urgent_alerts(request) -> dict:
    """Urgent alerts nobody has received, for the banner on every page a
    safeguarding member of that group opens (templates/base.html).

    Lazy, so a page that doesn't show the banner (a PDF) runs no query.
    """
    user = getattr(request, "user", None)
    if user is None or SAFEGUARDING not in roles(user):
        return {}
    return {
        "urgent_alerts": SimpleLazyObject(
            lambda: list(
                UrgentAlert.objects.not_sent()
                .for_safeguarding(user)
                .select_related("worry")[:10]
            )
        )
    }
