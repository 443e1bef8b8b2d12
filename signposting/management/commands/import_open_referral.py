"""Import Open Referral data into one organisation's directory: a JSON file of any
HSDS shape, the CSV data package (a .zip or a folder), or an API's address (every
page is fetched). --dry-run says what would happen and changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peerspace.accounts.models import Organisation
from signposting import hsds
from signposting.feeds import summary
from signposting.hsds.fetch import fetch_document


class Command(BaseCommand):
    help = "Import Open Referral (HSDS 3) services from a file, a folder or an API."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A .json or .zip file, a folder, or a URL")
        parser.add_argument("--org", required=True, help="The organisation's slug")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, source, org, dry_run, **options):
        try:
            organisation = Organisation.objects.get(slug=org)
        except Organisation.DoesNotExist:
            raise CommandError(f"There's no organisation “{org}”.") from None
        try:
            if source.startswith(("https://", "http://")):
                batch = fetch_document(source)
            elif Path(source).is_dir():
                batch = hsds.read_folder(Path(source))
            elif Path(source).is_file():
                batch = hsds.read_bytes(Path(source).read_bytes(), Path(source).name)
            else:
                raise CommandError(f"There's no file or folder at {source}.")
        except hsds.ImportFileError as e:
            raise CommandError(str(e)) from None
        plan = hsds.plan_import(organisation, batch)
        for note in [*plan.notes, *plan.unlinked]:
            self.stdout.write(note)
        if not plan.ok:
            raise CommandError("Nothing was imported:\n" + "\n".join(plan.errors))
        self.stdout.write(
            f"{len(plan.added)} to add, {len(plan.changed)} to change, "
            f"{len(plan.skipped)} unchanged: {summary(plan)}"
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        hsds.apply_import(plan)
        self.stdout.write(self.style.SUCCESS(f"Imported into {organisation}."))
