"""A consistent online backup, safe to take while people are signing in.

SQLite uses its online backup API; PostgreSQL uses pg_dump (custom format). With
--encrypt the file is encrypted with BACKUP_ENCRYPTION_KEY (a Fernet key; by
default the first field-encryption key). Back up the field-encryption keys
separately: the backup alone can't read the encrypted notes.
"""

import datetime as dt
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

MAGIC = b"PEERSPACE-BACKUP-ENCRYPTED\n"
ONE_KEY_WARNING = (
    "No BACKUP_ENCRYPTION_KEY is set, so this backup is encrypted with the "
    "field-encryption key. One key now protects both the data and its backup: "
    "anyone with that key and this file can read everything, and losing it loses "
    "both. Set BACKUP_ENCRYPTION_KEY to a different key, kept somewhere else."
)


def backup_fernet() -> Fernet:
    key = os.environ.get("BACKUP_ENCRYPTION_KEY") or (
        settings.FIELD_ENCRYPTION_KEYS[0] if settings.FIELD_ENCRYPTION_KEYS else ""
    )
    if not key:
        raise CommandError(
            "No BACKUP_ENCRYPTION_KEY or field-encryption key to encrypt with."
        )
    return Fernet(key.encode())


def pg_env() -> dict:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def pg_args(db: dict) -> list[str]:
    args = ["-h", db.get("HOST") or "localhost", "-U", db.get("USER") or "postgres"]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    return args


class Command(BaseCommand):
    help = "Make a consistent backup of the database while the app is running."
    # A backup copies what is stored, readable or not: keys that can't read the
    # database (the start-up key check) mustn't stop one being taken.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="File to write (default: backups/<date>.<ext>)"
        )
        parser.add_argument("--encrypt", action="store_true")

    def handle(self, *args, output, encrypt, **options):
        vendor = connection.vendor
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        ext = "sqlite3" if vendor == "sqlite" else "pgdump"
        path = Path(
            output or Path(settings.BASE_DIR) / "backups" / f"peerspace-{stamp}.{ext}"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / f"raw.{ext}"
            if vendor == "sqlite":
                self.backup_sqlite(raw)
            elif vendor == "postgresql":
                self.backup_postgres(raw)
            else:
                raise CommandError(f"Backups of {vendor} aren't supported.")
            data = raw.read_bytes()
        if encrypt:
            data = MAGIC + backup_fernet().encrypt(data)
            if not os.environ.get("BACKUP_ENCRYPTION_KEY"):
                self.stderr.write(self.style.WARNING(ONE_KEY_WARNING))
        old_umask = os.umask(0o077)
        try:
            path.write_bytes(data)
        finally:
            os.umask(old_umask)
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {path} ({len(data):,} bytes).")
        )

    def backup_sqlite(self, target: Path) -> None:
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        dest = sqlite3.connect(target)
        try:
            # Copies a consistent snapshot even while others write.
            source.backup(dest)
            (result,) = dest.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise CommandError(f"The backup failed its integrity check: {result}")
        finally:
            dest.close()
            source.close()

    def backup_postgres(self, target: Path) -> None:
        db = settings.DATABASES["default"]
        result = subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "-f",
                str(target),
                *pg_args(db),
                db["NAME"],
            ],
            env=pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
