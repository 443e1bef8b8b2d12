"""Import a social value framework from a CSV or XLSX file: the same checks as
the page, all or nothing.

    python manage.py import_social_value framework.xlsx --org mended --dry-run
"""

from pathlib import Path, PurePath

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from attendance.views.transfer import Upload
from peerspace import spreadsheets
from peerspace.accounts.models import Organisation
from peerspace.reports.resources import SocialValueResource
from peerspace.reports.value_views import import_all_or_nothing


class Command(BaseCommand):
    help = "Import social value lines, counts, rates and income from a spreadsheet."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row, save nothing"
        )

    def handle(self, *args, file, org, dry_run, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {org!r}")
        path = Path(file)
        fmt = PurePath(file).suffix.lower().lstrip(".")
        if fmt not in spreadsheets.FORMATS:
            raise CommandError("Please give a .csv or .xlsx file.")
        try:
            sheet = Upload(path.name, fmt, path.read_bytes()).read()
            resource = SocialValueResource(organisation=organisation)
            resource.prepare(sheet.dataset)
        except OSError as e:
            raise CommandError(f"Can't read {file}: {e.strerror}") from e
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        for note in sheet.notes:
            self.stdout.write(note)
        preview = import_all_or_nothing(resource, sheet, dry_run=dry_run)
        for row in preview["rows"] if preview["problems"] else []:
            for problem in row["problems"]:
                self.stderr.write(f"Row {row['number']} ({row['who']}): {problem}")
        for problem in preview["base_problems"]:
            self.stderr.write(problem)
        if preview["problems"]:
            raise CommandError(
                f"Nothing imported: {preview['problems']} problem(s) to fix first."
            )
        done = "would be imported (dry run: nothing saved)" if dry_run else "imported"
        self.stdout.write(f"{preview['total']} rows {done} for {organisation.name}.")
