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
