"""Write a funder report from the command line: the same PDF as the download,
and every table as CSV, so the figures can be checked against a spreadsheet.

    python manage.py funder_report --template Quarterly --from 2025-04-01 \
        --to 2025-06-30 --out report.pdf
    python manage.py funder_report --org mended --sections social_value \
        --from 2025-04-01 --to 2025-06-30 --tables tables/
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peerspace import spreadsheets
from peerspace.accounts.models import Organisation
from peerspace.reports.figures import build_report
from peerspace.reports.models import SECTION_KEYS, ReportTemplate
from peerspace.reports.views import command_options, report_pdf_bytes


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise CommandError(f"{value!r} is not a date like 2025-04-01") from e


class Command(BaseCommand):
    help = (
        "Write a funder report, for every site, for a period: as a PDF (--out), "
        "and every table as CSV (--tables DIR). From a saved report (--template) "
        "or from a list of sections (--org and --sections)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--template", default="", help="the saved report's name")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--out", default="", help="the PDF file to write")
        parser.add_argument(
            "--tables", default="", help="a folder for every table as a CSV file"
        )
        parser.add_argument(
            "--org",
            default="",
            help="the organisation's slug (needed without a template)",
        )
        parser.add_argument(
            "--sections",
            default="",
            help="without a template: sections separated by commas, from "
            + ", ".join(SECTION_KEYS),
        )

    def handle(self, *args, template, start, end, out, tables, org, sections, **kw):
        start, end = _date(start), _date(end)
        if end < start:
            raise CommandError("--to is before --from")
        if not out and not tables:
            raise CommandError("Say where to write it: --out FILE.pdf, --tables DIR")
        if template:
            options = self._from_template(template, org, start, end)
        else:
            options = self._from_sections(org, sections, start, end)
        report = build_report(options)
        for warning in report.warnings:
            self.stderr.write(warning)
        if out:
            pdf = report_pdf_bytes(report)
            Path(out).write_bytes(pdf)
            self.stdout.write(f"Wrote {out} ({len(pdf):,} bytes)")
        if tables:
            folder = Path(tables)
            folder.mkdir(parents=True, exist_ok=True)
            for key, table in report.tables().items():
                path = folder / f"{key}.csv"
                path.write_bytes(spreadsheets.export(table.dataset(), "csv"))
                self.stdout.write(f"Wrote {path}")

    def _from_template(self, name: str, org: str, start, end):
        found = ReportTemplate.objects.filter(name=name).select_related("organisation")
        if org:
            found = found.filter(organisation__slug=org)
        found = list(found[:2])
        if not found:
            raise CommandError(f"No saved report called {name!r}")
        if len(found) > 1:
            raise CommandError("More than one organisation has that name: use --org")
        return command_options(found[0].organisation, start, end, template=found[0])

    def _from_sections(self, org: str, sections: str, start, end):
        if not org:
            raise CommandError("Without --template, say which --org (its slug)")
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {org!r}")
        chosen = [s.strip() for s in sections.split(",") if s.strip()]
        unknown = [s for s in chosen if s not in SECTION_KEYS]
        if unknown or not chosen:
            raise CommandError("Choose --sections from: " + ", ".join(SECTION_KEYS))
        return command_options(organisation, start, end, sections=chosen)
