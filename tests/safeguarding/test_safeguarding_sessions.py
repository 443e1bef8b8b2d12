import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from attendance.models import Person
from safeguarding.models import (
    Action,
    ReflectionSession,
    SessionWorry,
    Worry,
    WorryReview,
    next_monthly,
)
from tests.helpers import form_data
from tests.safeguarding.safeguarding_helpers import FULL_NAME, KNOWN_AS, make_worry

TODAY = timezone.localdate


def test_next_monthly_keeps_the_same_weekday_of_the_month():
    assert next_monthly(dt.date(2026, 1, 13)) == dt.date(2026, 2, 10)  # 2nd Tue
    assert next_monthly(dt.date(2026, 3, 31)) == dt.date(2026, 4, 28)  # 5th -> last
    assert next_monthly(dt.date(2026, 12, 1)) == dt.date(2027, 1, 5)  # 1st Tue


def test_it_suggests_a_month_after_the_last_session(org, sally):
    assert ReflectionSession.objects.suggested_date(org) == TODAY() + dt.timedelta(7)
    last = TODAY() - dt.timedelta(days=3)
    ReflectionSession.objects.create(host=org, date=last, created_by=sally)
    assert ReflectionSession.objects.suggested_date(org) == next_monthly(last)


def test_it_schedules_a_session_with_the_date_suggested(client, org, sally, bob):
    client.force_login(sally)
    page = client.get(reverse("safeguarding:session_new")).content.decode()
    suggested = ReflectionSession.objects.suggested_date(org)
    assert f'value="{suggested:%Y-%m-%d}"' in page
    response = client.post(
        reverse("safeguarding:session_new"),
        {"date": suggested.isoformat(), "attendees": [sally.pk, bob.pk]},
    )
    session = ReflectionSession.objects.get()
    assert response["Location"] == session.get_absolute_url()
    assert session.host == org and session.created_by == sally
    assert set(session.attendees.all()) == {sally, bob}


def test_attendees_come_from_the_sessions_groups_only(
    client, sally, joint, pat, charlie
):
    client.force_login(sally)
    url = reverse("safeguarding:session_edit", args=[joint.pk])
    page = client.get(url).content.decode()
    assert "Pat" in page and "Charlie" not in page
    response = client.post(
        url, {"date": joint.date.isoformat(), "attendees": [sally.pk, charlie.pk]}
    )
    assert response.status_code == 200
    assert set(joint.attendees.all()) == {sally, pat}


def test_ticking_a_partner_shows_its_members_at_once_without_saving(
    client, sally, pat, joint, partner_org
):
    """htmx posts the form back when a partner group is ticked; nothing is
    saved, and the members of a group that agreed to the session appear."""
    client.force_login(sally)
    url = reverse("safeguarding:session_edit", args=[joint.pk])
    typed = {"date": "2031-01-07", "checkin": "Typed, not saved.", "refresh": "1"}
    htmx = {"HX-Request": "true"}
    untick = client.post(url, typed, headers=htmx).content.decode()
    tick = client.post(url, {**typed, "partners": [partner_org.pk]}, headers=htmx)
    tick = tick.content.decode()
    assert 'id="attendees"' in tick and "<html" not in tick
    assert f'value="{pat.pk}"' in tick and f'value="{pat.pk}"' not in untick
    joint.refresh_from_db()
    assert joint.date == TODAY() and joint.checkin == ""


def test_without_javascript_show_who_can_come_keeps_what_was_typed(
    client, sally, joint, partner_org
):
    client.force_login(sally)
    url = reverse("safeguarding:session_edit", args=[joint.pk])
    typed = {
        "date": ["2031-01-07"],
        "partners": [str(partner_org.pk)],
        "attendees": [str(sally.pk)],
        "guests": ["Jo from the refuge"],
        "checkin": ["A hard month."],
        "notes": ["Room 2."],
    }
    page = client.post(url, {**typed, "refresh": "1"}).content.decode()
    assert form_data(page, url) == typed
    assert "Show who can come" in page
    joint.refresh_from_db()
    assert joint.date == TODAY() and joint.guests == ""


def test_the_agenda_builds_itself(org, other_org, sally, charlie):
    today = TODAY()
    ReflectionSession.objects.create(
        host=org, date=today - dt.timedelta(days=30), created_by=sally
    )
    session = ReflectionSession.objects.create(host=org, date=today, created_by=sally)

    def worry(days_ago, status="open", flagged=False, org=org, by=sally):
        w = make_worry(org, by, about_initials="A.B.", days_ago=days_ago)
        Worry.objects.filter(pk=w.pk).update(status=status, flagged_for_review=flagged)
        return w

    old_open = worry(60)
    old_watching = worry(45, status="watching")
    old_closed_flagged = worry(50, status="closed", flagged=True)
    worry(70, status="closed")
    new = worry(3)
    new_closed = worry(2, status="closed")
    worry(1, org=other_org, by=charlie)

    def action(days, done=False, due=True):
        return Action.objects.create(
            worry=old_open,
            what="Something to do",
            who_else="Jo",
            due=today + dt.timedelta(days=days) if due else None,
            done_at=timezone.now() if done else None,
        )

    overdue, due_today = action(-5), action(0)
    action(10), action(-5, done=True), action(0, due=False)

    agenda = session.agenda_for(org)
    assert agenda["previous"].date == today - dt.timedelta(days=30)
    assert agenda["new"] == [new, new_closed]
    assert agenda["open"] == [old_open, old_watching]
    assert agenda["actions"] == [overdue, due_today]
    assert agenda["flagged"] == [old_closed_flagged]


def test_the_last_session_is_the_last_one_held_never_a_planned_one(client, org, sally):
    held = ReflectionSession.objects.create(
        host=org, date=TODAY() - dt.timedelta(days=30), created_by=sally
    )
    ReflectionSession.objects.create(
        host=org, date=TODAY() + dt.timedelta(days=5), created_by=sally
    )
    later = ReflectionSession.objects.create(
        host=org, date=TODAY() + dt.timedelta(days=35), created_by=sally
    )
    since_held = make_worry(org, sally, about_initials="N.W.", days_ago=10)
    assert later.previous_for(org) == held
    assert later.agenda_for(org)["new"] == [since_held]
    client.force_login(sally)
    page = client.get(later.get_absolute_url()).content.decode()
    assert f"Since the last session, held on {held.date:%-d %B %Y}." in page
    assert '">Agenda</h2>' in page  # a heading starts with a capital


def test_overdue_means_past_its_due_date_today(client, org, sally):
    """Not measured against the session's date: an action due next week is
    "due before this session", gently, not overdue."""
    session = ReflectionSession.objects.create(
        host=org, date=TODAY() + dt.timedelta(days=14), created_by=sally
    )
    worry = make_worry(org, sally, about_initials="A.B.")
    for what, days in (("Late one", -1), ("Today one", 0), ("Next week", 7)):
        Action.objects.create(
            worry=worry, what=what, who_else="Jo", due=TODAY() + dt.timedelta(days)
        )
    client.force_login(sally)
    page = client.get(session.get_absolute_url()).content.decode()
    labels = dict(
        re.findall(r'note">([^<]+)</span>.*?class="[^"]*when-due">([^<]+)<', page)
    )
    assert labels == {
        "Late one": "overdue",
        "Today one": "due today",
        "Next week": "due before this session",
    }


def test_the_first_session_counts_every_worry_as_new(org, sally, worry):
    session = ReflectionSession.objects.create(host=org, date=TODAY(), created_by=sally)
    agenda = session.agenda_for(org)
    assert agenda["previous"] is None
    assert agenda["new"] == [worry] and agenda["open"] == []


def test_the_session_page_shows_the_agenda_in_order(client, sally, joint, unshared):
    client.force_login(sally)
    page = client.get(joint.get_absolute_url()).content.decode()
    sections = [
        "New worries since the last session",
        "Open worries, oldest first",
        "Actions due by this session",
        "Flagged for review",
    ]
    positions = [page.index(s) for s in sections]
    assert positions == sorted(positions)
    assert '">Agenda for Mended Together</h2>' in page
    assert FULL_NAME in page and "R.T." in page


def review_data(**extra):
    data = {
        "notes": "We talked about her housing. She wants to stay put.",
        "decision": "referral",
        "referral_to": "adult-social-care",
        "referral_date": TODAY().isoformat(),
        "reference": "ASC-20931",
        "status_after": "watching",
        "flag_next_time": "on",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-0-what": "Ring her on Thursday to see how the visit went.",
        "actions-0-who_else": "Jo from the Corner",
        "actions-0-due": (TODAY() + dt.timedelta(days=3)).isoformat(),
        "actions-1-what": "",
    }
    data.update(extra)
    return data


def test_running_the_session_records_a_decision_referral_and_actions(
    client, sally, joint, worry
):
    client.force_login(sally)
    url = reverse("safeguarding:review", args=[joint.pk, worry.pk])
    assert "leads the quilting" in client.get(url).content.decode()
    response = client.post(
        url,
        review_data(
            **{
                "referred_by": sally.pk,
                "actions-0-assigned_to": sally.pk,
                "actions-0-who_else": "",
            },
        ),
    )
    assert response.status_code == 302
    review = WorryReview.objects.get()
    assert review.decision == "referral"
    assert review.referral_to == "adult-social-care"
    assert review.reference == "ASC-20931"
    assert review.referred_by == sally and review.reviewed_by == sally
    (action,) = review.actions.all()
    assert action.worry == worry and action.assigned_to == sally
    worry.refresh_from_db()
    assert worry.status == "watching" and worry.flagged_for_review is True
    # The agenda now shows it was talked about.
    page = client.get(joint.get_absolute_url()).content.decode()
    assert "Talked about: formal referral" in page


def test_a_second_save_changes_the_same_review(client, sally, joint, worry):
    client.force_login(sally)
    url = reverse("safeguarding:review", args=[joint.pk, worry.pk])
    client.post(url, review_data(decision="keep-in-touch"))
    client.post(url, review_data(decision="offer-support"))
    review = WorryReview.objects.get()
    assert review.decision == "offer-support"
    assert review.history.count() == 2


def test_an_action_needs_someone_to_do_it(client, sally, joint, worry):
    client.force_login(sally)
    url = reverse("safeguarding:review", args=[joint.pk, worry.pk])
    response = client.post(url, review_data(**{"actions-0-who_else": ""}))
    assert response.status_code == 400
    assert "Who will do it?" in response.content.decode()
    assert not WorryReview.objects.exists() and not Action.objects.exists()


def test_a_referral_needs_who_and_when(client, sally, joint, worry):
    client.force_login(sally)
    url = reverse("safeguarding:review", args=[joint.pk, worry.pk])
    response = client.post(url, review_data(referral_to="", referral_date=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Who was she referred to?" in page
    assert "When was the referral made?" in page
    assert not WorryReview.objects.exists()


def test_referral_details_are_dropped_when_it_is_not_a_referral(
    client, sally, joint, worry
):
    client.force_login(sally)
    url = reverse("safeguarding:review", args=[joint.pk, worry.pk])
    client.post(url, review_data(decision="signpost"))
    review = WorryReview.objects.get()
    assert review.referral_to == "" and review.reference == ""
    assert review.referral_date is None


def test_closing_in_a_session_needs_a_reason(client, sally, joint, worry):
    client.force_login(sally)
    url = reverse("safeguarding:review", args=[joint.pk, worry.pk])
    response = client.post(url, review_data(status_after="closed"))
    assert "Please say why" in response.content.decode()
    response = client.post(
        url, review_data(status_after="closed", closed_reason="She's moved away.")
    )
    worry.refresh_from_db()
    assert worry.status == "closed" and worry.closed_reason == "She's moved away."


def test_an_action_is_marked_done_and_back(client, sally, action):
    client.force_login(sally)
    url = reverse("safeguarding:action_done", args=[action.pk])
    client.post(url)
    action.refresh_from_db()
    assert action.done_at is not None
    response = client.post(url, headers={"HX-Request": "true"})
    assert f'id="action-{action.pk}"' in response.content.decode()
    action.refresh_from_db()
    assert action.done_at is None


def test_a_partner_sees_only_brought_worries_and_never_her_name(
    client, pat, joint, worry, unshared
):
    client.force_login(pat)
    page = client.get(joint.get_absolute_url()).content.decode()
    assert "Z.Q." in page
    assert FULL_NAME not in page and KNOWN_AS not in page
    assert "R.T." not in page
    shared = client.get(
        reverse("safeguarding:review", args=[joint.pk, worry.pk])
    ).content.decode()
    assert "Z.Q." in shared and "landlord" in shared
    assert FULL_NAME not in shared and KNOWN_AS not in shared
    # No link to her record or chronology, and no decision form.
    assert worry.get_absolute_url() not in shared
    assert "chronology" not in shared
    assert 'name="decision"' not in shared


def test_a_partner_brings_its_own_worry_and_the_host_sees_initials_only(
    client, pat, sally, joint, partner_org
):
    theirs = make_worry(
        partner_org,
        pat,
        Person.objects.create(
            organisation=partner_org,
            known_as="Philippa",
            full_name="Philippa Pemberton-Smythe",
        ),
        what_worries_us="Her son has stopped visiting.",
    )
    client.force_login(pat)
    page = client.get(joint.get_absolute_url()).content.decode()
    assert "Philippa Pemberton-Smythe" in page  # her own group's agenda
    client.post(
        reverse("safeguarding:session_bring", args=[joint.pk]),
        {"worry": theirs.pk, "bring": "1"},
        follow=True,
    )
    assert SessionWorry.objects.filter(session=joint, worry=theirs).exists()
    client.force_login(sally)
    page = client.get(joint.get_absolute_url()).content.decode()
    assert "P.P." in page and "Philippa" not in page
    shared = client.get(reverse("safeguarding:review", args=[joint.pk, theirs.pk]))
    assert "stopped visiting" in shared.content.decode()
    assert "Philippa" not in shared.content.decode()
    # The host can't record decisions on the partner's worry.
    response = client.post(
        reverse("safeguarding:review", args=[joint.pk, theirs.pk]), review_data()
    )
    assert response.status_code == 403
    assert not WorryReview.objects.exists()


def test_withdrawing_a_worry_hides_it_from_partners_but_keeps_the_row(
    client, sally, pat, joint, worry
):
    client.force_login(sally)
    client.post(
        reverse("safeguarding:session_bring", args=[joint.pk]),
        {"worry": worry.pk, "bring": "0"},
    )
    link = SessionWorry.objects.get(session=joint, worry=worry)
    assert link.withdrawn_at is not None
    client.force_login(pat)
    url = reverse("safeguarding:review", args=[joint.pk, worry.pk])
    assert client.get(url).status_code == 404
    assert "Z.Q." not in client.get(joint.get_absolute_url()).content.decode()


def test_a_partner_group_can_not_bring_a_worry_to_a_session_it_is_not_in(
    client, ursula, joint, other_org
):
    theirs = make_worry(other_org, ursula, about_initials="U.U.")
    client.force_login(ursula)
    response = client.post(
        reverse("safeguarding:session_bring", args=[joint.pk]),
        {"worry": theirs.pk, "bring": "1"},
    )
    assert response.status_code == 404
    assert not SessionWorry.objects.filter(worry=theirs).exists()


def test_the_session_page_keeps_to_a_fixed_number_of_queries(
    client, sally, joint, org, django_assert_max_num_queries
):
    for i in range(15):
        w = make_worry(org, sally, about_initials="A.A.", days_ago=i)
        Action.objects.create(worry=w, what="x", who_else="Jo", due=TODAY())
    client.force_login(sally)
    with django_assert_max_num_queries(25):
        assert client.get(joint.get_absolute_url()).status_code == 200
