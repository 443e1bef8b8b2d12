from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.core import checks
from django.db.models.signals import post_migrate

from peerspace import drafts, mail


class PeerspaceConfig(AppConfig):
    name = "peerspace"

    def ready(self):
        checks.register(encryption_keys_read_the_database)
        checks.register(mail.check_email_reaches_people, "email", deploy=True)
        checks.register(translations_compiled, deploy=True)
        post_migrate.connect(stamp_key_check, sender=self)
        user_logged_in.connect(drafts.drop_others)


def encryption_keys_read_the_database(app_configs, **kwargs):
    """Every management command and runserver refuse keys that can't read the
    database; peerspace.wsgi does the same for gunicorn."""
    from peerspace.models import KeyCheck

    problem = KeyCheck.objects.problem()
    return [checks.Error(problem, id="peerspace.E001")] if problem else []


def stamp_key_check(using, **kwargs):
    from peerspace.models import KeyCheck

    queryset = KeyCheck.objects.using(using)
    if queryset._has_table():
        queryset.ensure()


def translations_compiled(app_configs, **kwargs):
    """Pages show English where a catalogue hasn't been compiled since its
    .po last changed: say so before going live."""
    from peerspace import i18n

    stale = [
        po
        for po in i18n.po_files()
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return []
    return [
        checks.Warning(
            f"{len(stale)} translation catalogue(s) aren't compiled, so their "
            "pages would show English.",
            hint="Run `manage.py compile_translations` (docs/translating.md).",
            id="peerspace.W003",
        )
    ]
