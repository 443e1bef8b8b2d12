"""Open Referral UK (HSDS 3.0): export, import, round trips and bad files."""

import io
import json
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signposting import hsds
from signposting.models import Category, PendingImport, Service

jsonschema = pytest.importorskip("jsonschema")

IMPORT = reverse("signposting:import_hsds")
EXPORT = reverse("signposting:export_hsds")


def validator(standards, name):
    schema = json.loads((standards / "schema" / f"{name}.json").read_text())
    cls = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft202012Validator
    )
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid(standards, name, instance):
    errors = sorted(validator(standards, name).iter_errors(instance), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def export(org):
    return hsds.export_services(
        Service.objects.filter(organisation=org).order_by("name", "id")
    )


def upload(content: bytes | str, name="services.json"):
    if isinstance(content, str):
        content = content.encode()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_export_is_valid_against_the_uk_profile(standards, services):
    exported = export(services["debt"].organisation)
    assert len(exported) == 4
    for service in exported:
        assert_valid(standards, "service", service)
    debt = next(s for s in exported if s["name"] == "Clear Money Debt Advice")
    assert (
        debt["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]
        == "WN1 1AA"
    )
    assert debt["phones"][0]["number"] == "0808 157 0103"
    assert [lang["name"] for lang in debt["languages"]] == ["English", "Urdu"]
    terms = {a["taxonomy_term"]["name"] for a in debt["attributes"]}
    assert terms == {"Money and debt", "Self-referral"}


def test_list_taxonomy_and_location_documents_are_valid(standards, services):
    service = Service.objects.get(pk=services["debt"].pk)
    assert_valid(standards, "service_list", hsds.service_summary(service))
    assert_valid(
        standards, "service_at_location_list", hsds.service_at_location_summary(service)
    )
    assert_valid(
        standards, "service_at_location", hsds.service_at_location_full(service)
    )
    for taxonomy in hsds.taxonomies():
        assert_valid(standards, "taxonomy", taxonomy)
    for category in Category.objects.filter(organisation=service.organisation):
        assert_valid(standards, "taxonomy_term", hsds.taxonomy_term(category))
    for term in hsds.flag_terms():
        assert_valid(standards, "taxonomy_term", term)


def test_it_imports_the_shared_example_service(standards, org):
    records = hsds.read_bytes(
        (standards / "examples" / "service_full.json").read_bytes()
    )
    plan = hsds.plan_import(org, records)
    assert plan.ok, plan.errors
    assert len(plan.added) == 1
    hsds.apply_import(plan)
    service = Service.objects.get(organisation=org)
    assert str(service.hsds_id) == "ac148810-d857-441c-9679-408f346de14b"
    assert service.name == "Community Counselling"
    assert service.provider_name == "Example Organization Inc."
    assert service.website == "http://example.com/counselling"
    assert service.address == "1-30 Main Street\nMyCity"
    assert service.postcode == "ABC 1234"
    assert service.last_checked.isoformat() == "2005-01-01"
    assert "10 am to 6pm weekdays" in service.opening_times
    assert service.active and not service.is_emergency
    # Re-exported, it is still valid and keeps the provider's own id.
    again = hsds.service_full(service)
    assert_valid(standards, "service", again)
    assert again["organization"]["id"] == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def test_it_imports_the_shared_example_organisation_with_its_services(standards, org):
    records = hsds.read_bytes(
        (standards / "examples" / "organization_full.json").read_bytes()
    )
    plan = hsds.plan_import(org, records)
    assert plan.ok, plan.errors
    hsds.apply_import(plan)
    assert (
        Service.objects.get(organisation=org).provider_name
        == "Example Organization Inc."
    )


def test_export_import_export_is_identical(standards, services, other_org):
    first = export(services["debt"].organisation)
    records = hsds.read_bytes(json.dumps(first).encode())
    hsds.apply_import(hsds.plan_import(other_org, records))
    assert export(other_org) == first


def test_the_csv_data_package_round_trips(services, other_org):
    first = export(services["debt"].organisation)
    package = hsds.csv_package(first)
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        assert {"services.csv", "taxonomy_terms.csv", "datapackage.json"} <= set(
            zf.namelist()
        )
    records = hsds.read_bytes(package, "directory.zip")
    plan = hsds.plan_import(other_org, records)
    assert plan.ok, plan.errors
    hsds.apply_import(plan)
    assert export(other_org) == first


def test_reimporting_updates_by_id_rather_than_duplicating(org, services):
    document = export(org)
    document[0]["name"] = "Clear Money Debt Advice (Wigan)"
    plan = hsds.plan_import(org, document)
    assert (len(plan.added), len(plan.changed), len(plan.skipped)) == (0, 1, 3)
    assert plan.changed[0].changes == ["Name of the service"]
    hsds.apply_import(plan)
    assert Service.objects.filter(organisation=org).count() == 4
    services["debt"].refresh_from_db()
    assert services["debt"].name == "Clear Money Debt Advice (Wigan)"


def test_a_dry_run_changes_nothing(org, services):
    document = export(org)
    document[0]["name"] = "Renamed"
    document.append({**document[0], "id": str(uuid.uuid4()), "name": "Brand new"})
    plan = hsds.plan_import(org, document)
    assert [r.values["name"] for r in plan.added] == ["Brand new"]
    assert Service.objects.filter(organisation=org).count() == 4
    assert not Service.objects.filter(name="Renamed").exists()


def bad(org, content, name="services.json"):
    """The error for a bad file, whichever step finds it."""
    try:
        plan = hsds.plan_import(org, hsds.read_bytes(content, name))
    except hsds.ImportFileError as e:
        return str(e)
    assert not plan.ok
    return " ".join(plan.errors)


def test_a_file_that_is_not_json_is_explained(org):
    assert "isn't valid JSON (line 1" in bad(org, b"{'name': 'not json'}")
    assert "empty" in bad(org, b"   ")
    assert "isn't text" in bad(org, b"\xff\xfe\x00garbage")


def test_json_with_no_services_is_explained(org):
    assert "couldn't find any services" in bad(org, b'{"hello": "world"}')
    assert "no services" in bad(org, b"[]")
    assert "isn't a service" in bad(org, b"[1, 2]")


def test_missing_required_fields_are_named(org):
    message = bad(
        org, json.dumps([{"name": "No id"}, {"id": str(uuid.uuid4())}]).encode()
    )
    assert "Record 1 (“No id”) has no id" in message
    assert "Record 1 (“No id”) has no status" in message
    assert "Record 2 has no name" in message


def test_invalid_values_are_named(org):
    record = {"id": "not-a-uuid", "name": "X", "status": "active"}
    assert "isn't a UUID" in bad(org, json.dumps(record).encode())
    record = {"id": str(uuid.uuid4()), "name": "X", "status": "open"}
    assert "status “open” should be one of" in bad(org, json.dumps(record).encode())
    record = {"id": str(uuid.uuid4()), "name": "X", "status": "active", "email": "nope"}
    assert "Email: Enter a valid email address" in bad(org, json.dumps(record).encode())
    record = {"id": str(uuid.uuid4()), "name": "X" * 201, "status": "active"}
    assert "at most 200 characters" in bad(org, json.dumps(record).encode())
    record = {
        "id": str(uuid.uuid4()),
        "name": "X",
        "status": "active",
        "assured_date": "last May",
    }
    assert "isn't a date" in bad(org, json.dumps(record).encode())


def test_duplicate_ids_are_refused(org):
    sid = str(uuid.uuid4())
    records = [
        {"id": sid, "name": "A", "status": "active"},
        {"id": sid, "name": "B", "status": "active"},
    ]
    assert f"the id {sid} is used twice in this file (records 1 and 2)" in bad(
        org, json.dumps(records).encode()
    )


def test_a_zip_without_services_is_explained(org):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert "no services.csv" in bad(org, buffer.getvalue(), "x.zip")
    assert "damaged" in bad(org, b"PK\x03\x04broken", "x.zip")


def test_nothing_is_half_imported(alice_client, org, services):
    document = export(org)
    document[0]["name"] = "Changed"
    document.append({"id": str(uuid.uuid4()), "name": "Fine", "status": "active"})
    document.append({"id": str(uuid.uuid4()), "status": "active"})
    response = alice_client.post(IMPORT, {"file": upload(json.dumps(document))})
    assert response.status_code == 400
    assert "Record 6 has no name" in response.content.decode()
    assert "Nothing has been imported" in response.content.decode()
    assert not Service.objects.filter(name__in=["Changed", "Fine"]).exists()
    assert not PendingImport.objects.exists()


def test_a_50_mb_file_is_refused_clearly(alice_client, org):
    big = SimpleUploadedFile("huge.json", b" " * (50 * 1024 * 1024))
    response = alice_client.post(IMPORT, {"file": big})
    assert response.status_code == 400
    assert (
        "That file is 50.0 MB; the most we can take is 5 MB"
        in response.content.decode()
    )
    assert not Service.objects.exists()


def test_import_previews_then_imports(alice_client, org, services, other_org):
    document = json.dumps(export(org))
    Service.objects.filter(pk=services["crisis"].pk).update(name="Old name")
    response = alice_client.post(IMPORT, {"file": upload(document)})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (len(plan.added), len(plan.changed), len(plan.skipped)) == (0, 1, 3)
    assert "Would change" in response.content.decode()
    assert Service.objects.get(pk=services["crisis"].pk).name == "Old name"
    pending = response.context["pending"]
    response = alice_client.post(IMPORT, {"pending": pending.pk})
    assert response.status_code == 302
    assert Service.objects.get(pk=services["crisis"].pk).name == "Lantern Line"
    assert not PendingImport.objects.exists()


def test_someone_elses_pending_import_is_not_found(alice_client, charlie, other_org):
    pending = PendingImport.objects.create(
        organisation=other_org, uploaded_by=charlie, filename="x.json", data=b"[]"
    )
    assert alice_client.post(IMPORT, {"pending": pending.pk}).status_code == 404


def test_importing_is_for_coordinators(bob_client, db):
    assert bob_client.get(IMPORT).status_code == 403
    assert bob_client.get(EXPORT).status_code == 403


def test_import_and_export_refuse_other_methods(alice_client, db):
    assert alice_client.put(IMPORT).status_code == 405
    assert alice_client.post(EXPORT).status_code == 405


def test_the_export_downloads_json_and_a_zip(
    standards, alice_client, org, services, other_service
):
    response = alice_client.get(EXPORT)
    assert response["Content-Disposition"].startswith(
        'attachment; filename="directory-mended-'
    )
    document = json.loads(response.content)
    assert sorted(s["name"] for s in document) == sorted(
        s.name for s in services.values()
    )
    response = alice_client.get(EXPORT, {"format": "zip"})
    assert response["Content-Type"] == "application/zip"
    records = hsds.read_bytes(response.content, "x.zip")
    assert {r["name"] for r in records} == {s.name for s in services.values()}
