"""Partnerships between groups, across three organisations.

Sally's group (the host) and Pat's (the partner group) are partners in most
tests; Ursula's is a third group that nobody has agreed to anything with.
"""

import datetime as dt
import importlib
import re

from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from peerspace.accounts.models import Partnership, show_partnership_code
from safeguarding.models import (
    ReflectionSession,
    SessionAnswer,
    SessionWorry,
    WorryReview,
)
from tests.safeguarding.safeguarding_helpers import become_partners, make_worry

TODAY = timezone.localdate
PARTNERS = reverse("safeguarding:partners")


def plan(client, **data):
    return client.post(reverse("safeguarding:session_new"), data)


def invite(org, partner_org, sally, days=7):
    session = ReflectionSession.objects.create(
        host=org, date=TODAY() + dt.timedelta(days=days), created_by=sally
    )
    session.partners.add(partner_org)
    return session


def say(client, session, join: bool, *attendees):
    return client.post(
        reverse("safeguarding:session_invitation", args=[session.pk]),
        {"join": "1" if join else "0", "attendees": [u.pk for u in attendees]},
    )


def test_no_page_lists_the_groups_using_peerspace(
    client, sally, org, partner_org, other_org
):
    client.force_login(sally)
    for url in (PARTNERS, reverse("safeguarding:session_new")):
        page = client.get(url).content.decode()
        assert partner_org.name not in page and other_org.name not in page


def test_a_group_is_asked_by_its_code_and_is_a_partner_only_once_it_says_yes(
    client, sally, pat, org, partner_org
):
    client.force_login(sally)
    code = show_partnership_code(partner_org.get_partnership_code()).lower()
    response = client.post(PARTNERS, {"code": code}, follow=True)
    assert f"asked {partner_org.name}" in response.content.decode()
    asked = Partnership.objects.get()
    assert (asked.organisation, asked.partner, asked.status) == (
        org,
        partner_org,
        Partnership.PROPOSED,
    )
    # Asked is not agreed: nothing to invite yet, and a forged tick is refused.
    assert partner_org not in org.partners()
    page = client.get(reverse("safeguarding:session_new")).content.decode()
    assert partner_org.name not in page
    response = plan(client, date=TODAY().isoformat(), partners=[partner_org.pk])
    assert response.status_code == 200 and not ReflectionSession.objects.exists()

    client.force_login(pat)
    page = client.get(PARTNERS).content.decode()
    assert org.name in page and "Yes, become partners" in page
    client.post(
        reverse("safeguarding:partnership_answer", args=[asked.pk]), {"accept": "1"}
    )
    asked.refresh_from_db()
    assert asked.status == Partnership.ACCEPTED and asked.answered_by == pat
    assert list(org.partners()) == [partner_org]
    assert list(partner_org.partners()) == [org]

    client.force_login(sally)
    assert (
        partner_org.name
        in client.get(reverse("safeguarding:session_new")).content.decode()
    )


def test_a_wrong_code_says_so_and_asks_no_one(client, sally, org):
    client.force_login(sally)
    response = client.post(PARTNERS, {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 400
    assert "No group has that code" in response.content.decode()
    response = client.post(PARTNERS, {"code": org.get_partnership_code()})
    assert "our own group&#x27;s code" in response.content.decode()
    assert not Partnership.objects.exists()


def test_asking_by_name_answers_the_same_whether_or_not_the_group_is_here(
    client, sally, pat, org, partner_org
):
    """Guessing names must not tell anyone which groups use Peerspace."""
    client.force_login(sally)

    def ask(name):
        response = client.post(PARTNERS, {"name": name}, follow=True)
        said = [str(m).replace(name, "NAME") for m in response.context["messages"]]
        listed = re.findall(rf"<strong>{name}</strong>[^<]*", response.content.decode())
        return response.redirect_chain, said, [s.replace(name, "NAME") for s in listed]

    real = ask("pemberton community corner")
    made_up = ask("Nobody Of This Name")
    assert real == made_up
    assert real[1] == [
        "We've asked NAME. Once one of their safeguarding members says yes, you "
        "can hold joint reflection sessions."
    ]
    assert real[2] == [f"<strong>NAME</strong> · we asked on {TODAY():%-d %B %Y}"]
    asked_real, asked_nobody = Partnership.objects.order_by("id")
    assert asked_real.partner == partner_org and asked_nobody.partner is None
    # Pat's group sees the question; the name that matched nothing reaches no one.
    client.force_login(pat)
    page = client.get(PARTNERS).content.decode()
    assert org.name in page and page.count("Yes, become partners") == 1


def test_a_group_asked_twice_or_asking_back_gets_one_partnership(
    client, sally, pat, org, partner_org
):
    client.force_login(sally)
    client.post(PARTNERS, {"code": partner_org.get_partnership_code()})
    again = client.post(
        PARTNERS, {"name": partner_org.name.upper()}, follow=True
    ).content.decode()
    assert "We&#x27;ve already asked" in again
    client.force_login(pat)
    back = client.post(
        PARTNERS, {"code": org.get_partnership_code()}, follow=True
    ).content.decode()
    assert "has already asked us: you can say yes below" in back
    assert Partnership.objects.count() == 1
    # And the database holds the rule whichever way round they are written.
    try:
        with transaction.atomic():
            Partnership.objects.create(
                organisation=partner_org, partner=org, asked_for=org.name
            )
        raise AssertionError("a second live partnership for one pair was saved")
    except IntegrityError:
        pass


def test_only_the_group_asked_can_say_yes(client, sally, pat, org, partner_org):
    asked, _ = Partnership.objects.propose(
        org, sally, code=partner_org.get_partnership_code()
    )
    client.force_login(sally)
    response = client.post(
        reverse("safeguarding:partnership_answer", args=[asked.pk]), {"accept": "1"}
    )
    assert response.status_code == 403
    asked.refresh_from_db()
    assert asked.status == Partnership.PROPOSED


def test_saying_no_or_taking_the_question_back_makes_no_partners(
    client, sally, pat, org, partner_org, other_org, ursula
):
    to_pat, _ = Partnership.objects.propose(
        org, sally, code=partner_org.get_partnership_code()
    )
    to_ursula, _ = Partnership.objects.propose(
        org, sally, code=other_org.get_partnership_code()
    )
    client.force_login(pat)
    client.post(
        reverse("safeguarding:partnership_answer", args=[to_pat.pk]), {"accept": "0"}
    )
    client.force_login(sally)
    client.post(reverse("safeguarding:partnership_end", args=[to_ursula.pk]))
    to_pat.refresh_from_db()
    to_ursula.refresh_from_db()
    assert to_pat.status == Partnership.DECLINED
    assert to_ursula.status == Partnership.ENDED
    assert not org.partners().exists()
    # A question no longer waiting can't be answered yes afterwards.
    client.force_login(ursula)
    client.post(
        reverse("safeguarding:partnership_answer", args=[to_ursula.pk]),
        {"accept": "1"},
    )
    to_ursula.refresh_from_db()
    assert to_ursula.status == Partnership.ENDED
    page = client.get(PARTNERS).content.decode()
    assert "they took back their question" in page


def test_a_joint_session_appears_for_the_partner_only_once_it_says_yes(
    client, sally, pat, org, partner_org, partnership
):
    session = invite(org, partner_org, sally)
    session_url = session.get_absolute_url()
    client.force_login(pat)
    sessions = client.get(reverse("safeguarding:sessions")).content.decode()
    assert "Invitations from partner groups" in sessions
    assert reverse("safeguarding:session_invitation", args=[session.pk]) in sessions
    assert f'href="{session_url}"' not in sessions
    assert client.get(session_url).status_code == 404
    invitation = client.get(
        reverse("safeguarding:session_invitation", args=[session.pk])
    ).content.decode()
    assert "Sally" not in invitation  # the host's people stay unnamed until then

    response = say(client, session, True, pat)
    assert response["Location"] == session_url
    answer = SessionAnswer.objects.get()
    assert (answer.organisation, answer.joining, answer.answered_by) == (
        partner_org,
        True,
        pat,
    )
    assert pat in session.attendees.all()
    sessions = client.get(reverse("safeguarding:sessions")).content.decode()
    assert f'href="{session_url}"' in sessions
    assert "Invitations from partner groups" not in sessions
    assert client.get(session_url).status_code == 200

    # Changing their mind takes them (and their members) back out.
    say(client, session, False)
    assert client.get(session_url).status_code == 404
    assert pat not in session.attendees.all()
    client.force_login(sally)
    page = client.get(session_url).content.decode()
    assert "they said they can't join this one" in page


def test_partner_staff_names_appear_only_in_a_session_both_agreed_to(
    client, sally, pat, ursula, org, partner_org, partnership
):
    client.force_login(sally)
    page = client.post(
        reverse("safeguarding:session_new"),
        {"date": TODAY().isoformat(), "partners": [partner_org.pk], "refresh": "1"},
    ).content.decode()
    assert "Pat" not in page and "once you save, they are asked to join" in page
    response = plan(
        client,
        date=TODAY().isoformat(),
        partners=[partner_org.pk],
        attendees=[sally.pk, pat.pk],
    )
    assert response.status_code == 200  # Pat can't be named before they agree
    assert not ReflectionSession.objects.exists()
    plan(client, date=TODAY().isoformat(), partners=[partner_org.pk])
    session = ReflectionSession.objects.get()
    edit = reverse("safeguarding:session_edit", args=[session.pk])
    assert "Pat" not in client.get(edit).content.decode()

    client.force_login(pat)
    say(client, session, True)
    client.force_login(sally)
    page = client.get(edit).content.decode()
    assert "Pat" in page and "Ursula" not in page


def test_ending_a_partnership_stops_the_sharing_and_each_group_keeps_its_records(
    client, sally, pat, org, partner_org, partnership, joint, worry
):
    theirs = make_worry(partner_org, pat, about_initials="P.P.")
    SessionWorry.objects.create(session=joint, worry=theirs, brought_by=pat)
    WorryReview.objects.create(
        session=joint, worry=theirs, decision="keep-in-touch", reviewed_by=pat
    )
    planned = invite(org, partner_org, sally, days=14)
    SessionAnswer.give(planned, partner_org, joining=True, by=pat)
    planned.attendees.add(sally, pat)
    client.force_login(sally)
    assert "P.P." in client.get(joint.get_absolute_url()).content.decode()

    client.force_login(pat)
    response = client.post(
        reverse("safeguarding:partnership_end", args=[partnership.pk]), follow=True
    )
    assert "Each group keeps its own records" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.status == Partnership.ENDED
    assert partnership.ended_by_organisation == partner_org

    # Pat's group sees nothing of the host's sessions or worries any more...
    sessions = client.get(reverse("safeguarding:sessions")).content.decode()
    assert f'href="{joint.get_absolute_url()}"' not in sessions
    assert client.get(joint.get_absolute_url()).status_code == 404
    shared = reverse("safeguarding:review", args=[joint.pk, worry.pk])
    assert client.get(shared).status_code == 404
    # ...and keeps its own worry, and what it decided about it at the session.
    own = client.get(theirs.get_absolute_url()).content.decode()
    assert "Keep in touch" in own and "at Mended Together's session" in own
    assert reverse("safeguarding:review", args=[joint.pk, theirs.pk]) not in own

    # The host keeps its session and who was there, but sees no more of theirs.
    client.force_login(sally)
    page = client.get(joint.get_absolute_url()).content.decode()
    assert "P.P." not in page and "Pat" in page
    assert "no longer partners" in page
    assert set(joint.attendees.all()) == {sally, pat}
    # Pat is off the session still to come, and her group isn't offered.
    assert set(planned.attendees.all()) == {sally}
    edit = client.get(
        reverse("safeguarding:session_edit", args=[planned.pk])
    ).content.decode()
    assert "Pat" not in edit and partner_org.name not in edit
    assert worry.reviews.count() == 0 and worry.organisation == org


def test_partners_again_means_agreeing_to_each_session_again(
    client, sally, pat, org, partner_org, partnership, joint
):
    partnership.end(by=sally, organisation=org)
    become_partners(partner_org, org, pat, sally)
    client.force_login(pat)
    assert client.get(joint.get_absolute_url()).status_code == 404
    sessions = client.get(reverse("safeguarding:sessions")).content.decode()
    assert reverse("safeguarding:session_invitation", args=[joint.pk]) in sessions


def test_a_third_group_never_sees_a_joint_session(
    client, ursula, joint, other_org, org
):
    client.force_login(ursula)
    assert client.get(joint.get_absolute_url()).status_code == 404
    sessions = client.get(reverse("safeguarding:sessions")).content.decode()
    assert org.name not in sessions
    assert (
        client.get(
            reverse("safeguarding:session_invitation", args=[joint.pk])
        ).status_code
        == 404
    )
    # Even naming itself as a partner of the host's session changes nothing.
    joint.partners.add(other_org)
    SessionAnswer.give(joint, other_org, joining=True, by=ursula)
    assert client.get(joint.get_absolute_url()).status_code == 404


def test_existing_joint_sessions_become_accepted_partnerships(
    org, partner_org, sally, pat
):
    """Before partnerships were recorded, a host named its partners itself."""
    held = ReflectionSession.objects.create(
        host=org, date=TODAY() - dt.timedelta(days=30), created_by=sally
    )
    held.partners.add(partner_org)
    assert not ReflectionSession.objects.for_user(pat).exists()
    migration = importlib.import_module(
        "safeguarding.migrations.0004_existing_partners_agreed"
    )
    migration.agree_existing(apps, None)
    migration.agree_existing(apps, None)  # and it is safe to run twice
    partnership = Partnership.objects.get()
    assert partnership.status == Partnership.ACCEPTED
    assert {partnership.organisation, partnership.partner} == {org, partner_org}
    assert list(ReflectionSession.objects.for_user(pat)) == [held]


def test_session_and_partner_lists_keep_to_a_fixed_number_of_queries(
    client, org, partner_org, sally, pat, partnership, django_assert_max_num_queries
):
    for days in range(-60, 60, 5):
        session = invite(org, partner_org, sally, days=days)
        if days % 2:
            SessionAnswer.give(session, partner_org, joining=True, by=pat)
    for user in (sally, pat):
        client.force_login(user)
        with django_assert_max_num_queries(18):
            assert client.get(reverse("safeguarding:sessions")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(PARTNERS).status_code == 200
