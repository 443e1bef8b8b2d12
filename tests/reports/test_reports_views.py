import datetime as dt
import io
import random
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from attendance.models import Session, Visit
from peerspace.reports.demo import make_demo
from peerspace.reports.models import ReportSettings, ReportTemplate, Story
from tests.conftest import client_for
from tests.helpers import pdf_text
from tests.reports.reports_helpers import END, START

QUARTER = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00"
    b"\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def template(org):
    return ReportTemplate.objects.create(
        organisation=org, name="Quarterly", funder="The Fund", sections=["headlines"]
    )


@pytest.fixture
def visits(org, site, person):
    session = Session.objects.create(site=site, date=dt.date(2025, 5, 6))
    Visit.objects.create(person=person, session=session, helped_out=True)
    Visit.objects.bulk_create([Visit(session=session) for _ in range(20)])


def test_the_coordinator_sees_saved_reports_with_one_click_periods(
    alice_client, template
):
    response = alice_client.get(reverse("reports:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quarterly" in html and "The Fund" in html
    assert f"template={template.pk}" in html and "period=last_quarter" in html


@pytest.mark.parametrize(
    "name, args",
    [
        ("reports:index", []),
        ("reports:view", []),
        ("reports:pdf", []),
        ("reports:table", ["headlines", "csv"]),
        ("reports:template_new", []),
        ("reports:stories", []),
        ("reports:story_new", []),
        ("reports:social_value", []),
        ("reports:logo", []),
    ],
)
def test_facilitators_may_not_see_reports(bob_client, name, args):
    assert bob_client.get(reverse(name, args=args)).status_code == 403


def test_another_organisations_saved_report_is_not_found(
    client, charlie, template, visits
):
    client_for(client, charlie)
    params = {"template": template.pk, **QUARTER}
    assert client.get(reverse("reports:view"), params).status_code == 404
    assert client.get(reverse("reports:pdf"), params).status_code == 404
    table = reverse("reports:table", args=["headlines", "csv"])
    assert client.get(table, params).status_code == 404
    edit = reverse("reports:template_edit", args=[template.pk])
    assert client.get(edit).status_code == 404
    copy = reverse("reports:template_copy", args=[template.pk])
    assert client.post(copy).status_code == 404
    # And someone else's organisation can't be chosen with ?org=.
    assert client.get(reverse("reports:index"), {"org": template.organisation_id})
    assert (
        client.get(
            reverse("reports:index"), {"org": template.organisation_id}
        ).status_code
        == 404
    )


def test_another_organisations_story_is_not_found(client, charlie, org):
    story = Story.objects.create(organisation=org, text="Private")
    client_for(client, charlie)
    assert client.get(reverse("reports:story_edit", args=[story.pk])).status_code == 404


def test_wrong_methods_are_refused(alice_client, template):
    assert alice_client.post(reverse("reports:view")).status_code == 405
    assert alice_client.post(reverse("reports:pdf")).status_code == 405
    copy = reverse("reports:template_copy", args=[template.pk])
    assert alice_client.get(copy).status_code == 405
    delete = reverse("reports:template_delete", args=[template.pk])
    assert alice_client.get(delete).status_code == 405


def test_the_preview_is_the_pdf_template_with_download_links(
    alice_client, template, visits, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = alice_client.get(
            reverse("reports:view"), {"template": template.pk, **QUARTER}
        )
    assert response.status_code == 200
    assert "reports/pdf/report.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Download PDF" in html and "/reports/view.pdf?" in html
    assert "/reports/view/table/headlines.csv?" in html
    assert "/reports/view/table/headlines.xlsx?" in html
    # Next quarter is a click away.
    assert "start=2025-07-01" in html and "end=2025-09-30" in html
    # Nothing inline, for the strict CSP: a script only from its own file.
    assert " style=" not in html and not re.search(r"<script(?![^>]* src=)", html)


def test_a_report_without_a_template_uses_the_ticked_sections(alice_client, visits):
    response = alice_client.get(
        reverse("reports:view"), {"sections": ["activities"], **QUARTER}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Giving as well as receiving" in html and "Headline figures" not in html


def test_a_bad_period_is_explained(alice_client, template):
    response = alice_client.get(
        reverse("reports:view"),
        {"template": template.pk, "period": "custom", "start": "2025-06-01"},
    )
    assert response.status_code == 400
    assert "Please give both dates." in response.content.decode()


def test_the_pdf_downloads_with_a_safe_name(
    alice_client, template, visits, tmp_path, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = alice_client.get(
            reverse("reports:pdf"), {"template": template.pk, **QUARTER}
        )
    assert response["Content-Disposition"] == (
        'attachment; filename="mended-report-2025-04-01-to-2025-06-30.pdf"'
    )
    text = pdf_text(response.content, tmp_path)
    assert "Quarterly" in text and "Visits" in text and "21" in text


def test_csv_and_xlsx_open_and_match_the_table(
    alice_client, org, site, visits, activity
):
    # A formula where a spreadsheet would run it: it must arrive as text.
    activity.name = '=HYPERLINK("http://x")'
    activity.save()
    Visit.objects.filter(person__isnull=False).update(activity=activity)
    params = {"sections": ["activities"], **QUARTER}
    csv_response = alice_client.get(
        reverse("reports:table", args=["activities", "csv"]), params
    )
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "activities.csv" in csv_response["Content-Disposition"]
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Activity,Visits,People"
    # The lone 1 is hidden, so the 20 is too (21 - 20 would give it away).
    assert lines[1:] == [
        "Not recorded,not shown,0",
        '"\'=HYPERLINK(""http://x"")",fewer than 5,fewer than 5',
        "All activities,21,fewer than 5",
    ]
    xlsx_response = alice_client.get(
        reverse("reports:table", args=["activities", "xlsx"]), params
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx_response.content))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert rows == [
        ["Activity", "Visits", "People"],
        ["Not recorded", "not shown", 0],
        ['=HYPERLINK("http://x")', "fewer than 5", "fewer than 5"],
        ["All activities", 21, "fewer than 5"],
    ]
    # In XLSX it is a string cell marked as text, never a formula.
    assert book.active["A3"].data_type == "s" and book.active["A3"].quotePrefix
    unknown = reverse("reports:table", args=["nope", "csv"])
    assert alice_client.get(unknown, params).status_code == 404
    wrong = reverse("reports:table", args=["activities", "pdf"])
    assert alice_client.get(wrong, params).status_code == 404


def test_saving_a_template_with_the_funders_headings(alice_client, org):
    response = alice_client.post(
        reverse("reports:template_new"),
        {
            "name": "Lottery",
            "funder": "The Lottery",
            "sections": ["headlines", "stories"],
            "heading_headlines": "Outputs",
            "narrative_heading": "What we did this quarter",
            "narrative": "A good quarter.",
            "cost_basis": "income",
            "threshold": 10,
        },
    )
    assert response.status_code == 302
    template = ReportTemplate.objects.get(organisation=org, name="Lottery")
    assert template.sections == ["headlines", "stories"]
    assert template.headings == {"headlines": "Outputs"}
    assert template.heading_for("headlines") == "Outputs"
    assert template.heading_for("stories") == "Stories and outcomes"
    assert template.threshold == 10
    # Social value set against all income, as this funder asks.
    assert template.cost_basis == "income"


def test_copying_a_template_for_a_new_funder(alice_client, template):
    template.headings = {"headlines": "Outputs"}
    template.narrative = "Our words"
    template.save()
    response = alice_client.post(reverse("reports:template_copy", args=[template.pk]))
    copy = ReportTemplate.objects.exclude(pk=template.pk).get()
    assert response.url == reverse("reports:template_edit", args=[copy.pk])
    assert copy.name == "Copy of Quarterly" and copy.funder == ""
    assert copy.headings == {"headlines": "Outputs"} and copy.narrative == "Our words"
    alice_client.post(reverse("reports:template_copy", args=[template.pk]))
    assert ReportTemplate.objects.filter(name="Copy 2 of Quarterly").exists()


def test_deleting_a_template(alice_client, template):
    alice_client.post(reverse("reports:template_delete", args=[template.pk]))
    assert not ReportTemplate.objects.exists()


def test_recording_a_story_with_consent(alice_client, org, site, alice):
    response = alice_client.post(
        reverse("reports:story_new"),
        {
            "date": "2025-05-01",
            "site": site.pk,
            "text": "I found my voice here.",
            "described_as": "A woman from Wigan",
            "outcomes": ["less-isolated"],
            "consent_to_share": "on",
        },
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.consent_date is not None and story.recorded_by == alice
    assert story.outcomes == ["less-isolated"]
    # Stored encrypted.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM reports_story")
        assert "voice" not in cursor.fetchone()[0]
    listing = alice_client.get(reverse("reports:stories")).content.decode()
    assert "can be shared" in listing


def test_a_logo_goes_on_the_cover_as_data(alice_client, org, template, visits):
    upload = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = alice_client.post(reverse("reports:logo"), {"logo": upload})
    assert response.status_code == 302
    assert ReportSettings.objects.get(organisation=org).logo_type == "image/png"
    html = alice_client.get(
        reverse("reports:view"), {"template": template.pk, **QUARTER}
    ).content.decode()
    assert 'class="logo" src="data:image/png;base64,' in html
    bad = SimpleUploadedFile("logo.png", b"<svg></svg>", content_type="image/png")
    response = alice_client.post(reverse("reports:logo"), {"logo": bad})
    assert "PNG or JPEG" in response.content.decode()


def test_the_command_writes_the_same_pdf(template, visits, tmp_path):
    out = tmp_path / "report.pdf"
    call_command(
        "funder_report",
        "--template",
        "Quarterly",
        "--from",
        "2025-04-01",
        "--to",
        "2025-06-30",
        "--out",
        str(out),
    )
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Quarterly" in text and "April to June 2025" in text
    with pytest.raises(CommandError):
        call_command(
            "funder_report",
            "--template",
            "Nope",
            "--from",
            "2025-04-01",
            "--to",
            "2025-06-30",
            "--out",
            str(out),
        )


def test_demo_data_makes_a_report(alice_client, org, site, site2):
    make_demo(org, [site, site2], random.Random(1))
    make_demo(org, [site, site2], random.Random(1))  # and again, harmlessly
    assert org.value_lines.count() == 6
    template = ReportTemplate.objects.get(organisation=org, name="Quarterly update")
    response = alice_client.get(
        reverse("reports:view"), {"template": template.pk, "period": "this_fy"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Social value" in html and "For every £1 of statutory funding" in html
    assert "Example rate for the demo, to agree with your funder" in html


def test_date_boxes_show_their_dates_in_a_form_a_browser_can_read(alice_client, org):
    """<input type="date"> needs 2025-05-01: "01/05/2025" shows as a blank box."""
    story = Story.objects.create(
        organisation=org,
        text="Words",
        date=dt.date(2025, 5, 1),
        consent_to_share=True,
        consent_date=dt.date(2025, 5, 20),
    )
    html = alice_client.get(
        reverse("reports:story_edit", args=[story.pk])
    ).content.decode()
    assert 'type="date" name="date" value="2025-05-01"' in html
    assert 'name="consent_date" value="2025-05-20"' in html
