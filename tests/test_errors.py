"""A server error shows a friendly page, and no sensitive field reaches the logs
or mail; a refused page is one line in the log; a missing page is our own page,
never Django's list of addresses."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.test import Client
from django.urls import reverse

from attendance.models import Person

SENTINEL = "SENTINEL-zq81-never-log-me"
REGISTRATION = {
    "known_as": SENTINEL,
    "phone": "07700 900123",
    "anything_to_know": SENTINEL,
    "agrees": "on",
    "contacts-TOTAL_FORMS": "1",
    "contacts-INITIAL_FORMS": "0",
    "contacts-MIN_NUM_FORMS": "0",
    "contacts-MAX_NUM_FORMS": "5",
    "contacts-0-name": SENTINEL,
    "contacts-0-phone": "07700 900999",
}


@pytest.fixture
def broken_save(monkeypatch):
    def explode(self, *args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(Person, "save", explode)


def test_a_crash_mid_registration_shows_a_friendly_page_and_logs_no_sensitive_text(
    bob, site, broken_save, settings, caplog
):
    settings.ADMINS = [("Admin", "admin@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    client = Client(raise_request_exception=False)
    client.force_login(bob)
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            reverse("attendance:register", args=[site.pk]), REGISTRATION
        )
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, something went wrong" in html
    assert SENTINEL not in html
    logged = "\n".join(
        r.getMessage() + str(getattr(r, "exc_text", "")) for r in caplog.records
    )
    assert "database on fire" in logged
    assert SENTINEL not in logged
    assert len(mail.outbox) == 1, "the admins are told about the crash"
    assert "database on fire" in mail.outbox[0].body
    for message in mail.outbox:
        assert SENTINEL not in message.body
        assert all(SENTINEL not in str(a) for a in message.alternatives)


@contextmanager
def console() -> io.StringIO:
    """What the log prints on the console, from every handler that prints."""
    out = io.StringIO()
    loggers = [logging.getLogger(name) for name in ("", "django", "django.request")]
    printers = {
        h for lg in loggers for h in lg.handlers if type(h) is logging.StreamHandler
    }
    assert printers
    before = {h: h.setStream(out) for h in printers}
    try:
        yield out
    finally:
        for handler, stream in before.items():
            handler.setStream(stream)


def test_a_refused_page_is_one_line_in_the_log_once(bob_client, settings):
    settings.DEBUG = True  # as `make run` has it
    with console() as out:
        response = bob_client.get(reverse("reports:index"))
    assert response.status_code == 403
    assert out.getvalue() == "Forbidden (Permission denied): /reports/\n"


def test_a_crash_still_logs_its_traceback(bob, site, broken_save, settings):
    client = Client(raise_request_exception=False)
    client.force_login(bob)
    with console() as out:
        client.post(reverse("attendance:register", args=[site.pk]), REGISTRATION)
    assert "Traceback" in out.getvalue() and "database on fire" in out.getvalue()


@pytest.mark.parametrize("debug", [True, False])
def test_a_missing_page_is_ours_and_lists_no_addresses_even_with_debug_on(
    client, kiosk, settings, debug
):
    settings.DEBUG = debug
    client.force_login(kiosk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can't find that page" in html
    assert "URLconf" not in html and "kiosk/been-before/" not in html


def test_a_record_that_isnt_there_is_our_page_with_debug_on(bob_client, settings):
    settings.DEBUG = True
    response = bob_client.get(
        reverse("attendance:person", args=[Person.objects.count() + 99])
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can't find that page" in html and "Raised by" not in html
