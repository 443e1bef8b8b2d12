"""Whether email can reach a person, and the deploy check that insists it can.

An urgent worry is emailed to the safeguarding members and a forgotten password
is reset by email. A backend that only writes mail to the log, keeps it in
memory or throws it away tells nobody, and a log full of reset links is a way
into someone's account, so `check --deploy` refuses them.
"""

from django.conf import settings
from django.core.checks import Error, Warning

SMTP = "django.core.mail.backends.smtp.EmailBackend"
# Django's backends that never hand mail to anyone, and what they do instead.
STAYS_ON_THIS_MACHINE = {
    "django.core.mail.backends.console.EmailBackend": "only writes email to the server's log",
    "django.core.mail.backends.locmem.EmailBackend": "only keeps email in memory",
    "django.core.mail.backends.filebased.EmailBackend": "only writes email to files on the server",
    "django.core.mail.backends.dummy.EmailBackend": "throws email away",
}


def why_email_cannot_leave() -> str:
    """Why mail sent now would reach nobody, in plain words; "" if it can go."""
    backend = settings.EMAIL_BACKEND
    if backend in STAYS_ON_THIS_MACHINE:
        return f"This server isn't set up to send email: it {STAYS_ON_THIS_MACHINE[backend]}."
    if backend == SMTP and not settings.EMAIL_HOST:
        return "This server isn't set up to send email: no mail server (EMAIL_HOST) is set."
    if backend == SMTP and settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL:
        return (
            "This server can't send email: EMAIL_USE_TLS and EMAIL_USE_SSL are both on."
        )
    return ""


def check_email_reaches_people(app_configs, **kwargs):
    problems = []
    reason = why_email_cannot_leave()
    if reason:
        problems.append(
            Error(
                f"{reason} Urgent worries and password resets are sent by email.",
                hint=(
                    "Set EMAIL_HOST, and EMAIL_USE_TLS=1 (port 587) or EMAIL_USE_SSL=1 "
                    "(port 465), EMAIL_HOST_USER and EMAIL_HOST_PASSWORD, and remove "
                    "EMAIL_BACKEND; see docs/deploy.md. Then try it with "
                    "`manage.py sendtestemail you@example.org`."
                ),
                id="peerspace.E002",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith("@localhost"):
        problems.append(
            Warning(
                "DEFAULT_FROM_EMAIL is an address at localhost: mail servers refuse "
                "or bin mail from it.",
                hint="Set DEFAULT_FROM_EMAIL to an address at your own domain.",
                id="peerspace.W002",
            )
        )
    return problems
