"""Write a funder report's PDF from the command line, the same as the download.

    python manage.py funder_report --template Quarterly --from 2025-04-01 \
        --to 2025-06-30 --out report.pdf
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peerspace.reports.models import ReportTemplate
from peerspace.reports.views import report_pdf_bytes


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise CommandError(f"{value!r} is not a date like 2025-04-01") from e


class Command(BaseCommand):
    help = "Write a saved funder report as a PDF, for every site, for a period."

    def add_arguments(self, parser):
        parser.add_argument("--template", required=True, help="the saved report's name")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument(
            "--org", default="", help="the organisation's slug, if names clash"
        )

    def handle(self, *args, template, start, end, out, org, **options):
        start, end = _date(start), _date(end)
        if end < start:
            raise CommandError("--to is before --from")
        found = ReportTemplate.objects.filter(name=template).select_related(
            "organisation"
        )
        if org:
            found = found.filter(organisation__slug=org)
        found = list(found[:2])
        if not found:
            raise CommandError(f"No saved report called {template!r}")
        if len(found) > 1:
            raise CommandError("More than one organisation has that name: use --org")
        pdf = report_pdf_bytes(found[0], start, end)
        Path(out).write_bytes(pdf)
        self.stdout.write(f"Wrote {out} ({len(pdf):,} bytes)")
