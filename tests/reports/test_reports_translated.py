"""No English slips past translation in funder reports and the social value
screens (tests/pseudo.py: each page in the pseudo-language, where every
translated string is ⟦ţŕàñšƒöŕɱéđ⟧), and an Arabic report reads right to
left."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from peerspace.reports.models import (
    SECTION_KEYS,
    ReportTemplate,
    Story,
    Tally,
    ValueLine,
)
from tests.helpers import pdf_text
from tests.pseudo import untranslated, untranslated_text
from tests.reports.reports_helpers import END, START, make_known
from tests.reports.test_reports_wide_tables import words_by_page

# Postcode districts ("WN1"), worked out from the postcodes people gave, are
# data; and the spreadsheet import's field is attendance's, marked there.
POSTCODE_DISTRICT = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\b")
NOT_OURS = {
    "Spreadsheet file",
    "A CSV (.csv) or Excel (.xlsx) file. The first row must be the column "
    "headings. Nothing is saved until you've checked it and confirmed.",
}
EVERYTHING = {
    "period": "custom",
    "start": START.isoformat(),
    "end": END.isoformat(),
    "sections": SECTION_KEYS,
}


@pytest.fixture
def known(org, site, site2, other_org, other_site):
    """Everything a report can show, social value and a saved report included."""
    make_known(org, site, site2, other_org, other_site)
    return {"template": ReportTemplate.objects.filter(organisation=org).first()}


def _line(org):
    return ValueLine.objects.filter(organisation=org).order_by("position").first()


def _pages(org, known) -> list[tuple[str, str]]:
    line = _line(org)
    story = Story.objects.filter(organisation=org).first()
    return [
        ("reports", reverse("reports:index")),
        (
            "a saved report",
            reverse("reports:template_edit", args=[known["template"].pk]),
        ),
        ("a new saved report", reverse("reports:template_new")),
        ("stories", reverse("reports:stories")),
        ("a story", reverse("reports:story_edit", args=[story.pk])),
        ("adding a story", reverse("reports:story_new")),
        ("logo", reverse("reports:logo")),
        ("social value", reverse("reports:social_value") + "?year=2025"),
        ("a month's figures", reverse("reports:value_month", args=[2025, 5])),
        ("a line", reverse("reports:value_line_edit", args=[line.pk])),
        ("a new line", reverse("reports:value_line_new")),
        ("a line's rates", reverse("reports:value_rates", args=[line.pk])),
        ("quick tally", reverse("reports:tally")),
    ]


def test_every_word_on_the_report_and_social_value_screens_is_translated(
    alice_client, pseudo_language, org, known
):
    line = _line(org)
    line.quick_tally = True
    line.save()
    Tally.objects.create(
        line=line,
        level=line.levels.first(),
        month=dt.date(2025, 5, 1),
        date=dt.date(2025, 5, 7),
        count=1,
        minutes=30,
    )
    found = {}
    for name, url in _pages(org, known):
        response = alice_client.get(url, HTTP_ACCEPT_LANGUAGE=pseudo_language)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert f'lang="{pseudo_language}"' in html
        left = [t for t in untranslated(html) if t not in NOT_OURS]
        if left:
            found[name] = left
    assert found == {}


def test_every_word_in_the_report_preview_and_its_pdf_is_translated(
    alice_client, pseudo_language, known, tmp_path
):
    preview = alice_client.get(
        reverse("reports:view"), EVERYTHING, HTTP_ACCEPT_LANGUAGE=pseudo_language
    ).content.decode()
    assert "table-social_value" in preview
    assert untranslated(POSTCODE_DISTRICT.sub(" ", preview)) == []
    pdf = alice_client.get(
        reverse("reports:pdf"), EVERYTHING, HTTP_ACCEPT_LANGUAGE=pseudo_language
    ).content
    text = pdf_text(pdf, tmp_path)
    assert "⟦Ƥàĝé 2 öƒ" in text  # the page numbers, in words of its language
    assert untranslated_text(POSTCODE_DISTRICT.sub(" ", text)) == []


def test_a_report_in_arabic_reads_right_to_left_in_arabic_script(
    alice_client, known, tmp_path
):
    response = alice_client.get(
        reverse("reports:pdf"), EVERYTHING, HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "الأرقام الرئيسية" in text  # "Headline figures", read back as Arabic
    assert "صفحة" in text  # "Page 2 of …"
    # Laid out right to left (by where the words are, not by attributes): the
    # cover's lines start at the right margin, not the left. (-bbox gives
    # Arabic words in the order they are drawn, so reversed.)
    first_page = words_by_page(response.content, tmp_path)[0]
    width, words = first_page
    for word in ("Mended", "مواقعنا"[::-1]):
        x_min = next(x0 for x0, _y0, _x1, _y1, text in words if word in text)
        assert x_min > width / 2, word
