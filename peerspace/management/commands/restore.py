"""Put a backup made by `manage.py backup` back, replacing the current data.

A backup whose encrypted notes FIELD_ENCRYPTION_KEYS can't read (its key
check says so) is refused before anything is replaced.
"""

import secrets
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F

from peerspace.accounts.models import Site
from peerspace.models import token_problem

from .backup import MAGIC, backup_fernet, pg_args, pg_env


class Command(BaseCommand):
    help = "Restore a backup over the current database (asks first unless --yes)."
    # A restore is how a broken database is mended: the checks of the database
    # being replaced mustn't stop it. The backup's own key check is read below.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--yes", action="store_true", help="Don't ask for confirmation."
        )

    def handle(self, *args, path, yes, **options):
        data = Path(path).read_bytes()
        if data.startswith(MAGIC):
            try:
                data = backup_fernet().decrypt(data[len(MAGIC) :])
            except InvalidToken as e:
                raise CommandError(
                    "This backup can't be decrypted with the configured key."
                ) from e
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "restore"
            raw.write_bytes(data)
            if connection.vendor == "sqlite":
                token = self.sqlite_key_check(raw)
            elif connection.vendor == "postgresql":
                token = self.postgres_key_check(raw)
            else:
                raise CommandError(f"Restoring {connection.vendor} isn't supported.")
            # A backup from before the key check has none: nothing to tell by.
            if token and (problem := token_problem(token)):
                raise CommandError(
                    f"This backup can't be used here. {problem} Nothing restored."
                )
            if not yes:
                answer = input(
                    "This replaces everything in the database. "
                    "Type 'restore' to go on: "
                )
                if answer.strip() != "restore":
                    raise CommandError("Nothing restored.")
            connection.close()
            if connection.vendor == "sqlite":
                self.restore_sqlite(raw)
            else:
                self.restore_postgres(raw)
        # Each site's list of who's here moves on to a version never seen
        # before, so no door's copy (its ETag) and no running server's cached
        # rows (attendance.views.door._here) pass for the restored one's.
        Site.objects.update(
            door_version=F("door_version") + secrets.randbelow(2**40) + 1
        )
        self.stdout.write(self.style.SUCCESS("Restored."))

    def sqlite_key_check(self, raw: Path) -> str | None:
        source = sqlite3.connect(raw)
        try:
            try:
                (result,) = source.execute("PRAGMA integrity_check").fetchone()
            except sqlite3.DatabaseError as e:
                raise CommandError(f"That isn't a SQLite backup: {e}") from e
            if result != "ok":
                raise CommandError(f"The backup failed its integrity check: {result}")
            try:
                row = source.execute("SELECT token FROM peerspace_keycheck").fetchone()
            except sqlite3.OperationalError:
                return None  # made before the key check
        finally:
            source.close()
        return row[0] if row else None

    def postgres_key_check(self, raw: Path) -> str | None:
        # The key check table's rows as COPY text; nothing if the dump has none.
        result = subprocess.run(
            ["pg_restore", "--data-only", "-t", "peerspace_keycheck", "-f", "-"]
            + [str(raw)],
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"That isn't a PostgreSQL backup: {result.stderr}")
        lines = iter(result.stdout.splitlines())
        for line in lines:
            if line.startswith("COPY "):
                row = next(lines, "\\.")
                return None if row == "\\." else row.split("\t")[1]
        return None

    def restore_sqlite(self, raw: Path) -> None:
        source = sqlite3.connect(raw)
        dest = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()

    def restore_postgres(self, raw: Path) -> None:
        db = settings.DATABASES["default"]
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                db["NAME"],
                *pg_args(db),
                str(raw),
            ],
            env=pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
