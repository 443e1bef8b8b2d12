"""Her rights reach her safeguarding records: subject access (only when a
safeguarding member includes them), retention review, and erasure."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from attendance.models import Person, Session, Visit
from attendance.services import CORE_SECTIONS, erase_person, subject_access
from peerspace.accounts.models import Membership
from safeguarding.models import Action, ReflectionSession, Worry, WorryReview
from tests.conftest import make_user
from tests.safeguarding.safeguarding_helpers import FULL_NAME, KNOWN_AS, make_worry

REVIEW_NOTES = "Talked it through; she wants us to hold off for now."
ACTION_TEXT = "Offer her the tenancy advice drop-in."


@pytest.fixture
def cora(org):
    """A coordinator who is also a safeguarding member."""
    return make_user("cora", org, Membership.COORDINATOR, Membership.SAFEGUARDING)


@pytest.fixture
def reviewed(worry, sally, org):
    session = ReflectionSession.objects.create(
        host=org, date=timezone.localdate(), created_by=sally
    )
    review = WorryReview.objects.create(
        session=session,
        worry=worry,
        notes=REVIEW_NOTES,
        decision=WorryReview.KEEP_IN_TOUCH,
        reviewed_by=sally,
    )
    Action.objects.create(worry=worry, review=review, what=ACTION_TEXT)
    return worry


def export(client, person, **params):
    response = client.get(
        reverse("attendance:subject_access", args=[person.pk, "json"]), params
    )
    assert response.status_code == 200
    return json.loads(response.content)


def test_her_export_leaves_safeguarding_out_unless_asked(client, cora, her, reviewed):
    client.force_login(cora)
    data = export(client, her)
    assert "safeguarding" not in data
    assert "landlord" not in json.dumps(data)


def test_a_coordinator_without_the_role_cannot_include_them(
    alice_client, her, reviewed
):
    data = export(alice_client, her, safeguarding="1")
    assert "safeguarding" not in data
    assert REVIEW_NOTES not in json.dumps(data)


def test_a_safeguarding_member_can_include_them_flagged_for_review(
    client, cora, her, reviewed, unshared
):
    client.force_login(cora)
    data = export(client, her, safeguarding="1")
    section = data["safeguarding"]
    assert section["review_before_sharing"] is True
    assert "other people's information before sharing" in section["note"]
    [worry] = section["worries"]  # not the worry about someone else
    assert worry["what_worries_us"] == "Her landlord has been turning up unannounced."
    assert worry["her_wishes"] == "To stay in her flat."
    assert worry["reviews"][0]["notes"] == REVIEW_NOTES
    assert worry["reviews"][0]["decision"] == "Keep in touch"
    assert worry["actions"][0]["what"] == ACTION_TEXT
    assert [h["change"] for h in worry["history"]] == ["created"]
    assert "money troubles" not in json.dumps(data)


def test_the_pdf_carries_the_safeguarding_section_and_the_warning(
    client, cora, her, reviewed, tmp_path
):
    from tests.helpers import pdf_text

    client.force_login(cora)
    response = client.get(
        reverse("attendance:subject_access", args=[her.pk, "pdf"]),
        {"safeguarding": "1"},
    )
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Safeguarding" in text
    assert "other people's information before sharing" in text
    assert "turning up unannounced" in text
    assert ACTION_TEXT in text


def test_the_core_sections_are_what_attendance_holds(her):
    data = subject_access(her)
    assert set(data) == CORE_SECTIONS


def test_retention_lists_worries_about_people_not_seen_for_review(
    org, site, bob, sally
):
    long_ago = timezone.localdate() - dt.timedelta(days=4 * 365)
    gone = Person.objects.create(
        organisation=org, known_as=KNOWN_AS, full_name=FULL_NAME
    )
    Visit.objects.sign_in(gone, Session.objects.on(site, long_ago))
    old_worry = make_worry(org, bob, gone, days_ago=4 * 365)
    here = Person.objects.create(organisation=org, known_as="Still Coming")
    Visit.objects.sign_in(here, Session.objects.today(site))
    make_worry(org, bob, here)
    unregistered = make_worry(org, sally, about_initials="Q.Z.", days_ago=4 * 365)

    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    text = out.getvalue()
    assert "2 worries about people not seen since" in text
    assert f"#{old_worry.pk}" in text and f"#{unregistered.pk}" in text
    assert "for the safeguarding members to review" in text
    for name in (KNOWN_AS, FULL_NAME, "Still Coming", "Q.Z."):
        assert name not in text
    # Listed, never removed.
    assert Worry.objects.count() == 3


def test_retention_says_nothing_when_nothing_is_due(org, worry):
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Safeguarding" not in out.getvalue()


def test_erasure_keeps_her_safeguarding_records_now_saying_erased(
    client, cora, her, reviewed, action
):
    client.force_login(cora)
    response = client.post(
        reverse("attendance:erase", args=[her.pk]), {"confirm": "erase"}
    )
    assert response.status_code == 302
    worry = Worry.objects.get(pk=reviewed.pk)
    assert worry.person_id == her.pk
    assert worry.about == "Erased"
    assert worry.initials == "E."
    assert worry.reviews.count() == 1 and worry.actions.count() == 2
    assert worry.what_worries_us == "Her landlord has been turning up unannounced."
    # Still open: brought to the next session, where the group decides.
    assert worry.flagged_for_review


def test_erasure_leaves_closed_worries_as_they_were(her, worry):
    worry.close("She moved away and is settled.")
    erase_person(her)
    worry.refresh_from_db()
    assert worry.status == Worry.CLOSED and not worry.flagged_for_review
    assert worry.about == "Erased"


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("safeguarding:worry_new", {}),
        ("safeguarding:worry_edit", {"pk": "worry"}),
        ("safeguarding:worry_status", {"pk": "worry"}),
        ("safeguarding:session_new", {}),
        ("safeguarding:session_edit", {"pk": "session"}),
        ("safeguarding:review", {"pk": "session", "worry_pk": "worry"}),
        ("signposting:signpost_new", {}),
    ],
)
def test_free_text_about_her_is_kept_out_of_error_reports(
    client, sally, worry, joint, name, kwargs
):
    objects = {"worry": worry.pk, "session": joint.pk}
    client.force_login(sally)
    url = reverse(name, kwargs={k: objects[v] for k, v in kwargs.items()})
    response = client.post(url, {"what_worries_us": "x"})
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"
