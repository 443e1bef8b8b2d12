import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerspace.settings")

application = get_wsgi_application()


def _refuse_keys_that_cannot_read_the_database() -> None:
    """gunicorn runs no system checks: make a worker with the wrong keys fail
    to boot (and so gunicorn stop) with the key check's own message."""
    from django.db import connections

    from peerspace import crypto
    from peerspace.models import KeyCheck

    problem = KeyCheck.objects.problem()
    # Don't hand a connection opened here to forked workers (gunicorn --preload).
    connections.close_all()
    if problem:
        raise crypto.WrongKeys(problem)


_refuse_keys_that_cannot_read_the_database()
