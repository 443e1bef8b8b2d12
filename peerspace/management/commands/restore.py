"""Put a backup made by `manage.py backup` back, replacing the current data."""

import sqlite3
import subprocess
import tempfile
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import MAGIC, backup_fernet, pg_args, pg_env


class Command(BaseCommand):
    help = "Restore a backup over the current database (asks first unless --yes)."

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
        if not yes:
            answer = input(
                "This replaces everything in the database. Type 'restore' to go on: "
            )
            if answer.strip() != "restore":
                raise CommandError("Nothing restored.")
        connection.close()
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "restore"
            raw.write_bytes(data)
            if connection.vendor == "sqlite":
                self.restore_sqlite(raw)
            elif connection.vendor == "postgresql":
                self.restore_postgres(raw)
            else:
                raise CommandError(f"Restoring {connection.vendor} isn't supported.")
        self.stdout.write(self.style.SUCCESS("Restored."))

    def restore_sqlite(self, raw: Path) -> None:
        source = sqlite3.connect(raw)
        try:
            (result,) = source.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as e:
            raise CommandError(f"That isn't a SQLite backup: {e}") from e
        if result != "ok":
            raise CommandError(f"The backup failed its integrity check: {result}")
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
