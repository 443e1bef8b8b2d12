"""Services as CSV/XLSX through django-import-export."""

import io

import openpyxl
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signposting.models import Category, PendingImport, Service
from signposting.resources import ServiceResource

EXPORT = reverse("signposting:export_table")
IMPORT = reverse("signposting:import_table")


def exported_csv(client) -> tablib.Dataset:
    response = client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    return tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")


def test_it_exports_the_organisations_services_as_csv(
    alice_client, services, other_service
):
    dataset = exported_csv(alice_client)
    assert dataset.headers[:3] == ["id", "name", "provider_name"]
    assert sorted(dataset["name"]) == sorted(s.name for s in services.values())
    row = dataset.dict[dataset["name"].index("Zoë's Money Café")]
    assert row["categories"] == "Money and debt; Benefits"


def test_it_exports_xlsx(alice_client, services):
    response = alice_client.get(EXPORT, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["B1"].value == "name"
    assert len(list(sheet.rows)) == 1 + len(services)


def test_the_export_escapes_spreadsheet_formulae(
    alice_client, org, make_service, categories
):
    make_service(org, '=HYPERLINK("http://evil.example")')
    dataset = exported_csv(alice_client)
    assert all(not name.startswith("=") for name in dataset["name"])


def test_an_edited_spreadsheet_updates_by_id_after_a_preview(
    alice_client, org, services
):
    dataset = exported_csv(alice_client)
    names = dataset["name"]
    rows = [list(r) for r in dataset]
    rows[names.index("Lantern Line")][1] = "Lantern Line (24 hours)"
    rows.append(
        ["", "Sewing Circle", "", "", "Community activities"]
        + [""] * (len(dataset.headers) - 5)
    )
    edited = tablib.Dataset(*rows, headers=dataset.headers)
    upload = SimpleUploadedFile("services.csv", edited.export("csv").encode())
    response = alice_client.post(IMPORT, {"file": upload})
    assert response.status_code == 200, response.context.get("errors")
    assert response.context["totals"]["new"] == 1
    assert response.context["totals"]["update"] == 1
    assert not Service.objects.filter(name="Sewing Circle").exists()
    response = alice_client.post(IMPORT, {"pending": response.context["pending"].pk})
    assert response.status_code == 302
    assert Service.objects.filter(organisation=org).count() == 5
    sewing = Service.objects.get(name="Sewing Circle")
    assert [c.name for c in sewing.categories.all()] == ["Community activities"]
    assert list(Service.objects.search("sewing")) == [sewing]
    assert Service.objects.filter(name="Lantern Line (24 hours)").exists()
    assert not PendingImport.objects.exists()


def test_a_spreadsheet_with_a_bad_row_imports_nothing(alice_client, services):
    dataset = exported_csv(alice_client)
    rows = [list(r) for r in dataset]
    rows[0][1] = "Renamed"
    rows[1][4] = "Knitting"  # no such category
    edited = tablib.Dataset(*rows, headers=dataset.headers)
    upload = SimpleUploadedFile("services.csv", edited.export("csv").encode())
    response = alice_client.post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert "No category called “knitting”" in response.content.decode()
    assert not Service.objects.filter(name="Renamed").exists()


def test_a_spreadsheet_cannot_touch_another_organisations_services(
    charlie, client, services
):
    Category.objects.seed(charlie.memberships.first().organisation)
    # Charlie's organisation imports a row carrying the id of one of ours.
    dataset = ServiceResource(services["debt"].organisation).export()
    result = ServiceResource(charlie.memberships.first().organisation).import_data(
        dataset, dry_run=False
    )
    assert not result.has_errors()
    services["debt"].refresh_from_db()
    assert services["debt"].organisation.slug == "mended"
    assert Service.objects.filter(hsds_id=services["debt"].hsds_id).count() == 2


def test_only_csv_and_xlsx_are_taken(alice_client, db):
    upload = SimpleUploadedFile("services.pdf", b"%PDF")
    response = alice_client.post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert "Please choose a .csv or .xlsx file" in response.content.decode()


def test_spreadsheets_are_for_coordinators(bob_client, db):
    assert bob_client.get(EXPORT).status_code == 403
    assert bob_client.get(IMPORT).status_code == 403


def test_spreadsheet_views_refuse_other_methods(alice_client, db):
    assert alice_client.post(EXPORT).status_code == 405
    assert alice_client.delete(IMPORT).status_code == 405
