"""Every download of people's details says who took it and when, and is a file
with a name we made (never one built from what someone typed)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Session, Visit
from peerspace.accounts.models import AuditEvent
from safeguarding.models import AccessLog, ReflectionSession

ATTACHMENT = re.compile(r'^attachment; filename="?([A-Za-z0-9._-]+)"?$')


def filename(response) -> str:
    match = ATTACHMENT.match(response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    return match.group(1)


def only_event(org, user) -> AuditEvent:
    events = list(AuditEvent.objects.filter(organisation=org))
    assert len(events) == 1, events
    event = events[0]
    assert event.user == user
    assert (timezone.now() - event.at).total_seconds() < 60
    # Never a name: record ids only.
    for name in ("Sam", "O'Brien", "Jo"):
        assert name not in event.detail
    return event


def test_the_fire_register_download_is_logged(bob_client, bob, org, site, person):
    Visit.objects.sign_in(person, Session.objects.today(site))
    response = bob_client.get(
        reverse("attendance:fire_register", args=[site.pk]), {"filename": "x.exe"}
    )
    assert response.status_code == 200
    assert re.fullmatch(
        rf"fire-register-{site.pk}-\d{{8}}-\d{{4}}\.pdf", filename(response)
    )
    event = only_event(org, bob)
    assert event.action == "fire register download"
    assert event.detail == f"site #{site.pk}"


@pytest.mark.parametrize("kind", ["people", "visits"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_people_and_visits_exports_are_logged(
    alice_client, alice, org, person, kind, fmt
):
    response = alice_client.get(
        reverse(f"attendance:export_{kind}", args=[fmt]),
        {"filename": "../../evil.sh"},
    )
    assert response.status_code == 200
    today = timezone.localdate()
    assert filename(response) == f"{kind}-{org.slug}-{today:%Y-%m-%d}.{fmt}"
    event = only_event(org, alice)
    assert event.action == f"{kind} export"
    assert event.detail == f"as {fmt}"


def test_an_unknown_export_format_logs_nothing(alice_client, org):
    response = alice_client.get(reverse("attendance:export_people", args=["exe"]))
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_the_subject_access_export_is_logged(alice_client, alice, org, person):
    response = alice_client.get(
        reverse("attendance:subject_access", args=[person.pk, "json"])
    )
    assert response.status_code == 200
    assert filename(response).startswith(f"subject-access-{person.pk}-")
    assert only_event(org, alice).detail == f"person #{person.pk} as json"


def test_refused_downloads_log_nothing(bob_client, person):
    assert (
        bob_client.get(reverse("attendance:export_people", args=["csv"])).status_code
        == 403
    )
    assert not AuditEvent.objects.exists()


def test_safeguarding_minutes_are_logged_in_their_own_access_log(client, org, sally):
    session = ReflectionSession.objects.create(
        host=org, date=timezone.localdate(), created_by=sally
    )
    client.force_login(sally)
    response = client.get(reverse("safeguarding:minutes", args=[session.pk]))
    assert response.status_code == 200
    assert filename(response) == f"reflection-session-{session.pk}-{session.date}.pdf"
    logged = AccessLog.objects.filter(what=AccessLog.MINUTES, session=session)
    assert [(e.user, e.organisation) for e in logged] == [(sally, org)]
