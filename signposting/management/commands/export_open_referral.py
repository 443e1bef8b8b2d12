"""Export one organisation's directory as Open Referral (HSDS 3): a .json file of
fully nested services, or the CSV data package as a .zip."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peerspace.accounts.models import Organisation
from signposting import hsds
from signposting.models import Service


class Command(BaseCommand):
    help = "Export a directory as Open Referral JSON (.json) or a CSV package (.zip)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The organisation's slug")
        parser.add_argument("--out", required=True, help="A .json or .zip file")

    def handle(self, org, out, **options):
        try:
            organisation = Organisation.objects.get(slug=org)
        except Organisation.DoesNotExist:
            raise CommandError(f"There's no organisation “{org}”.") from None
        path = Path(out)
        if path.suffix.lower() not in (".json", ".zip"):
            raise CommandError("--out should end in .json or .zip.")
        services = hsds.export_services(
            Service.objects.filter(organisation=organisation).order_by("name", "id")
        )
        if path.suffix.lower() == ".zip":
            path.write_bytes(hsds.csv_package(services))
        else:
            path.write_text(json.dumps(services, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"Exported {len(services)} services to {path}.")
