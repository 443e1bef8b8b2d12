"""No English slips past translation on the safeguarding pages, in the
minutes PDF or in the urgent email (tests/pseudo.py: each page in the
pseudo-language, where every translated string is ⟦ţŕàñšƒöŕɱéđ⟧)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from peerspace.accounts.models import Profile
from safeguarding.models import (
    ReflectionSession,
    SessionAnswer,
    UrgentAlert,
    WorryReview,
)
from safeguarding.services import alert_email, deliver
from tests.helpers import pdf_text
from tests.pseudo import untranslated, untranslated_text
from tests.safeguarding.safeguarding_helpers import FULL_NAME, KNOWN_AS, make_worry


@pytest.fixture
def everything(joint, worry, unshared, action, sally, pat, org, partner_org):
    """A session with a referral and an action, a session the partner group
    hasn't answered yet, an alert that wasn't sent, and a closed worry."""
    WorryReview.objects.create(
        session=joint,
        worry=worry,
        notes="We talked it through.",
        decision=WorryReview.REFERRAL,
        referral_to="adult-social-care",
        referral_date=joint.date,
        referred_by=sally,
        reference="ASC-1",
        status_after="watching",
        reviewed_by=sally,
    )
    action.review = WorryReview.objects.get()
    action.save()
    joint.checkin = "A quiet month."
    joint.guests = "Jo from the food bank"
    joint.save()
    asked = ReflectionSession.objects.create(
        host=partner_org,
        date=timezone.localdate() + dt.timedelta(days=30),
        created_by=pat,
    )
    asked.partners.add(org)
    closed = make_worry(org, sally, about_initials="C.D.", days_ago=40)
    closed.set_status("closed", "She moved away and is settled.")
    urgent = make_worry(org, sally, about_initials="U.R.", serious_harm="yes")
    UrgentAlert.objects.create(
        worry=urgent, link="https://peerspace.example.org/w", last_error="Down."
    )
    return {"joint": joint, "asked": asked, "worry": worry, "closed": closed}


def _url(name: str, *keys: str, query: str = ""):
    """The page's address from the objects `everything` made: "worry" is its
    pk, "worry.person_id" an attribute of one."""

    def url(objects: dict) -> str:
        args = []
        for key in keys:
            name_, _dot, attribute = key.partition(".")
            args.append(getattr(objects[name_], attribute or "pk"))
        return reverse(f"safeguarding:{name}", args=args) + query

    return url


PAGES = [
    ("worries", "sally", _url("worries")),
    ("my worries", "bob", _url("worries")),
    ("a worry", "sally", _url("worry", "worry")),
    ("a closed worry", "sally", _url("worry", "closed")),
    ("raising a worry", "bob", _url("worry_new")),
    (
        "raising a worry about her",
        "bob",
        lambda o: _url("worry_new")(o) + f"?person={o['worry'].person_id}",
    ),
    ("finding her", "bob", _url("worry_new", query="?q=no-one-of-that-name")),
    ("changing a worry", "sally", _url("worry_edit", "worry")),
    ("worry raised", "sally", _url("worry_raised", "worry")),
    ("chronology", "sally", _url("chronology", "worry.person_id")),
    ("sessions", "sally", _url("sessions")),
    ("planning a session", "sally", _url("session_new")),
    ("a session", "sally", _url("session", "joint")),
    ("a session, as the partner", "pat", _url("session", "joint")),
    ("changing a session", "sally", _url("session_edit", "joint")),
    ("talking about a worry", "sally", _url("review", "joint", "worry")),
    ("a shared worry", "pat", _url("review", "joint", "worry")),
    ("an invitation", "sally", _url("session_invitation", "asked")),
    ("partner groups", "sally", _url("partners")),
    ("who has looked", "sally", _url("access_log")),
    ("contacts and numbers", "sally", _url("settings")),
]


@pytest.mark.parametrize(
    "who, url", [pytest.param(w, u, id=name) for name, w, u in PAGES]
)
def test_every_word_on_the_safeguarding_pages_is_translated(
    client, pseudo_language, everything, request, who, url
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(everything), HTTP_ACCEPT_LANGUAGE=pseudo_language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{pseudo_language}"' in html
    # Her initials, worked out from her name, are data too.
    assert [t for t in untranslated(html) if t != everything["worry"].initials] == []


def test_every_word_in_the_minutes_is_translated(
    client, pseudo_language, everything, sally, tmp_path
):
    client.force_login(sally)
    response = client.get(
        reverse("safeguarding:minutes", args=[everything["joint"].pk]),
        HTTP_ACCEPT_LANGUAGE=pseudo_language,
    )
    text = pdf_text(response.content, tmp_path)
    assert FULL_NAME in text  # the minutes are really there
    assert untranslated_text(text) == []


def test_the_urgent_email_is_in_her_language_and_still_names_no_one(
    pseudo_language, org, sally, her, bob, smtp_sink
):
    worry = make_worry(org, bob, her, serious_harm="yes", about_description="Flat 3")
    alert = UrgentAlert.objects.create(worry=worry, link="https://example.org/w/1")
    Profile.objects.create(user=sally, language=pseudo_language)
    assert deliver(alert)
    (sent,) = smtp_sink.received
    assert untranslated_text(sent.subject) == []
    assert untranslated_text(sent.body) == []
    assert "⟦" in sent.subject and "https://example.org/w/1" in sent.body
    for secret in (KNOWN_AS, FULL_NAME, "Z.Q.", "Flat 3", "Bob", "bob"):
        assert secret not in sent.body and secret not in sent.subject


def test_the_urgent_email_is_in_the_organisations_language_by_default(
    pseudo_language, org, sally, her, bob
):
    org.default_language = pseudo_language
    org.save()
    worry = make_worry(org, bob, her, serious_harm="yes")
    alert = UrgentAlert.objects.create(worry=worry, link="https://example.org/w/1")
    with translation.override("en"):
        sent = alert_email(alert, "sally@example.org")
    assert untranslated_text(sent.body) == []
    assert untranslated_text(sent.subject) == []
    # English otherwise, whatever language the page that raised it was in.
    alert.worry.organisation.default_language = "en"
    with translation.override(pseudo_language):
        sent = alert_email(alert, "sally@example.org")
    assert sent.subject == "Peerspace: urgent worry, someone may be at risk now"


def test_an_answer_already_given_is_translated_too(
    client, pseudo_language, everything, sally, org
):
    SessionAnswer.give(everything["asked"], org, joining=False, by=sally)
    client.force_login(sally)
    url = reverse("safeguarding:session_invitation", args=[everything["asked"].pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=pseudo_language).content.decode()
    assert untranslated(html) == []
