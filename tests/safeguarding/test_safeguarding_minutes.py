import subprocess

import pytest
from django.urls import reverse

from safeguarding.models import AccessLog, Action, WorryReview
from tests.safeguarding.safeguarding_helpers import FULL_NAME, KNOWN_AS


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()


@pytest.fixture
def discussed(joint, worry, unshared, sally):
    joint.checkin = "A heavy month; we looked after each other."
    joint.save()
    for w, decision in ((worry, "referral"), (unshared, "keep-in-touch")):
        review = WorryReview.objects.create(
            session=joint,
            worry=w,
            notes=f"Notes about {w.initials}: she wants to stay put.",
            decision=decision,
            referral_to="adult-social-care" if decision == "referral" else "",
            referral_date=joint.date if decision == "referral" else None,
            reference="ASC-777" if decision == "referral" else "",
            status_after="watching",
            reviewed_by=sally,
        )
        Action.objects.create(
            worry=w, review=review, what="Ring her on Friday.", assigned_to=sally
        )
    return joint


def test_minutes_are_confidential_and_say_who_downloaded_them_on_every_page(
    client, sally, discussed, worry
):
    client.force_login(sally)
    response = client.get(reverse("safeguarding:minutes", args=[discussed.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    for page in pages:
        assert "CONFIDENTIAL" in page
        assert "Downloaded by Sally on" in page
    assert FULL_NAME in text
    assert "A heavy month" in text
    assert "Adult social care" in text and "ASC-777" in text
    assert "Ring her on Friday." in text
    assert "R.T." in text


def test_partner_minutes_show_shared_worries_by_initials_only(
    client, pat, discussed, worry
):
    client.force_login(pat)
    response = client.get(reverse("safeguarding:minutes", args=[discussed.pk]))
    text = pdf_text(response.content)
    assert "Downloaded by Pat on" in text
    assert "Z.Q." in text
    assert "A heavy month" in text
    for secret in (FULL_NAME, KNOWN_AS, "R.T.", "ASC-777", "stay put", "Ring her"):
        assert secret not in text


def test_downloading_minutes_is_logged_for_each_worry_in_them(
    client, sally, pat, discussed, worry, unshared
):
    client.force_login(pat)
    client.get(reverse("safeguarding:minutes", args=[discussed.pk]))
    client.force_login(sally)
    client.get(reverse("safeguarding:minutes", args=[discussed.pk]))
    logged = AccessLog.objects.filter(what=AccessLog.MINUTES)
    assert {(e.user.username, e.worry_id) for e in logged} == {
        ("pat", worry.pk),
        ("sally", worry.pk),
        ("sally", unshared.pk),
    }


def test_minutes_keep_to_a_fixed_number_of_queries(
    client, sally, discussed, org, partner_org, pat, django_assert_max_num_queries
):
    from safeguarding.models import SessionWorry
    from tests.safeguarding.safeguarding_helpers import make_worry

    for i in range(10):
        w = make_worry(org, sally, about_initials="A.A.", days_ago=i)
        review = WorryReview.objects.create(
            session=discussed, worry=w, decision="nfa", reviewed_by=sally
        )
        Action.objects.create(worry=w, review=review, what="x", assigned_to=sally)
        theirs = make_worry(partner_org, pat, about_initials="B.B.")
        SessionWorry.objects.create(session=discussed, worry=theirs, brought_by=pat)
    client.force_login(sally)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("safeguarding:minutes", args=[discussed.pk]))
    assert response.status_code == 200
