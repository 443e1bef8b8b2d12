"""Wide tables: nothing cut off at the printed page's edge or printed over its
neighbour, however many months or sites; on screen each scrolls in its own
labelled box (the browser test shows the hint and the keyboard at work)."""

import datetime as dt
import html
import re
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance.models import Session, Visit
from peerspace.accounts.models import Site
from peerspace.reports.models import TYPED, Income, Rate, Tally, ValueLine
from peerspace.reports.periods import add_months
from tests.helpers import pdf_text

FIRST = dt.date(2023, 1, 1)
THREE_YEARS = {"period": "custom", "start": "2023-01-01", "end": "2025-12-31"}


@pytest.fixture
def wide(org, site):
    """Eight sites with long names, and three years of social value in the
    millions of pounds (the widest figures a report prints)."""
    for n in range(7):
        Site.objects.create(organisation=org, name=f"Community Centre Number {n + 2}")
    hours = ValueLine.objects.create(
        organisation=org, name="Leadership", unit="an hour", source=TYPED
    )
    Rate.objects.create(
        line=hours,
        effective_from=FIRST,
        amount=Decimal("123.4567"),
        low=Decimal("99.125"),
        high=Decimal("150.5"),
        source="A very large example rate",
    )
    month = FIRST
    for n in range(36):
        Tally.objects.create(line=hours, month=month, count=Decimal(98_765 + n))
        Income.objects.create(
            organisation=org,
            month=month,
            kind=Income.STATUTORY,
            name="Council",
            amount=Decimal("1234567.89"),
        )
        month = add_months(month, 1)
    session = Session.objects.create(site=site, date=dt.date(2024, 5, 7))
    Visit.objects.bulk_create([Visit(session=session) for _ in range(1_234)])


def words_by_page(pdf: bytes, tmp_path) -> list[tuple[float, list[tuple]]]:
    """Each page's width and its words' boxes, as pdftotext -bbox reads them."""
    pdf_text(pdf, tmp_path)  # skips (or fails) cleanly without pdftotext
    path = tmp_path / "wide.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = []
    for width, body in re.findall(
        r'<page width="([\d.]+)"[^>]*>(.*?)</page>', out, re.S
    ):
        words = [
            (float(x0), float(y0), float(x1), float(y1), html.unescape(text))
            for x0, y0, x1, y1, text in re.findall(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" '
                r'yMax="([\d.-]+)">(.*?)</word>',
                body,
            )
        ]
        pages.append((float(width), words))
    return pages


def overlapping(words: list[tuple]) -> list[tuple[str, str]]:
    found = []
    words = sorted(words)
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if b[0] >= a[2]:
                break
            if min(a[3], b[3]) - max(a[1], b[1]) > 1 and min(a[2], b[2]) - b[0] > 0.5:
                found.append((a[4], b[4]))
    return found


def test_nothing_is_cut_off_or_printed_over_however_wide(alice_client, wide, tmp_path):
    params = {"sections": ["headlines", "attendance", "social_value"], **THREE_YEARS}
    preview = alice_client.get(reverse("reports:view"), params).content.decode()
    response = alice_client.get(reverse("reports:pdf"), params)
    assert response.status_code == 200
    pages = words_by_page(response.content, tmp_path)
    words = {w[4] for _, page in pages for w in page}
    margin = 15 / 25.4 * 72 * 0.6  # well inside the page's 12-15 mm margin
    for number, (width, page) in enumerate(pages, start=1):
        outside = [w[4] for w in page if w[0] < margin or w[2] > width - margin]
        assert not outside, (number, outside)
        assert not overlapping(page), (number, overlapping(page)[:5])
    # Every figure of every table is printed whole, as a word of its own.
    cells = re.findall(r'<td[^>]* class="num">([^<]+)</td>', preview)
    figures = {html.unescape(c) for c in cells if re.fullmatch(r"£?[\d,.]+%?", c)}
    assert "£12,193,200.98" in figures  # 98,765 hours at £123.4567
    assert "£1,234,567.89" in figures
    assert figures <= words, sorted(figures - words)[:10]
    for heading in ("Year estimate (mean × 12)", "Community Centre Number 8"):
        assert heading in " ".join(pdf_text(response.content, tmp_path).split())
    text = pdf_text(response.content, tmp_path)
    assert "Social value (continued)" in text and "Headline figures (continued)" in text


def test_on_screen_each_table_is_one_labelled_box_that_takes_the_keyboard(
    alice_client, wide
):
    params = {"sections": ["headlines", "social_value"], **THREE_YEARS}
    page = alice_client.get(reverse("reports:view"), params).content.decode()
    boxes = re.findall(
        r'<div class="table-scroll"[^>]*>\s*<table id="table-(\w+)"', page
    )
    assert "social_value" in boxes and "headlines" in boxes
    assert len(boxes) == page.count("<table")
    box = re.search(
        r'<div class="table-scroll"([^>]*)>\s*<table id="table-social_value"', page
    )
    assert 'role="region"' in box.group(1) and 'tabindex="0"' in box.group(1)
    assert 'aria-label="Social value"' in box.group(1)
    assert 'aria-describedby="hint-social_value"' in box.group(1)
    hint = re.search(r'<p class="scroll-hint" id="hint-social_value"([^>]*)>', page)
    assert "hidden" not in hint.group(1)
    assert "(continued)" not in page  # one table on screen, however wide
