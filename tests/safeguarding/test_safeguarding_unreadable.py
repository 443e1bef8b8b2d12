"""Safeguarding lists and minutes keep working past a note no key can read."""

import html as html_lib

import pytest
from django.urls import reverse

from peerspace import crypto
from safeguarding.models import ReflectionSession, Worry, WorryReview
from tests.helpers import (
    assert_no_ciphertext,
    lost_key_token,
    pdf_text,
    read_raw,
    write_raw,
)


@pytest.fixture
def token():
    return lost_key_token()


@pytest.fixture
def damaged(joint, worry, unshared, sally, token):
    """A session, its check-in, a review and both worries each partly unreadable."""
    review = WorryReview.objects.create(
        session=joint,
        worry=worry,
        notes="She wants to stay put.",
        decision="keep-in-touch",
        status_after="watching",
        reviewed_by=sally,
    )
    write_raw(ReflectionSession, joint.pk, "checkin", token)
    write_raw(WorryReview, review.pk, "notes", token)
    write_raw(Worry, worry.pk, "what_worries_us", token)
    write_raw(Worry, unshared.pk, "about_initials", token)
    write_raw(Worry, unshared.pk, "closed_reason", token)
    return joint


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html_lib.unescape(response.content.decode())


def test_her_organisations_lists_show_the_placeholder(
    client, sally, damaged, worry, unshared, token, tmp_path
):
    client.force_login(sally)
    for url in (
        reverse("safeguarding:worries") + "?status=all",
        reverse("safeguarding:session", args=[damaged.pk]),
        reverse("safeguarding:chronology", args=[worry.person_id]),
        reverse("safeguarding:worry", args=[worry.pk]),
    ):
        html = page(client, url)
        assert crypto.UNREADABLE_TEXT in html, url
        assert_no_ciphertext(html, token)
    response = client.get(reverse("safeguarding:minutes", args=[damaged.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "This note can't be read" in text
    assert "fernet:" not in text


def test_a_partner_sees_the_placeholder_and_no_made_up_initials(
    client, pat, damaged, worry, unshared, sally, token
):
    from safeguarding.models import SessionWorry

    SessionWorry.objects.create(session=damaged, worry=unshared, brought_by=sally)
    client.force_login(pat)
    html = page(client, reverse("safeguarding:session", args=[damaged.pk]))
    assert_no_ciphertext(html, token)
    # Not initials made from the placeholder's own letters.
    assert f'{unshared.pk}/">?</a>' in html
    html = page(client, reverse("safeguarding:review", args=[damaged.pk, worry.pk]))
    assert crypto.UNREADABLE_TEXT in html
    assert_no_ciphertext(html, token)


def test_forms_for_one_record_refuse_clearly_and_change_nothing(
    client, sally, damaged, worry, unshared, token
):
    client.force_login(sally)
    for url in (
        reverse("safeguarding:worry_edit", args=[worry.pk]),
        reverse("safeguarding:review", args=[damaged.pk, worry.pk]),
        # No review yet, but its form would offer the reason it was closed.
        reverse("safeguarding:review", args=[damaged.pk, unshared.pk]),
        reverse("safeguarding:session_edit", args=[damaged.pk]),
    ):
        response = client.get(url)
        html = html_lib.unescape(response.content.decode())
        assert response.status_code == 500, url
        assert "tell your coordinator" in html
        assert_no_ciphertext(html, token)
    assert read_raw(Worry, worry.pk, "what_worries_us") == token
    assert read_raw(ReflectionSession, damaged.pk, "checkin") == token
