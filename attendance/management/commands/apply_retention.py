"""Anonymise people not seen for a while (for cron). Visits stay as counts.

Receivers of `retention_review` (safeguarding) list the records due for review
by a person rather than removing them.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.dispatch import Signal
from django.utils import timezone

from attendance.models import Person
from attendance.services import erase_person

# Receivers get `cutoff` and return lines to print for people to review.
retention_review = Signal()


class Command(BaseCommand):
    help = "Erase the details of people not seen for --months (default 36)."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would happen; change nothing.",
        )

    def handle(self, *args, months, dry_run, **options):
        cutoff = timezone.localdate() - dt.timedelta(days=round(months * 365.25 / 12))
        due = list(
            Person.objects.not_seen_since(cutoff).order_by("organisation_id", "id")
        )
        verb = "Would erase" if dry_run else "Erased"
        for person in due:
            if not dry_run:
                erase_person(person)
        self.stdout.write(
            f"{verb} the details of {len(due)} "
            f"{'person' if len(due) == 1 else 'people'} not seen since {cutoff:%-d %B %Y}."
        )
        for _, lines in retention_review.send(sender=self.__class__, cutoff=cutoff):
            for line in lines or []:
                self.stdout.write(line)
