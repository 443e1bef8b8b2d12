"""Re-encrypt every encrypted field under the newest key.

Put the new key first in FIELD_ENCRYPTION_KEYS with the old one after it, run
this, then remove the old key. A value no key can read stops the run (and
rolls it back) rather than being skipped.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from peerspace import crypto
from peerspace.fields import EncryptedTextField


def encrypted_fields():
    for model in apps.get_models():
        fields = [
            f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key in FIELD_ENCRYPTION_KEYS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only check every value decrypts."
        )

    def handle(self, *args, check, **options):
        total = 0
        try:
            with transaction.atomic():
                for model, fields in encrypted_fields():
                    total += self.rotate(model, fields, check)
        except crypto.DecryptionError as e:
            raise CommandError(f"{e} Nothing was changed.") from e
        verb = "checked" if check else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"{total} values {verb}."))

    def rotate(self, model, fields, check: bool) -> int:
        # Raw SQL: the ORM would decrypt on read and we want the stored tokens.
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        columns = [connection.ops.quote_name(f.column) for f in fields]
        count = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
        updates = []
        for pk_value, *values in rows:
            new_values = []
            for value in values:
                if value and check:
                    crypto.decrypt(value)
                elif value:
                    value = crypto.rotate(value)
                count += bool(value)
                new_values.append(value)
            updates.append((*new_values, pk_value))
        if not check and updates:
            assignments = ", ".join(f"{c} = %s" for c in columns)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                    updates,
                )
        return count
