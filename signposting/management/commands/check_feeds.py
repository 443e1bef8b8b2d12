"""The daily check of every Open Referral feed: what changed since the last check
is kept for a coordinator to accept on the feed's page. Nothing is changed here.
Run it from cron once a day."""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from signposting.feeds import check, summary
from signposting.hsds.fetch import FetchError
from signposting.models import Feed


class Command(BaseCommand):
    help = "Check every Open Referral feed and list what changed, for acceptance."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Only this organisation's feeds (its slug)")

    def handle(self, org=None, **options):
        feeds = Feed.objects.select_related("organisation").order_by(
            "organisation", "id"
        )
        if org:
            feeds = feeds.filter(organisation__slug=org)
        failed = 0
        for feed in feeds:
            where = f"{feed.organisation.slug}: {feed}"
            try:
                plan = check(feed)
            except FetchError as e:
                failed += 1
                self.stderr.write(f"{where}: couldn't be read: {e}")
                continue
            line = summary(plan)
            if line != "no changes":
                line += f" (to accept: {reverse('signposting:feed', args=[feed.pk])})"
            self.stdout.write(f"{where}: {line}")
        if failed:
            raise CommandError(f"{failed} feed(s) couldn't be read.")
