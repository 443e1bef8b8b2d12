"""Actions that send mail or change several records at once: kept apart from
the models so a slow mail server, or a wide change, is obvious."""

import logging
import smtplib
import ssl

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from peerspace.accounts.models import Organisation, Partnership
from peerspace.mail import why_email_cannot_leave

from .models import ReflectionSession, UrgentAlert, Worry, safeguarding_members

logger = logging.getLogger(__name__)


def raise_alert(worry: Worry, link: str) -> UrgentAlert:
    """Record that the safeguarding members must be told now, and tell them.

    The alert is saved before anything is sent, so if sending fails (or the
    process dies half way) it stays "not sent" and is retried and shown.
    """
    alert = UrgentAlert.objects.create(worry=worry, link=link)
    deliver(alert)
    return alert


def retry_unsent() -> tuple[int, int]:
    """Try every alert not yet sent or acknowledged again: (sent, still not sent)."""
    sent = unsent = 0
    for alert in UrgentAlert.objects.not_sent().select_related("worry"):
        if deliver(alert):
            sent += 1
        else:
            unsent += 1
    return sent, unsent


def alert_email(alert: UrgentAlert, to: str, language: str = "") -> EmailMessage:
    """Email isn't encrypted and can be forwarded, read over a shoulder or kept
    for years: it names no one (not her, not her initials, not who raised it)
    and says nothing of the worry. Only that there is one, and where.

    In the member's own language (her profile's), else the organisation's."""
    language = language or alert.worry.organisation.default_language
    raised = timezone.localtime(alert.worry.raised_at)
    with translation.override(language):
        when = {
            "time": formats.time_format(raised, "H:i"),
            "day": formats.date_format(raised, "j F"),
        }
        body = "\n\n".join(
            [
                gettext(
                    "Someone on our team has raised a worry and said a person may "
                    "be at risk of serious harm now (raised %(time)s on %(day)s)."
                )
                % when,
                gettext(
                    "Please sign in and read it straight away, and get in touch "
                    "with whoever raised it:\n%(link)s"
                )
                % {"link": alert.link},
                gettext(
                    "For everyone's privacy this email names no one and says "
                    "nothing more."
                ),
            ]
        )
        subject = gettext("%(site)s: urgent worry, someone may be at risk now") % {
            "site": settings.SITE_NAME
        }
    return EmailMessage(subject, body, None, [to])


def deliver(alert: UrgentAlert) -> bool:
    """Email the alert to each safeguarding member of the worry's organisation.

    One message per member, so the record can say whether the mail server
    accepted every one: "sent" means it did, anything less is "not sent".
    """
    if not alert.claim_attempt():
        return alert.is_sent
    members = safeguarding_members(alert.worry.organisation).select_related("profile")
    # Each address once, in its member's language.
    languages = {u.email: _profile_language(u) for u in members if u.email}
    recipients = sorted(languages)
    error = why_email_cannot_leave()
    if not error and not recipients:
        error = "None of our safeguarding members has an email address."
    accepted = 0
    if not error:
        try:
            with get_connection() as connection:
                for to in recipients:
                    try:
                        accepted += connection.send_messages(
                            [alert_email(alert, to, languages[to])]
                        )
                    except Exception as e:
                        error = describe_failure(e)
        except Exception as e:
            error = describe_failure(e)
        if not error and accepted < len(recipients):
            error = "The mail server didn't take every email."
    alert.record_outcome(recipients=len(recipients), delivered=accepted, error=error)
    if error:
        logger.warning("Urgent alert %s not sent: %s", alert.pk, error)
    return alert.is_sent


def _profile_language(user) -> str:
    try:
        return user.profile.language
    except ObjectDoesNotExist:
        return ""


def describe_failure(exc: Exception) -> str:
    """What went wrong, in words fit for the record and the log.

    Never the exception's own text: smtplib's can hold email addresses.
    """
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"The mail server refused our login ({exc.smtp_code})."
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "The mail server refused a safeguarding member's address."
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"The mail server refused our From address ({exc.smtp_code})."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server said no ({exc.smtp_code})."
    # smtplib reports a reply that never came as the server hanging up.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return "The mail server didn't answer in time."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "The mail server hung up."
    if isinstance(exc, ssl.SSLError):
        return (
            "A secure connection to the mail server failed: check EMAIL_USE_TLS, "
            "EMAIL_USE_SSL and EMAIL_PORT."
        )
    if isinstance(exc, ConnectionRefusedError):
        return "The mail server refused the connection: is it running on that port?"
    if isinstance(exc, OSError):
        return f"Couldn't reach the mail server ({exc.strerror or type(exc).__name__})."
    return f"Sending failed ({type(exc).__name__})."


def end_partnership(partnership: Partnership, by, organisation: Organisation) -> bool:
    """End a partnership, and take each group's members off the sessions the
    other has planned: they won't be there, and their names are no longer
    shared. Sessions already held (today's too) keep who was there: each
    host's record."""
    with transaction.atomic():
        if not partnership.end(by=by, organisation=organisation):
            return False
        if partnership.partner_id is None:
            return True
        pair = (partnership.organisation_id, partnership.partner_id)
        users = get_user_model().objects
        for host, guest in (pair, pair[::-1]):
            theirs = users.filter(memberships__organisation_id=guest).exclude(
                memberships__organisation_id=host
            )
            planned = ReflectionSession.objects.filter(
                host_id=host, partners=guest, date__gt=timezone.localdate()
            )
            for session in planned:
                session.attendees.remove(*theirs)
    return True
