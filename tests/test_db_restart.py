"""PostgreSQL restarts in the middle of a busy door: nobody sees a traceback,
the app recovers by itself, and every sign-in she was told about is kept once.

Needs a local PostgreSQL cluster we may restart (root, pg_ctlcluster), so it
runs in CI on PostgreSQL and skips everywhere else.
"""

import ipaddress
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.urls import reverse

from attendance.models import Person, Visit
from peerspace.accounts.models import Organisation, Site
from tests.conftest import make_user
from tests.test_concurrency import CSRF, session_cookie

MAX_REQUESTS = 400
MAX_SECONDS = 120
READY_SECONDS = 60
FRIENDLY = "Sorry, something went wrong"


def _skip_reason() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (run with DATABASE_URL=postgres://...)"
    if not shutil.which("pg_ctlcluster"):
        return "needs pg_ctlcluster to restart the local cluster"
    if os.geteuid() != 0:
        return "needs root to restart PostgreSQL"
    host = connection.settings_dict.get("HOST") or "localhost"
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
        return f"PostgreSQL is on {host}, not this machine"
    return None


# It restarts the whole PostgreSQL cluster: nothing else may run meanwhile.
# Skipped before any test database is made when it can't run (on SQLite, as
# `make test` runs it after the rest: that would be the whole set-up for
# nothing).
SKIP = _skip_reason()
pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(SKIP is not None, reason=SKIP or "it can run here"),
]


def _cluster() -> tuple[str, str]:
    """The version and name of the local cluster on our port."""
    port = str(connection.settings_dict.get("PORT") or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == port:
            return fields[0], fields[1]
    versions = sorted(os.listdir("/etc/postgresql"))
    pytest.skip(f"no local cluster on port {port} (found versions {versions})")


def _accepts_connections() -> bool:
    import psycopg

    s = connection.settings_dict
    try:
        psycopg.connect(
            host=s.get("HOST") or "127.0.0.1",
            port=s.get("PORT") or 5432,
            user=s.get("USER") or "postgres",
            password=s.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=2,
        ).close()
        return True
    except psycopg.OperationalError:
        return False


def _wait_until_ready() -> float:
    started = time.monotonic()
    while time.monotonic() - started < READY_SECONDS:
        if _accepts_connections():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"PostgreSQL didn't come back within {READY_SECONDS}s")


def _others_using_the_server() -> list[str]:
    """Other test runs on this server: restarting would break them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT datname FROM pg_stat_activity "
            "WHERE datname LIKE 'test\\_%%' AND datname <> %s",
            [connection.settings_dict["NAME"]],
        )
        return [row[0] for row in cursor.fetchall()]


def _post(url: str, session_key: str) -> tuple[int, str]:
    request = urllib.request.Request(
        url,
        data=b"",
        method="POST",
        headers={
            "Cookie": f"sessionid={session_key}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "HX-Request": "true",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname
    return all(
        ipaddress.ip_address(info[4][0]).is_loopback
        for info in socket.getaddrinfo(host, None)
    )


@pytest.fixture
def door(transactional_db):
    org = Organisation.objects.create(name="Restart", slug="restart")
    site = Site.objects.create(organisation=org, name="Wigan")
    user = make_user("fac", org, "facilitator")
    people = [
        Person.objects.create(organisation=org, known_as=f"R{i}")
        for i in range(MAX_REQUESTS)
    ]
    return site, session_cookie(user), people


def test_the_door_survives_a_database_restart(live_server, door):
    site, session_key, people = door
    assert _is_loopback(live_server.url), live_server.url
    others = _others_using_the_server()
    if others:
        pytest.skip(f"another test run is using this PostgreSQL: {others}")
    version, cluster = _cluster()

    results: list[tuple[int, int, str, float]] = []  # (person pk, status, body, at)
    stop = threading.Event()

    def sign_in_loop():
        started = time.monotonic()
        for person in people:
            if stop.is_set() or time.monotonic() - started > MAX_SECONDS:
                return
            url = live_server.url + reverse(
                "attendance:sign_in", args=[site.pk, person.pk]
            )
            status, body = _post(url, session_key)
            results.append((person.pk, status, body, time.monotonic()))
            time.sleep(0.02)

    worker = threading.Thread(target=sign_in_loop, daemon=True)
    recovered_at = None
    try:
        worker.start()
        while sum(1 for r in results if r[1] == 200) < 15 and worker.is_alive():
            time.sleep(0.05)
        # A stop, a moment's gap, then a start: the door keeps knocking meanwhile.
        subprocess.run(
            ["pg_ctlcluster", version, cluster, "stop", "--", "-m", "fast"],
            check=True,
            capture_output=True,
        )
        time.sleep(1.5)
        subprocess.run(
            ["pg_ctlcluster", version, cluster, "start"],
            check=True,
            capture_output=True,
        )
        _wait_until_ready()
        recovered_at = time.monotonic()
        # Keep going until 15 more sign-ins after the restart have worked.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.is_alive():
            after = [r for r in results if r[3] > recovered_at and r[1] == 200]
            if len(after) >= 15:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=60)
        if not _accepts_connections():
            subprocess.run(["pg_ctlcluster", version, cluster, "start"], check=False)
            _wait_until_ready()
        # Our own connection was cut by the restart: start a fresh one.
        connections.close_all()

    statuses = [r[1] for r in results]
    failures = [r for r in results if r[1] != 200]
    assert failures, "the restart was never noticed: no request failed"
    for _, status, body, _ in failures:
        assert status in (500, 503), status
        assert FRIENDLY in body
        assert "Traceback" not in body and "psycopg" not in body
    # It came back by itself: the last requests all worked.
    assert statuses[-10:] == [200] * 10, statuses[-20:]
    assert [r for r in results if r[3] > recovered_at and r[1] == 200]
    # Every sign-in she was told about is there, once.
    told = [pk for pk, status, _, _ in results if status == 200]
    counts = dict(
        Visit.objects.filter(person_id__in=told)
        .values_list("person_id")
        .annotate(n=Count("id"))
    )
    assert all(counts.get(pk) == 1 for pk in told), counts
    # And nothing was doubled for the ones that failed either.
    assert Visit.objects.count() <= len(results)
