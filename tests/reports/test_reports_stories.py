"""Stories in a funder report: her words, who she is and where, and what
changed, without a hidden count being worked out from the quotes."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from peerspace.accounts.models import Site
from peerspace.reports.models import ReportTemplate, Story, names_place, with_place
from tests.helpers import pdf_text
from tests.reports.reports_helpers import END, START

PERIOD = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture
def template(org):
    return ReportTemplate.objects.create(
        organisation=org, name="Stories", funder="The Fund", sections=["stories"]
    )


def story(org, site, n: int, outcomes: list[str], described_as="", shared=True):
    return Story.objects.create(
        organisation=org,
        site=site,
        date=dt.date(2025, 5, 1 + n),
        text=f"Her words, number {n}.",
        described_as=described_as,
        consent_to_share=shared,
        consent_date=dt.date(2025, 5, 20) if shared else None,
        outcomes=outcomes,
    )


def quote_footers(page: str) -> list[str]:
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", footer)).split())
        for footer in re.findall(
            r"<blockquote.*?<footer>(.*?)</footer>", page, flags=re.S
        )
    ]


def test_a_quote_doesnt_name_a_change_whose_count_is_hidden(
    alice_client, org, site, template, tmp_path
):
    """Six stories tell of feeling less isolated (shown: 6); two of them of
    getting into work (hidden: fewer than 5). Beside the quotes, "Into work"
    would let anyone count the two."""
    for n in range(6):
        story(org, site, n, ["less-isolated", *(["into-work"] if n < 2 else [])])
    query = {"template": template.pk, **PERIOD}
    page = alice_client.get(reverse("reports:view"), query).content.decode()
    footers = quote_footers(page)
    assert len(footers) == 6
    assert all(f.endswith("· Less isolated") for f in footers), footers
    assert not any("Into work" in f for f in footers)

    text = pdf_text(alice_client.get(reverse("reports:pdf"), query).content, tmp_path)
    flat = " ".join(text.split())
    assert flat.count("Her words, number") == 6
    assert flat.count("Into work") == 1  # its row in the table, nowhere else
    assert re.search(r"Into work\s+fewer than 5", text)
    assert re.search(r"Less isolated\s+6", text)
    assert "a hidden count can't be worked out from them" in flat


def test_a_change_counted_in_full_is_named_beside_her_words(
    alice_client, org, site, template
):
    for n in range(5):
        story(org, site, n, ["into-work", "new-skills"])
    page = alice_client.get(
        reverse("reports:view"), {"template": template.pk, **PERIOD}
    ).content.decode()
    assert quote_footers(page)[0].endswith("· Into work, New skills")
    assert "a hidden count can&#x27;t be worked out" not in page


def test_a_handful_of_stories_isnt_counted_exactly(alice_client, org, site, template):
    """One story, tagged: "From 1 story" beside hidden tags says each is 1."""
    story(org, site, 0, ["into-work"], shared=False)
    page = " ".join(
        html.unescape(
            alice_client.get(
                reverse("reports:view"), {"template": template.pk, **PERIOD}
            ).content.decode()
        ).split()
    )
    assert "From fewer than 5 stories recorded in the period." in page
    assert "From 1 story" not in page


def test_where_she_comes_is_said_once(alice_client, org, site, site2, template):
    workshop = Site.objects.create(organisation=org, name="Leigh Workshop")
    story(org, site, 0, [], "A woman who comes to the Wigan workshop")
    story(org, site, 1, [], "A mum of three")
    story(org, site2, 2, [])
    story(org, workshop, 3, [], "A regular at Leigh")
    story(org, None, 4, [], "A grandmother")
    page = alice_client.get(
        reverse("reports:view"), {"template": template.pk, **PERIOD}
    ).content.decode()
    assert quote_footers(page) == [
        "A woman who comes to the Wigan workshop, May 2025",
        "A mum of three, Wigan, May 2025",
        "A woman who comes to our workshop, Leigh, May 2025",
        "A regular at Leigh, May 2025",
        "A grandmother, May 2025",
    ]


@pytest.mark.parametrize(
    "text, place, named",
    [
        ("A woman who comes to the Wigan workshop", "Wigan", True),
        ("A woman who comes to the wigan workshop", "Wigan Workshop", True),
        ("A regular at Leigh", "The Leigh Centre", True),
        ("Comes to St Mark’s on Fridays", "St Mark’s Church Hall", True),
        ("A mum from Wiganshire", "Wigan", False),
        ("A woman who comes to our workshop", "Leigh", False),
        ("A woman who comes to our workshop", "The Workshop", True),
        ("A woman at Leigh", "Leigh Road Hub", False),
    ],
)
def test_a_place_is_named_once(text, place, named):
    assert names_place(text, place) is named
    assert with_place(text, place) == (text if named else f"{text}, {place}")
