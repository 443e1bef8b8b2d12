"""Strict conformance: the read API and the exports pass the HSDS 3 schemas with
every object closed to properties the standard doesn't define, and the UK
profile's, with format checking on; and the read API meets the UK validator's
level 1 and level 2 (searches, including near a postcode)."""

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone

from signposting import hsds
from signposting.hsds.schema import strict_schema
from signposting.models import Category, Service

EXAMPLES = Path(__file__).resolve().parents[2] / "signposting/standards/hsds/examples"
CAFE = "https://teaandmemoriescafé.example.org/"


def api(name, *args, slug="mended"):
    return reverse(f"signposting:{name}", args=[slug, *args])


def problems(instance, table: str, standards=None, uk: str | None = None) -> list:
    """What the strict HSDS schema (and the UK profile's, if named) find wrong."""
    checks = [strict_schema(table)]
    if uk:
        checks.append(json.loads((standards / "schema" / f"{uk}.json").read_text()))
    found = []
    for schema in checks:
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        found += [
            f"{list(e.absolute_path)}: {e.message}"
            for e in validator.iter_errors(instance)
        ]
    return found


def walk(doc, path=()):
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield (*path, key), value
            yield from walk(value, (*path, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from walk(value, (*path, i))


@pytest.fixture
def directory(org, services, published, make_service):
    """Our directory: made here (with an accented web address and places), and
    the published example imported."""
    debt = services["debt"]
    debt.latitude, debt.longitude = 53.5448, -2.6318  # Wigan
    debt.minimum_age, debt.maximum_age = 18, 100
    debt.save()
    make_service(
        org,
        "Tea and Memories Café",
        website=CAFE,
        address="Leigh Library\nCivic Square\nLeigh",
        postcode="WN7 1EB",
        latitude=53.4975,
        longitude=-2.5186,
        minimum_age=60,
    )
    plan = hsds.plan_import(
        org, hsds.read_bytes((EXAMPLES / "service_full.json").read_bytes())
    )
    hsds.apply_import(plan)
    return services


def test_every_answer_of_the_read_api_passes_both_schemas(standards, client, directory):
    listing = client.get(api("api_services"), {"per_page": 50}).json()
    assert listing["total_items"] == 6
    for item in listing["contents"]:
        assert not problems(item, "service", standards, "service_list"), item["name"]
        full = client.get(api("api_service", item["id"])).json()
        assert not problems(full, "service", standards, "service"), item["name"]
    places = client.get(api("api_service_at_locations")).json()["contents"]
    assert len(places) == 3
    for place in places:
        assert not problems(
            place, "service_at_location", standards, "service_at_location_list"
        )
        full = client.get(api("api_service_at_location", place["id"])).json()
        assert not problems(
            full, "service_at_location", standards, "service_at_location"
        )
    for term in client.get(api("api_taxonomy_terms"), {"per_page": 200}).json()[
        "contents"
    ]:
        assert not problems(term, "taxonomy_term", standards, "taxonomy_term")
    for taxonomy in client.get(api("api_taxonomies")).json()["contents"]:
        assert not problems(taxonomy, "taxonomy", standards, "taxonomy")


def test_exports_leave_out_what_the_standard_doesnt_have_and_empty_fields(
    client, directory, org
):
    exported = hsds.export_services(
        Service.objects.filter(organisation=org).exclude(hsds_record__id__isnull=False)
    )
    assert len(exported) == 5
    for service in exported:
        assert not problems(service, "service"), service["name"]
        for path, value in walk(service):
            assert path[-1] != "term", path
            assert value not in ("", [], {}), (service["name"], path)
    cafe = next(s for s in exported if s["name"] == "Tea and Memories Café")
    assert cafe["url"] == "https://xn--teaandmemoriescaf-rtb.example.org/"
    address = cafe["service_at_locations"][0]["location"]["addresses"][0]
    assert address["state_province"] == "England"
    assert (address["address_1"], address["address_2"], address["city"]) == (
        "Leigh Library",
        "Civic Square",
        "Leigh",
    )


def test_a_web_address_with_an_accent_fails_the_uri_format_unless_encoded():
    schema = {"type": "string", "format": "uri"}
    check = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert not check.is_valid(CAFE)
    assert check.is_valid(hsds.export.idna_uri(CAFE))


@pytest.mark.parametrize(
    ("postcode", "nation"),
    [
        ("WN1 1AA", "England"),
        ("EH1 1YZ", "Scotland"),
        ("CF10 1EP", "Wales"),
        ("BT1 5GS", "Northern Ireland"),
        ("CH7 1AB", "Wales"),
        ("CH1 2AB", "England"),
        ("TD15 1AA", "England"),
        ("not a postcode", ""),
    ],
)
def test_the_nation_of_a_uk_postcode_fills_state_province(postcode, nation):
    assert hsds.export.uk_nation(postcode) == nation


def test_level_one_pages_and_open_cors(client, directory):
    response = client.get(api("api_services"), {"per_page": "2", "page": "2"})
    page = response.json()
    assert response["Access-Control-Allow-Origin"] == "*"
    for key in ("total_items", "total_pages", "page_number", "size"):
        assert type(page[key]) is int
    assert (page["page_number"], page["size"], page["total_pages"]) == (2, 2, 3)
    one = client.get(api("api_service", page["contents"][0]["id"]))
    assert one.status_code == 200 and one["Access-Control-Allow-Origin"] == "*"


def names(client, **params) -> list[str]:
    response = client.get(api("api_services"), params)
    assert response.status_code == 200, response.content
    return [s["name"] for s in response.json()["contents"]]


def test_level_two_searches(client, directory, categories):
    assert names(client, search="bailiffs") == ["Clear Money Debt Advice"]
    money = str(categories["money-and-debt"].hsds_id)
    assert names(client, taxonomy_term_id=money) == [
        "Clear Money Debt Advice",
        "Zoë's Money Café",
    ]
    assert names(client, minimum_age=18) == [
        "Clear Money Debt Advice",
        "Tea and Memories Café",
    ]
    assert names(client, maximum_age=99) == []
    assert names(client, maximum_age=100) == [
        "Clear Money Debt Advice",
        "Community Counselling",
    ]
    Service.objects.filter(name="Lantern Line").update(
        last_modified=timezone.now() + dt.timedelta(days=1)
    )
    tomorrow = (timezone.now() + dt.timedelta(hours=12)).isoformat()
    assert names(client, modified_after=tomorrow) == ["Lantern Line"]


def test_proximity_to_a_postcode(client, directory):
    # Nearest first from Leigh; only the services we know the place of.
    assert names(client, postcode="wn7 1eb", proximity=1000) == [
        "Tea and Memories Café"
    ]
    assert names(client, postcode="WN7 1EB", proximity=10000) == [
        "Tea and Memories Café",
        "Clear Money Debt Advice",
    ]
    # A postcode we hold no service at is placed by its district.
    assert names(client, postcode="WN1 9ZZ", proximity=1000) == [
        "Clear Money Debt Advice"
    ]
    unknown = client.get(
        api("api_services"), {"postcode": "EH1 1YZ", "proximity": 1000}
    )
    assert unknown.status_code == 400
    assert "We don't know where EH1 1YZ is" in unknown.json()["error"]
    bad = client.get(api("api_services"), {"postcode": "WN7 1EB", "proximity": "near"})
    assert bad.status_code == 400 and bad.json() == {
        "error": "proximity should be a number"
    }


def test_imported_coordinates_are_kept_and_a_coordinator_can_set_them(
    alice_client, client, org, directory, categories
):
    service = Service.objects.get(name="Lantern Line")
    url = reverse("signposting:service_edit", args=[service.pk])
    form = alice_client.get(url).context["form"]
    data = {
        name: value
        for name in form.fields
        if (value := form[name].value()) not in (None, "")
    }
    data["categories"] = [c.pk for c in service.categories.all()]
    data.update(latitude="53.5450", longitude="-2.6320", postcode="WN1 1AB")
    assert alice_client.post(url, data).status_code == 302
    found = client.get(api("api_service", service.hsds_id)).json()
    location = found["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (53.545, -2.632)
    assert names(client, postcode="WN1 1AB", proximity=10) == ["Lantern Line"]
    data.update(latitude="95")
    response = alice_client.post(url, data)
    assert response.status_code == 200
    assert "less than or equal to 90" in response.content.decode()
    # Imported: kept as they came, and used for distance.
    records = hsds.export_services(Service.objects.filter(pk=service.pk))
    Category.objects.seed(org)
    Service.objects.filter(pk=service.pk).delete()
    hsds.apply_import(hsds.plan_import(org, records))
    assert Service.objects.get(name="Lantern Line").latitude == 53.545


def test_an_encoded_web_address_reads_back_as_typed(directory, org, other_org):
    cafe = Service.objects.filter(name="Tea and Memories Café")
    records = hsds.export_services(cafe)
    assert records[0]["url"] == "https://xn--teaandmemoriescaf-rtb.example.org/"
    assert [r.action for r in hsds.plan_import(org, records).rows] == ["skip"]
    hsds.apply_import(hsds.plan_import(other_org, records))
    assert Service.objects.get(organisation=other_org).website == CAFE


def test_imported_services_dont_add_queries_per_service(
    client, directory, org, django_assert_max_num_queries
):
    records = hsds.export_services(Service.objects.filter(organisation=org))
    Service.objects.filter(organisation=org).delete()
    hsds.apply_import(hsds.plan_import(org, records))
    assert Service.objects.exclude(hsds_record={}).count() == 6
    for name in ("api_services", "api_service_at_locations"):
        with django_assert_max_num_queries(4):
            assert client.get(api(name)).status_code == 200
