import datetime as dt
import random

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from attendance.models import Person
from peerspace.accounts.models import Membership
from safeguarding.demo import make_demo
from safeguarding.models import (
    AccessLog,
    Action,
    NotDeletable,
    ReflectionSession,
    SafeguardingSettings,
    Worry,
    WorryReview,
)
from tests.conftest import make_user
from tests.safeguarding.safeguarding_helpers import FULL_NAME, make_worry


def test_opening_a_worry_is_logged_and_readable_by_safeguarding(
    client, sally, worry, her
):
    client.force_login(sally)
    client.get(worry.get_absolute_url())
    entry = AccessLog.objects.get()
    assert (entry.user, entry.what, entry.worry, entry.person) == (
        sally,
        AccessLog.WORRY,
        worry,
        her,
    )
    assert entry.organisation == worry.organisation
    page = client.get(reverse("safeguarding:access_log")).content.decode()
    assert "Opened a worry" in page and FULL_NAME in page


def test_a_partners_look_shows_in_the_owners_log_not_the_partners(
    client, sally, pat, joint, worry
):
    client.force_login(pat)
    client.get(reverse("safeguarding:review", args=[joint.pk, worry.pk]))
    own_log = client.get(reverse("safeguarding:access_log")).content.decode()
    assert "Opened a worry in a session" not in own_log
    client.force_login(sally)
    log = client.get(reverse("safeguarding:access_log")).content.decode()
    assert "Opened a worry in a session" in log and "Pat" in log


def test_the_session_page_logs_each_worry_shown(client, sally, joint, worry, unshared):
    client.force_login(sally)
    client.get(joint.get_absolute_url())
    logged = set(
        AccessLog.objects.filter(what=AccessLog.SESSION).values_list(
            "worry_id", flat=True
        )
    )
    assert logged == {worry.pk, unshared.pk}


def test_opening_a_chronology_is_logged(client, sally, her, worry):
    client.force_login(sally)
    client.get(reverse("safeguarding:chronology", args=[her.pk]))
    entry = AccessLog.objects.get()
    assert (entry.what, entry.person, entry.worry) == ("chronology", her, None)


def test_the_access_log_can_not_be_changed_or_deleted(sally, worry, org):
    AccessLog.objects.record(sally, AccessLog.WORRY, worries=[worry])
    entry = AccessLog.objects.get()
    entry.what = AccessLog.MINUTES
    with pytest.raises(NotDeletable):
        entry.save()
    with pytest.raises(NotDeletable):
        entry.delete()
    with pytest.raises(NotDeletable):
        AccessLog.objects.all().delete()
    with pytest.raises(NotDeletable):
        AccessLog.objects.update(what=AccessLog.MINUTES)
    assert AccessLog.objects.get().what == AccessLog.WORRY


def test_the_access_log_can_be_filtered_to_one_worry(client, sally, worry, unshared):
    client.force_login(sally)
    client.get(worry.get_absolute_url())
    client.get(unshared.get_absolute_url())
    page = client.get(reverse("safeguarding:access_log") + f"?worry={worry.pk}")
    assert FULL_NAME in page.content.decode()
    assert "R.T." not in page.content.decode()


def test_the_chronology_is_in_date_order(client, sally, her, org, joint, worry):
    today = timezone.localdate()
    earlier = make_worry(org, sally, her, days_ago=40, what_worries_us="First worry.")
    earlier.close("Sorted.")
    review = WorryReview.objects.create(
        session=joint,
        worry=worry,
        decision="referral",
        referral_to="police",
        referral_date=today,
        reference="POL-1",
        status_after="open",
        reviewed_by=sally,
    )
    Action.objects.create(
        worry=worry, review=review, what="Walk her to the bus.", who_else="Jo"
    )
    client.force_login(sally)
    page = client.get(reverse("safeguarding:chronology", args=[her.pk])).content
    page = page.decode()
    # The earlier worry was closed today, so its closing comes last.
    order = [
        "First worry.",
        "Her landlord",
        "<strong>Reflection session</strong>",
        "<strong>Referral</strong>",
        "Walk her to the bus.",
        "<strong>Worry closed</strong>",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "POL-1" in page


def test_review_notes_references_and_actions_are_encrypted_at_rest(sally, joint, worry):
    review = WorryReview.objects.create(
        session=joint,
        worry=worry,
        notes="She told us about the bruises.",
        decision="referral",
        referral_to="other",
        referral_to_other="Wigan Women's Aid",
        referral_date=joint.date,
        reference="WWA-99",
        status_after="open",
        reviewed_by=sally,
    )
    action = Action.objects.create(
        worry=worry, review=review, what="Go with her.", who_else="Jo Bloggs"
    )
    joint.checkin = "We are tired."
    joint.guests = "Dr Amara Nwosu"
    joint.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT notes, referral_to_other, reference FROM "
            "safeguarding_worryreview WHERE id = %s",
            [review.pk],
        )
        raw = list(cursor.fetchone())
        cursor.execute(
            "SELECT what, who_else FROM safeguarding_action WHERE id = %s",
            [action.pk],
        )
        raw += cursor.fetchone()
        cursor.execute(
            "SELECT checkin, guests FROM safeguarding_reflectionsession WHERE id = %s",
            [joint.pk],
        )
        raw += cursor.fetchone()
    assert all(v.startswith("fernet:") for v in raw)
    for text in ("bruises", "Women's Aid", "WWA-99", "Go with", "Bloggs", "tired"):
        assert text not in " ".join(raw)


def test_every_safeguarding_model_keeps_history(sally, joint, worry, action):
    assert worry.history.count() == 1
    # Created, then partners and attendees added: each is in its history.
    assert joint.history.count() == 3
    assert action.history.count() == 1
    assert joint.brought.get().history.count() == 1
    action.toggle_done()
    assert action.history.count() == 2


def test_sessions_reviews_and_actions_can_not_be_deleted(sally, joint, action):
    for record in (joint, action, joint.brought.get()):
        with pytest.raises(NotDeletable):
            record.delete()


def test_safeguarding_sets_the_numbers_shown_in_an_emergency(client, sally, org):
    client.force_login(sally)
    client.post(
        reverse("safeguarding:settings"),
        {"contacts": "Sally 07700 900555", "local_numbers": "ASC 01632 960001"},
    )
    settings = SafeguardingSettings.objects.get(organisation=org)
    assert settings.contacts == "Sally 07700 900555"
    assert settings.history.count() == 1


def test_funder_counts_for_a_period(org, other_org, sally, charlie, worry, joint):
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=90), today
    ReflectionSession.objects.create(
        host=org, date=today - dt.timedelta(days=200), created_by=sally
    )
    ReflectionSession.objects.create(
        host=org, date=today + dt.timedelta(days=20), created_by=sally
    )
    second = make_worry(org, sally, about_initials="A.A.", categories=["money"])
    for w, kind in ((worry, "police"), (second, "gp")):
        WorryReview.objects.create(
            session=joint,
            worry=w,
            decision="referral",
            referral_to=kind,
            referral_date=today,
            status_after="open",
            reviewed_by=sally,
        )
    make_worry(other_org, charlie, about_initials="O.O.")

    assert ReflectionSession.objects.held_between(org, start, end).count() == 1
    summary = WorryReview.objects.for_organisation_between(org, start, end).summary()
    assert summary == {
        "reviews": 2,
        "worries": 2,
        "referrals": 2,
        "referrals_by_kind": {"police": 1, "gp": 1},
    }
    raised = Worry.objects.raised_between(org, start, end)
    assert raised.count() == 2
    counts = raised.category_counts()
    assert counts["money"] == 1 and counts["housing"] == 1 and counts["other"] == 0


def test_make_demo_builds_believable_records_once(org, sally, bob):
    people = [
        Person.objects.create(organisation=org, known_as=n)
        for n in ("Kerry", "Donna", "Aisha", "Mei", "Shirley", "Agnieszka", "Bev")
    ]
    partner = make_demo(org, None, people, [sally, bob], random.Random(4))
    assert partner.name == "Pemberton Community Corner"
    assert Membership.objects.filter(
        organisation=partner, user__username="partner", role="safeguarding"
    ).exists()
    assert Worry.objects.filter(organisation=org).count() == 8
    assert WorryReview.objects.filter(worry__organisation=org).exists()
    assert WorryReview.objects.filter(decision="referral").count() == 2
    assert ReflectionSession.objects.filter(partners=partner).exists()
    assert not Action.objects.filter(assigned_to=None, who_else="").exists()
    make_demo(org, partner, people, [sally, bob], random.Random(4))
    assert Worry.objects.filter(organisation=org).count() == 8


def test_a_user_in_two_groups_sees_each_groups_worries_by_its_own_rules(
    client, org, other_org, worry, charlie
):
    both = make_user("both", org, Membership.FACILITATOR)
    Membership.objects.create(
        user=both, organisation=other_org, role=Membership.SAFEGUARDING
    )
    theirs = make_worry(other_org, charlie, about_initials="T.T.")
    client.force_login(both)
    assert client.get(theirs.get_absolute_url()).status_code == 200
    assert client.get(worry.get_absolute_url()).status_code == 404
