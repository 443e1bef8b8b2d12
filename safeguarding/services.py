"""Things that send mail: kept apart from models so a slow mail server is obvious."""

import logging

from django.conf import settings
from django.core.mail import send_mail

from .models import Worry, safeguarding_members

logger = logging.getLogger(__name__)


def notify_serious_harm(worry: Worry, url: str) -> int:
    """Email the organisation's safeguarding members at once.

    Email is not encrypted, so it says nothing about her or the worry: only that
    there is one, who raised it and where to read it. Returns how many people
    were sent it (0 if none could be, so the page can say "phone them").
    """
    recipients = sorted(
        {u.email for u in safeguarding_members(worry.organisation) if u.email}
    )
    if not recipients:
        return 0
    raiser = worry.raised_by.get_full_name() or worry.raised_by.get_username()
    body = (
        f"{raiser} has just raised a worry and said someone may be at risk of "
        "serious harm now.\n\n"
        f"Please read it and get in touch with {raiser} straight away:\n{url}\n\n"
        "(For her privacy this email says nothing more. Sign in to read it.)"
    )
    try:
        send_mail(
            f"{settings.SITE_NAME}: urgent worry, someone may be at risk now",
            body,
            None,
            recipients,
        )
    except Exception:
        # The worry is saved either way; the page tells them to phone instead.
        logger.exception("Could not send the serious-harm email for worry %s", worry.pk)
        return 0
    return len(recipients)
