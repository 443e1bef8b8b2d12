"""Build the compiled catalogues (.mo) from locale/*.po, in Python (Babel):
no GNU gettext needed. `make run` and `make test` run it; run it after
deploying new code too (docs/deploy.md). Only catalogues older than their .po
are rebuilt. With DEBUG (or --pseudo) it also builds the pseudo-language."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from peerspace import i18n


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files, without GNU gettext."
    # Runs before the database exists (a fresh machine): no checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Rebuild every catalogue."
        )
        parser.add_argument(
            "--pseudo", action="store_true", help="Build the pseudo-language too."
        )

    def handle(self, *args, force=False, pseudo=False, **options):
        try:
            built = i18n.compile_catalogues(force=force)
        except i18n.CatalogueError as e:
            raise CommandError(f"A translation would break a page:\n{e}") from e
        for path in built:
            self.stdout.write(f"Compiled {path.relative_to(settings.BASE_DIR)}")
        if pseudo or settings.DEBUG:
            target = i18n.build_pseudo_catalogue()
            self.stdout.write(f"Built the pseudo-language in {target.name}/")
