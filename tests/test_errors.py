"""A server error shows a friendly page, and no sensitive field reaches the logs or mail."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

SENTINEL = "SENTINEL-zq81-never-log-me"


@pytest.fixture
def broken_save(monkeypatch):
    from attendance.models import Person

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
    data = {
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
    with caplog.at_level(logging.DEBUG):
        response = client.post(reverse("attendance:register", args=[site.pk]), data)
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
