"""The HSDS 3 published examples, which we didn't write: every value that comes in
goes back out (compared leaf by leaf), ids unchanged, and an edit made here
changes that detail and nothing else."""

import copy
import datetime as dt
import html
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from signposting import hsds
from signposting.forms import ServiceForm
from signposting.models import Category, Service

EXAMPLES = (
    Path(__file__).resolve().parents[2]
    / "signposting"
    / "standards"
    / "hsds"
    / "examples"
)
PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
}


def example(name: str):
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def leaves(doc, path=()) -> dict:
    """Every value in a document, keyed by where it is."""
    found = {}
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.update(leaves(value, (*path, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found.update(leaves(value, (*path, i)))
    else:
        found[path] = doc
    return found


def moved(found: dict, where) -> dict:
    """Leaves of a file, keyed by where the export (a list of services) puts them."""
    return {where(path): value for path, value in found.items() if where(path)}


def import_file(org, name: str, filename: str | None = None):
    data = (EXAMPLES / f"{name}.json").read_bytes()
    plan = hsds.plan_import(org, hsds.read_bytes(data, filename or f"{name}.json"))
    assert plan.ok, plan.errors
    hsds.apply_import(plan)
    return plan


def export(org) -> list[dict]:
    return hsds.export_services(Service.objects.filter(organisation=org))


def _from_service_at_location(path):
    if path[:1] == ("service",):
        return (0, *path[1:])
    return (0, "service_at_locations", 0, *path)


def _from_organization(path):
    if path[:2] == ("services", 0):
        return (0, *path[2:])
    return (0, "organization", *path)


def _from_page(inner):
    def where(path):
        if path[0] in PAGE_KEYS:
            return None  # about the page, not a service
        return inner(path[2:]) if inner else (0, *path[2:])

    return where


SHAPES = {
    "service_full": lambda path: (0, *path),
    "organization_full": _from_organization,
    "service_at_location_full": _from_service_at_location,
    "service_list": _from_page(None),
    "service_at_location_list": _from_page(_from_service_at_location),
}


@pytest.mark.parametrize("name", SHAPES)
def test_every_value_of_a_published_example_comes_back_out(org, name):
    import_file(org, name)
    expected = moved(leaves(example(name)), SHAPES[name])
    assert leaves(export(org)) == expected
    service = Service.objects.get(organisation=org)
    assert str(service.hsds_id) == "ac148810-d857-441c-9679-408f346de14b"


def test_the_full_service_example_comes_back_identical(org):
    import_file(org, "service_full")
    assert export(org) == [example("service_full")]


@pytest.mark.parametrize("name", ["service_full", "organization_full", "service_list"])
def test_an_edit_made_here_changes_that_detail_and_nothing_else(org, name):
    import_file(org, name)
    before = leaves(export(org))
    service = Service.objects.get(organisation=org)
    service.description = "Free counselling for anyone in MyCity."
    service.last_modified = timezone.now()
    service.save()
    after = leaves(export(org))
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed == {(0, "description"), (0, "last_modified")}
    assert after[(0, "description")] == "Free counselling for anyone in MyCity."


def test_an_edited_phone_and_category_go_into_the_record_where_they_came_from(org):
    import_file(org, "service_full")
    service = Service.objects.get(organisation=org)
    before = export(org)[0]
    Category.objects.seed(org)
    service.phone = "01632 960 000"
    service.categories.add(Category.objects.get(organisation=org, slug="housing"))
    service.save()
    after = export(org)[0]
    assert after["phones"][0]["number"] == "01632 960 000"
    assert after["phones"][0]["id"] == before["phones"][0]["id"]
    assert after["phones"][0]["languages"] == before["phones"][0]["languages"]
    assert after["attributes"][0] == before["attributes"][0]
    assert [a["taxonomy_term"]["name"] for a in after["attributes"]] == [
        "name",
        "Housing",
    ]
    assert after["contacts"] == before["contacts"]  # the contact's phone as it came


def test_a_list_page_never_blanks_what_it_doesnt_carry(org):
    import_file(org, "service_full")
    full = export(org)[0]
    page = copy.deepcopy(example("service_list"))
    page["contents"][0]["name"] = "Community Counselling (MyCity)"
    plan = hsds.plan_import(org, hsds.read_bytes(json.dumps(page).encode()))
    assert plan.ok, plan.errors
    assert plan.notes[0].startswith("This is page 1 of 10 of a longer list")
    assert [r.changes for r in plan.rows] == [["Name of the service"]]
    hsds.apply_import(plan)
    service = Service.objects.get(organisation=org)
    assert service.name == "Community Counselling (MyCity)"
    assert service.phone == '"+44 1234 234567"'
    assert service.address == "1-30 Main Street\nMyVillage\nMyCity"
    assert service.languages == "Urdu"
    assert "10 am to 6pm" in service.opening_times
    again = export(org)[0]
    for key in ("phones", "schedules", "service_at_locations", "languages"):
        assert again[key] == full[key]


def test_a_location_updates_the_services_that_are_at_it(org):
    import_file(org, "service_full")
    import_file(org, "location")
    location = export(org)[0]["service_at_locations"][0]["location"]
    for path, value in leaves(example("location")).items():
        assert leaves(location)[path] == value


def test_a_location_no_service_is_at_is_explained(org):
    data = (EXAMPLES / "location.json").read_bytes()
    plan = hsds.plan_import(org, hsds.read_bytes(data))
    assert "isn't where any of your imported services are" in " ".join(plan.errors)


@pytest.mark.parametrize("name", ["taxonomy_term", "taxonomy_term_list"])
def test_taxonomy_terms_become_categories_and_come_back_out(org, name):
    plan = import_file(org, name)
    assert plan.new_categories == ["name"]
    category = Category.objects.get(organisation=org, name="name")
    assert hsds.taxonomy_term(category) == example("taxonomy_term")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("organization_list", "list of organisations without their services"),
        ("taxonomy", "without its terms, so there are no categories"),
        ("taxonomy_list", "without its terms, so there are no categories"),
    ],
)
def test_shapes_with_no_services_say_so(org, name, message):
    with pytest.raises(hsds.ImportFileError, match=message):
        hsds.read_bytes((EXAMPLES / f"{name}.json").read_bytes())


def test_an_api_front_page_says_to_give_its_address(org):
    with pytest.raises(hsds.ImportFileError, match="front page of an Open Referral"):
        hsds.read_bytes(b'{"version": "3.0", "profile": "https://x.example/"}')


# --- The CSV data package -----------------------------------------------------------


def tables_of(zip_bytes: bytes) -> dict[str, dict[str, dict]]:
    import csv

    found = {}
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        for name in zf.namelist():
            if name.endswith(".csv"):
                rows = csv.DictReader(io.StringIO(zf.read(name).decode("utf-8-sig")))
                found[name] = {r["id"]: r for r in rows}
    return found


def published_tables() -> dict[str, dict[str, dict]]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for file in (EXAMPLES / "csv").iterdir():
            zf.writestr(file.name, file.read_bytes())
    return buffer.getvalue()


def test_the_published_csv_package_comes_back_out_cell_for_cell(org):
    package = published_tables()
    batch = hsds.read_bytes(package, "hsds.zip")
    plan = hsds.plan_import(org, batch)
    assert plan.ok, plan.errors
    assert plan.new_categories == ["name"]  # a term no service uses: a category
    hsds.apply_import(plan)
    out = tables_of(hsds.csv_package(export(org)))
    came = tables_of(package)
    unlinked = {u.split(" row ")[0] for u in plan.unlinked}
    # The example's rows don't all point at each other; those that don't are
    # named in the preview, everything else comes back exactly.
    assert unlinked == {
        "accessibility.csv",
        "addresses.csv",
        "attributes.csv",
        "funding.csv",
        "locations.csv",
        "metadata.csv",
        "schedules.csv",
        "service_at_location.csv",
        "url.csv",
    }
    compared = 0
    for name, rows in came.items():
        if name in unlinked or name in ("taxonomy.csv", "taxonomy_terms.csv"):
            continue
        for row_id, row in rows.items():
            for column, value in row.items():
                if value:
                    assert out[name][row_id][column] == value, (name, column)
                    compared += 1
    # 92 cells in the 12 files whose rows belong to the service.
    assert compared == 92


def test_the_json_of_a_csv_package_has_numbers_as_numbers(org):
    plan = hsds.plan_import(org, hsds.read_bytes(published_tables(), "hsds.zip"))
    hsds.apply_import(plan)
    service = export(org)[0]
    assert service["minimum_age"] == 12
    assert service["cost_options"][0]["amount"] == 35
    assert service["phones"][0]["extension"] == 100
    assert Service.objects.get().cost == (
        "Non-NHS patients are expected to pay for their counselling sessions. We "
        "charge a flat rate per hour of counselling. The current rate is £50 per "
        "hour. Please see our website for up to date prices."
    )


def test_old_plural_file_names_are_read_too(org, services):
    package = hsds.csv_package(export(org))
    renamed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as zf,
        zipfile.ZipFile(renamed, "w") as out,
    ):
        for name in zf.namelist():
            new = (
                "service_at_locations.csv"
                if name == "service_at_location.csv"
                else name
            )
            out.writestr(new, zf.read(name))
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        assert "service_at_location.csv" in zf.namelist()
    records = hsds.read_bytes(renamed.getvalue(), "old.zip")
    debt = next(r for r in records if r["name"] == "Clear Money Debt Advice")
    assert debt["service_at_locations"][0]["location"]["addresses"][0][
        "postal_code"
    ] == ("WN1 1AA")


def test_reading_the_same_record_twice_finds_nothing_to_change(org):
    import_file(org, "service_full")
    plan = hsds.plan_import(
        org, hsds.read_bytes((EXAMPLES / "service_full.json").read_bytes())
    )
    assert [r.action for r in plan.rows] == ["skip"]


def test_an_edit_here_is_kept_when_the_directory_changes_something_else(org):
    import_file(org, "service_full")
    service = Service.objects.get(organisation=org)
    service.name = "Counselling at the Civic Centre"
    service.save()
    changed = copy.deepcopy(example("service_full"))
    changed["name"] = "Community Counselling Service"
    changed["email"] = "hello@example.com"
    changed["last_modified"] = "2024-01-01T00:00:00.000Z"
    plan = hsds.plan_import(org, [changed])
    assert plan.rows[0].changes == ["Email"]
    assert plan.rows[0].kept_edits == ["Name of the service"]
    hsds.apply_import(plan)
    service.refresh_from_db()
    assert (service.name, service.email) == (
        "Counselling at the Civic Centre",
        "hello@example.com",
    )
    assert service.last_modified == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert export(org)[0]["name"] == "Counselling at the Civic Centre"


def test_the_preview_and_the_service_page_say_what_is_carried(alice_client, org):
    upload = SimpleUploadedFile(
        "service_full.json", (EXAMPLES / "service_full.json").read_bytes()
    )
    response = alice_client.post(reverse("signposting:import_hsds"), {"file": upload})
    page = html.unescape(response.content.decode())
    assert "Kept as they came" in page
    assert "accreditations, additional_urls, alert, alternate_name" in page
    assert "Nothing in the file is dropped" in page
    alice_client.post(
        reverse("signposting:import_hsds"), {"pending": response.context["pending"].pk}
    )
    service = Service.objects.get(organisation=org)
    url = reverse("signposting:service", args=[service.pk])
    page = html.unescape(alice_client.get(url).content.decode())
    assert "Also from the Open Referral file it was imported from" in page
    assert "Wait time</dt><dd>wait_time" in page
    assert (
        "Interpretation services</dt><dd>Interpretation services are available" in page
    )
    assert "Required documents" in page
    assert "Nothing has been edited here yet" in page


def test_saving_the_form_changes_only_what_was_edited(alice_client, org, services):
    # Another group's Peerspace directory, imported: records with UK details.
    records = export(org)
    Service.objects.filter(organisation=org).delete()
    hsds.apply_import(hsds.plan_import(org, records))
    copied = Service.objects.get(organisation=org, name="Clear Money Debt Advice")
    assert copied.hsds_record
    before = leaves(export(org))
    form = ServiceForm(instance=copied, organisation=org)
    data = {
        name: value
        for name, field in form.fields.items()
        if (value := form[name].value()) not in (None, "")
    }
    data["categories"] = [c.pk for c in copied.categories.all()]
    data["opening_times"] = "Mon to Fri 9am to 4pm"
    response = alice_client.post(
        reverse("signposting:service_edit", args=[copied.pk]), data
    )
    assert response.status_code == 302, response.context["form"].errors
    after = leaves(export(org))
    changed = {
        p[1:] for p in before.keys() | after.keys() if before.get(p) != after.get(p)
    }
    assert changed == {("schedules", 0, "description"), ("last_modified",)}
    page = alice_client.get(reverse("signposting:service", args=[copied.pk]))
    assert "Edited here, so our version is sent instead: Opening times" in (
        html.unescape(page.content.decode())
    )
