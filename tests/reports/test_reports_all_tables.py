"""Every table of a report in one download: a workbook with a sheet per table,
or a zip of CSV files, each the same as that table's own download."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from peerspace.accounts.models import AuditEvent
from peerspace.reports.models import SECTION_KEYS
from peerspace.spreadsheets import SHEET_TITLE_MAX, sheet_titles, workbook_bytes
from tests.conftest import client_for
from tests.reports.reports_helpers import END, START, make_known

QUARTER = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}
EVERYTHING = {"sections": SECTION_KEYS, **QUARTER}
BANNED = set("[]:*?/\\")
# Tables compared with their own downloads (each download builds the report):
# the first, one with text that could be a formula, and the widest.
SAMPLE = ["headlines", "activities", "social_value"]


@pytest.fixture
def known(org, site, site2, other_org, other_site):
    return make_known(org, site, site2, other_org, other_site)


def table_keys(page: str) -> list[str]:
    return re.findall(r'<table id="table-([\w-]+)"', page)


def rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_has_a_sheet_for_every_table_as_its_own_download_has(
    alice_client, known
):
    page = alice_client.get(reverse("reports:view"), EVERYTHING).content.decode()
    keys = table_keys(page)
    assert len(keys) == 14
    assert reverse("reports:tables", args=["xlsx"]) in page
    assert reverse("reports:tables", args=["zip"]) in page

    response = alice_client.get(reverse("reports:tables", args=["xlsx"]), EVERYTHING)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert (
        'filename="mended-report-2025-04-01-to-2025-06-30.tables.xlsx"'
        in (response["Content-Disposition"])
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    names = book.sheetnames
    assert len(names) == len(keys)
    assert len({n.casefold() for n in names}) == len(names)
    assert all(0 < len(n) <= SHEET_TITLE_MAX and not BANNED & set(n) for n in names)
    assert "Where people live (postcode dis" in names  # 37 characters, cut to 31
    sheets = dict(zip(keys, names, strict=True))
    for key in SAMPLE:
        own = alice_client.get(reverse("reports:table", args=[key, "xlsx"]), EVERYTHING)
        alone = openpyxl.load_workbook(io.BytesIO(own.content)).active
        assert rows(book[sheets[key]]) == rows(alone), key
    assert all(len(rows(book[name])) > 1 for name in names)


def test_the_zip_has_every_tables_csv_as_its_own_download_has(alice_client, known):
    response = alice_client.get(reverse("reports:tables", args=["zip"]), EVERYTHING)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.tables.zip"')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert len(files) == 14
    for key in SAMPLE:
        own = alice_client.get(reverse("reports:table", args=[key, "csv"]), EVERYTHING)
        assert files[f"{key}.csv"] == own.content, key


def test_every_report_download_is_recorded(alice_client, alice, org, known):
    for url in (
        reverse("reports:tables", args=["xlsx"]),
        reverse("reports:tables", args=["zip"]),
        reverse("reports:table", args=["headlines", "csv"]),
    ):
        assert alice_client.get(url, EVERYTHING).status_code == 200
    assert alice_client.get(
        reverse("reports:pdf"), QUARTER | {"sections": ["headlines"]}
    )
    events = AuditEvent.objects.filter(organisation=org).order_by("at", "id")
    assert [(e.user, e.action, e.detail) for e in events] == [
        (alice, "report download", f"{what}, 2025-04-01 to 2025-06-30")
        for what in (
            "all tables as xlsx",
            "all tables as zip",
            "table headlines as csv",
            "PDF",
        )
    ]


def test_only_a_workbook_or_a_zip(alice_client, known):
    response = alice_client.get(reverse("reports:tables", args=["csv"]), EVERYTHING)
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_facilitators_and_other_organisations_get_no_tables(
    client, bob, charlie, known
):
    url = reverse("reports:tables", args=["xlsx"])
    params = {"template": known["template"].pk, **QUARTER}
    assert client_for(client, bob).get(url, params).status_code == 403
    assert client_for(client, charlie).get(url, params).status_code == 404
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "titles, names",
    [
        (["Social value", "social VALUE"], ["Social value", "social VALUE (2)"]),
        (
            ["Where people live (postcode district)"] * 2,
            ["Where people live (postcode dis", "Where people live (postcode (2)"],
        ),
        (["Q1: money/debt [*?]", "a\\b"], ["Q1 moneydebt", "ab"]),
        (
            ["'Quoted'", "", "History", "  "],
            ["Quoted", "Sheet1", "History (table)", "Sheet1 (2)"],
        ),
    ],
)
def test_sheet_names_are_ones_excel_accepts(titles, names):
    assert sheet_titles(titles) == names
    book = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes((t, ["a"], [[1]]) for t in titles))
    )
    assert book.sheetnames == names
