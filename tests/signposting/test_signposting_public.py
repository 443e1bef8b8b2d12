"""The public directory page and the Open Referral UK API: no login, no cookies."""

import json

import pytest
from django.urls import reverse

from signposting import hsds
from signposting.models import DirectorySettings

jsonschema = pytest.importorskip("jsonschema")


def api(name, *args, slug="mended"):
    return reverse(f"signposting:{name}", args=[slug, *args])


def schema_validator(standards, name):
    schema = json.loads((standards / "schema" / f"{name}.json").read_text())
    cls = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft202012Validator
    )
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_the_public_page_lists_services_without_a_login(client, services, published):
    response = client.get(reverse("signposting:public", args=["mended"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Lantern Line") < html.index("Clear Money Debt Advice")
    assert 'href="tel:08081570101"' in html
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in html and "<script" not in html


def test_the_public_page_searches_and_filters(client, services, published):
    url = reverse("signposting:public", args=["mended"])
    html = client.get(url, {"q": "debts"}).content.decode()
    assert "Clear Money Debt Advice" in html and "Lantern Line" not in html
    html = client.get(url, {"category": "benefits"}).content.decode()
    assert "Zoë&#x27;s Money Café" in html and "Clear Money" not in html


def test_the_public_page_is_off_by_default(client, services):
    assert client.get(reverse("signposting:public", args=["mended"])).status_code == 404
    DirectorySettings.objects.create(
        organisation=services["debt"].organisation, open_api=True
    )
    assert client.get(reverse("signposting:public", args=["mended"])).status_code == 404


def test_the_public_page_is_read_only(client, published):
    url = reverse("signposting:public", args=["mended"])
    assert client.post(url).status_code in (403, 405)  # CSRF may answer first


def test_the_kiosk_may_see_the_public_page(client, kiosk, services, published):
    client.force_login(kiosk)
    assert client.get(reverse("signposting:public", args=["mended"])).status_code == 200


def test_the_api_is_off_by_default(client, services):
    response = client.get(api("api_services"))
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_api_root_describes_itself(client, published):
    response = client.get(api("api_root"))
    assert response.json()["version"] == "3.0"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.cookies


def test_the_services_list_is_paginated_as_the_standard_says(
    standards, client, services, published
):
    response = client.get(api("api_services"), {"per_page": 3})
    page = response.json()
    assert response["Access-Control-Allow-Origin"] == "*"
    assert {k: v for k, v in page.items() if k != "contents"} == {
        "total_items": 4,
        "total_pages": 2,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    check = schema_validator(standards, "service_list")
    for item in page["contents"]:
        check.validate(item)
    second = client.get(api("api_services"), {"per_page": 3, "page": 2}).json()
    assert second["size"] == 1 and second["last_page"] and not second["first_page"]
    names = [s["name"] for s in page["contents"] + second["contents"]]
    assert sorted(names) == sorted(s.name for s in services.values())
    beyond = client.get(api("api_services"), {"per_page": 3, "page": 9}).json()
    assert beyond["empty"] and beyond["contents"] == []


def test_the_services_list_searches_and_filters_by_taxonomy_term(
    client, services, published, categories
):
    found = client.get(api("api_services"), {"search": "bailiffs"}).json()
    assert [s["name"] for s in found["contents"]] == ["Clear Money Debt Advice"]
    term = str(categories["benefits"].hsds_id)
    found = client.get(api("api_services"), {"taxonomy_term_id": term}).json()
    assert [s["name"] for s in found["contents"]] == ["Zoë's Money Café"]
    crisis = client.get(
        api("api_services"), {"taxonomy_term_id": hsds.CRISIS_TERM["id"]}
    ).json()
    assert [s["name"] for s in crisis["contents"]] == ["Lantern Line"]


def test_a_service_is_fully_nested_and_valid(standards, client, services, published):
    service = services["debt"]
    response = client.get(api("api_service", service.hsds_id))
    assert response.status_code == 200
    schema_validator(standards, "service").validate(response.json())
    assert response.json()["id"] == str(service.hsds_id)


def test_an_unknown_or_other_organisations_service_is_not_found(
    client, published, other_service
):
    assert client.get(api("api_service", other_service.hsds_id)).status_code == 404
    assert client.get(api("api_service", "not-a-uuid")).status_code == 404


def test_a_withdrawn_service_is_not_published(client, services, published):
    services["stale"].active = False
    services["stale"].save()
    assert client.get(api("api_service", services["stale"].hsds_id)).status_code == 404
    assert client.get(api("api_services")).json()["total_items"] == 3


def test_services_at_locations(standards, client, services, published):
    page = client.get(api("api_service_at_locations")).json()
    # Only the debt service has an address.
    assert page["total_items"] == 1
    item = page["contents"][0]
    schema_validator(standards, "service_at_location_list").validate(item)
    full = client.get(api("api_service_at_location", item["id"]))
    schema_validator(standards, "service_at_location").validate(full.json())
    assert full.json()["location"]["addresses"][0]["postal_code"] == "WN1 1AA"
    missing = api("api_service_at_location", services["crisis"].hsds_id)
    assert client.get(missing).status_code == 404


def test_taxonomies_and_terms(standards, client, published, categories):
    taxonomies = client.get(api("api_taxonomies")).json()
    assert taxonomies["total_items"] == 2
    for taxonomy in taxonomies["contents"]:
        schema_validator(standards, "taxonomy").validate(taxonomy)
        one = client.get(api("api_taxonomy", taxonomy["id"])).json()
        assert one == taxonomy
    terms = client.get(api("api_taxonomy_terms"), {"per_page": 100}).json()
    assert terms["total_items"] == len(categories) + 2
    check = schema_validator(standards, "taxonomy_term")
    for term in terms["contents"]:
        check.validate(term)
    housing = str(categories["housing"].hsds_id)
    assert client.get(api("api_taxonomy_term", housing)).json()["name"] == "Housing"
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(api("api_taxonomy_term", unknown)).status_code == 404
    assert client.get(api("api_taxonomy", unknown)).status_code == 404


def test_the_api_is_read_only(client, published):
    assert client.post(api("api_services")).status_code in (403, 405)
    assert client.put(api("api_services")).status_code == 405


def test_the_api_sets_no_cookies_and_stays_at_a_few_queries(
    client, services, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = client.get(api("api_services"))
    assert not response.cookies


SHARING = reverse("signposting:sharing")


def test_a_coordinator_switches_on_the_public_page_and_the_api(alice_client, org):
    assert alice_client.get(SHARING).status_code == 200
    response = alice_client.post(SHARING, {"public_page": "on", "open_api": "on"})
    assert response.status_code == 302
    settings_ = DirectorySettings.objects.get(organisation=org)
    assert settings_.public_page and settings_.open_api
    page = alice_client.get(SHARING).content.decode()
    assert "http://testserver/signposting/public/mended/" in page
    assert "http://testserver/signposting/api/mended/" in page


def test_facilitators_cannot_change_sharing(bob_client, org):
    assert bob_client.get(SHARING).status_code == 403
    assert bob_client.post(SHARING, {"public_page": "on"}).status_code == 403
    assert not DirectorySettings.objects.filter(public_page=True).exists()


def test_sharing_refuses_other_methods(alice_client, org):
    assert alice_client.delete(SHARING).status_code == 405


def test_the_coordinator_pages_open(alice_client, categories):
    for name in ["import_hsds", "import_table", "categories", "service_new"]:
        assert alice_client.get(reverse(f"signposting:{name}")).status_code == 200
