"""A story no key can read is left out of the funder's PDF, and the coordinator
is told on the preview; the story list keeps working."""

import datetime as dt
import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from peerspace import crypto
from peerspace.reports.models import ReportTemplate, Story
from tests.helpers import assert_no_ciphertext, lost_key_token, pdf_text, write_raw
from tests.reports.reports_helpers import END, START

PERIOD = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}
WARNING = (
    "1 story couldn't be read and is left out: tell whoever looks after the server."
)


@pytest.fixture
def stories(org):
    """Two stories she agreed to share; the first written under a lost key."""
    made = [
        Story.objects.create(
            organisation=org,
            date=dt.date(2025, 5, day),
            text=text,
            consent_to_share=True,
            consent_date=dt.date(2025, 5, 20),
        )
        for day, text in (
            (1, "Coming here gave me my confidence back."),
            (2, "I made a chair for my granddaughter."),
        )
    ]
    token = lost_key_token()
    write_raw(Story, made[0].pk, "text", token)
    template = ReportTemplate.objects.create(
        organisation=org, name="Stories", funder="The Fund", sections=["stories"]
    )
    return {"token": token, "template": template, "unreadable": made[0]}


def test_the_pdf_leaves_out_a_story_that_cant_be_read(alice_client, stories, tmp_path):
    response = alice_client.get(
        reverse("reports:pdf"), {"template": stories["template"].pk, **PERIOD}
    )
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "I made a chair for my granddaughter." in text
    assert crypto.UNREADABLE_TEXT.rstrip(".") not in text
    assert "can't be read" not in text and "couldn't be read" not in text
    assert "tell whoever looks after the server" not in text
    assert_no_ciphertext(text, stories["token"])
    # Her story still counts: it was recorded, only its words are lost.
    assert "From fewer than 5 stories recorded in the period" in text


def test_the_preview_warns_the_coordinator(alice_client, stories):
    response = alice_client.get(
        reverse("reports:view"), {"template": stories["template"].pk, **PERIOD}
    )
    assert response.status_code == 200
    page = " ".join(html.unescape(response.content.decode()).split())
    assert WARNING in page
    assert crypto.UNREADABLE_TEXT not in page
    assert "I made a chair for my granddaughter." in page
    assert_no_ciphertext(page, stories["token"])


def test_the_command_says_so_too(org, stories, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    call_command(
        "funder_report",
        "--template",
        "Stories",
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        "--out",
        str(out),
    )
    assert WARNING in capsys.readouterr().err
    assert "can't be read" not in pdf_text(out.read_bytes(), tmp_path)


def test_the_story_list_keeps_working_and_the_story_cant_be_edited(
    alice_client, stories
):
    response = alice_client.get(reverse("reports:stories"))
    assert response.status_code == 200
    assert_no_ciphertext(response.content.decode(), stories["token"])
    edit = reverse("reports:story_edit", args=[stories["unreadable"].pk])
    assert alice_client.get(edit).status_code == 500
