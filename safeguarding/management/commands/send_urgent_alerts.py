"""Retry urgent-worry emails that haven't reached anyone yet. Run from cron
every few minutes (docs/deploy.md): a mail server that was down when the worry
was raised gets the alert as soon as it is back."""

from django.core.management.base import BaseCommand

from safeguarding import services


class Command(BaseCommand):
    help = "Send urgent-worry alerts that couldn't be sent before."

    def handle(self, *args, **options):
        sent, unsent = services.retry_unsent()
        if sent:
            self.stdout.write(self.style.SUCCESS(f"{sent} urgent alert(s) sent."))
        if unsent:
            # Not an error exit: the alert is kept and tried again next time,
            # and the app shows the safeguarding members a banner meanwhile.
            self.stdout.write(f"{unsent} urgent alert(s) still not sent.")
