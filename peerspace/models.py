"""The key check: proof that FIELD_ENCRYPTION_KEYS can read this database.

A known text is encrypted with the first key after every migrate (if the
database has none yet) and by rotate_key. Start-up (a system check, and
peerspace.wsgi for gunicorn) and the first encrypted write of each process
decrypt it, so a server given the wrong keys refuses to run instead of filling
pages with placeholders and the database with notes nobody can read.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, models

from peerspace import crypto
from peerspace.fields import EncryptedTextField

KNOWN_TEXT = "Peerspace key check"
MISSING_KEY = (
    "FIELD_ENCRYPTION_KEYS can't read this database: it was written with a key "
    "that isn't in the list, so the key it was written with is missing. Put that "
    "key back in FIELD_ENCRYPTION_KEYS (after any new key) and start again; then "
    "`manage.py rotate_key` moves everything to the first key."
)
# (database alias, keys) pairs already checked by this process.
_verified: set[tuple[str, tuple[str, ...]]] = set()


def encrypted_fields():
    """Every model (history copies included) with encrypted columns."""
    for model in apps.get_models():
        fields = [
            f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if fields:
            yield model, fields


def token_problem(token: str) -> str | None:
    """Why the configured keys can't read a key check value, or None."""
    try:
        text = crypto.decrypt(token)
    except ImproperlyConfigured as e:
        return f"FIELD_ENCRYPTION_KEYS can't read this database: {e}"
    except crypto.DecryptionError:
        return MISSING_KEY
    if text != KNOWN_TEXT:
        return (
            "FIELD_ENCRYPTION_KEYS can't read this database: its key check holds "
            "the wrong text."
        )
    return None


class KeyCheckQuerySet(models.QuerySet):
    def _has_table(self) -> bool:
        connection = connections[self.db]
        name = connection.settings_dict["NAME"]
        if (
            connection.vendor == "sqlite"
            and not connection.is_in_memory_db()
            and not Path(name).exists()
        ):
            # No database yet: nothing to check, and checking would create one.
            return False
        try:
            return KeyCheck._meta.db_table in connection.introspection.table_names()
        except DatabaseError:
            # Not reachable now: the first write checks again.
            return False

    def problem(self) -> str | None:
        """Why the configured keys can't read this database, or None if they
        can (or there is nothing yet to tell by)."""
        return self._problem() if self._has_table() else None

    def _problem(self) -> str | None:
        token = self.values_list("token", flat=True).first()
        return None if token is None else token_problem(token)

    def verify(self) -> None:
        """Raise WrongKeys unless the configured keys read this database.

        Checked once per process and key set; a database with no check value
        yet is stamped, after making sure its notes can be read.
        """
        keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
        if (self.db, keys) in _verified or not self._has_table():
            return
        problem = self._problem()
        if problem:
            raise crypto.WrongKeys(problem)
        self.ensure()
        _verified.add((self.db, keys))

    def ensure(self) -> None:
        """Stamp a database that has no check value yet (after migrate)."""
        if not settings.FIELD_ENCRYPTION_KEYS or self.exists():
            return
        if not self._existing_notes_readable():
            raise crypto.WrongKeys(MISSING_KEY)
        self.store()

    def store(self) -> None:
        """Stamp the database with the first key (rotate_key does this too)."""
        self.all().delete()
        self.create(token=crypto.encrypt(KNOWN_TEXT))
        _verified.clear()

    def _existing_notes_readable(self) -> bool:
        """A database upgraded to the key check is stamped only if the keys read
        its newest notes: any one of them is enough, as a stray damaged note
        mustn't stop the upgrade, but a wrong key set reads none."""
        connection = connections[self.db]
        quote = connection.ops.quote_name
        tables = set(connection.introspection.table_names())
        samples = []
        with connection.cursor() as cursor:
            for model, fields in encrypted_fields():
                if model._meta.db_table not in tables:
                    continue  # migrated only part of the way
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                for field in fields:
                    column = quote(field.column)
                    cursor.execute(
                        f"SELECT {column} FROM {table} WHERE {column} <> '' "  # noqa: S608
                        f"ORDER BY {pk} DESC LIMIT 1"
                    )
                    row = cursor.fetchone()
                    if row:
                        samples.append(row[0])
        for stored in samples:
            try:
                crypto.decrypt(stored)
            except crypto.DecryptionError:
                continue
            return True
        return not samples


class KeyCheck(models.Model):
    """One row: KNOWN_TEXT encrypted with the first field-encryption key."""

    token = models.TextField()
    written_at = models.DateTimeField(auto_now=True)

    objects = KeyCheckQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Key check written {self.written_at:%Y-%m-%d %H:%M}"
