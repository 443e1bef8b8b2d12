"""Every table on a screen turns into stacked cards on a phone (static/css/
app.css): each card's cells say which column they are from their data-label,
which the template writes from the column's heading."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["attendance", "peerspace", "safeguarding", "signposting", "templates"]
# PDF-only templates print tables on paper, never on a phone; the report's
# template is the PDF and the on-screen preview at once.
BOTH = {Path("peerspace/reports/templates/reports/pdf/report.html")}
CELL = re.compile(r"<td\b[^>]*>")


def screen_templates():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.html")):
            relative = path.relative_to(ROOT)
            if "pdf" not in relative.parts or relative in BOTH:
                yield relative, path.read_text()


def test_every_table_cell_on_a_screen_has_its_column_for_the_phone_card():
    unlabelled = [
        (str(path), cell)
        for path, text in screen_templates()
        for cell in CELL.findall(text)
        if "data-label=" not in cell and "colspan=" not in cell
    ]
    assert not unlabelled


def test_the_templates_with_tables_are_all_read():
    """The rule above can't pass by reading nothing."""
    with_tables = {str(path) for path, text in screen_templates() if "<td" in text}
    assert {
        "safeguarding/templates/safeguarding/worry_list.html",
        "peerspace/reports/templates/reports/pdf/report.html",
        "attendance/templates/attendance/person_detail.html",
    } <= with_tables
