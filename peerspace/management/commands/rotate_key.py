"""Re-encrypt every encrypted field under the newest key.

Put the new key first in FIELD_ENCRYPTION_KEYS with the old one after it, run
this, then remove the old key. A value no key can read stops the run (and
rolls it back) rather than being skipped; every such value is listed.
`--check` only reads, and lists any value that can't be read.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from peerspace import crypto
from peerspace.models import KeyCheck, encrypted_fields

# A wrong key set makes every value unreadable: name the first few, count the rest.
LIST_AT_MOST = 50


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key in FIELD_ENCRYPTION_KEYS."
    )
    # The start-up key check would stop this before it could say which values
    # can't be read; this command reads every value itself.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only check every value decrypts."
        )

    def handle(self, *args, check, **options):
        total, unreadable = 0, []
        with transaction.atomic():
            for model, fields in encrypted_fields():
                total += self.rotate(model, fields, check, unreadable)
            if unreadable:
                listed = "\n  ".join(unreadable[:LIST_AT_MOST])
                if len(unreadable) > LIST_AT_MOST:
                    listed += f"\n  and {len(unreadable) - LIST_AT_MOST} more"
                raise CommandError(
                    f"{len(unreadable)} values can't be read with the configured "
                    f"keys:\n  {listed}\n{'' if check else 'Nothing was changed. '}"
                    "Put back the key they were written with (after the first "
                    "key) and run this again."
                )
            if not check:
                KeyCheck.objects.store()
            elif problem := KeyCheck.objects.problem():
                raise CommandError(problem)
        verb = "checked" if check else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"{total} values {verb}."))

    def rotate(self, model, fields, check: bool, unreadable: list[str]) -> int:
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
            for field, value in zip(fields, values, strict=True):
                try:
                    if value and check:
                        crypto.decrypt(value)
                    elif value:
                        value = crypto.rotate(value)
                except crypto.DecryptionError:
                    unreadable.append(f"{model._meta.label} {pk_value}: {field.name}")
                count += bool(value)
                new_values.append(value)
            updates.append((*new_values, pk_value))
        if not check and updates and not unreadable:
            assignments = ", ".join(f"{c} = %s" for c in columns)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                    updates,
                )
        return count
