"""A story no key can read doesn't stop the funder report or the story list."""

import datetime as dt

from django.urls import reverse

from peerspace import crypto
from peerspace.reports.models import ReportTemplate, Story
from tests.helpers import assert_no_ciphertext, lost_key_token, pdf_text, write_raw
from tests.reports.reports_helpers import END, START


def test_the_report_and_the_story_list_show_the_placeholder(
    alice_client, org, tmp_path
):
    story = Story.objects.create(
        organisation=org,
        date=dt.date(2025, 5, 1),
        text="Coming here gave me my confidence back.",
        consent_to_share=True,
        consent_date=dt.date(2025, 5, 2),
    )
    token = lost_key_token()
    write_raw(Story, story.pk, "text", token)
    template = ReportTemplate.objects.create(
        organisation=org, name="Stories", funder="The Fund", sections=["stories"]
    )
    period = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}
    response = alice_client.get(
        reverse("reports:pdf"), {"template": template.pk, **period}
    )
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert crypto.UNREADABLE_TEXT in " ".join(text.split())
    assert_no_ciphertext(text, token)
    response = alice_client.get(reverse("reports:stories"))
    assert response.status_code == 200
    assert_no_ciphertext(response.content.decode(), token)
    assert (
        alice_client.get(reverse("reports:story_edit", args=[story.pk])).status_code
        == 500
    )
