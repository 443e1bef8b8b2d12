import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from signposting.models import Service

URL = reverse("signposting:directory")


def names(response):
    return [s.name for s in response.context["services"]]


def test_it_lists_crisis_services_first(bob_client, services):
    response = bob_client.get(URL)
    assert response.status_code == 200
    assert names(response)[0] == "Lantern Line"
    assert names(response)[1:] == sorted(names(response)[1:])


def test_crisis_services_stay_first_when_searching(
    make_service, bob_client, org, services
):
    make_service(org, "Money Crisis Line", description="money", is_emergency=True)
    response = bob_client.get(URL, {"q": "money"})
    assert names(response)[0] == "Money Crisis Line"
    assert set(names(response)) == {
        "Money Crisis Line",
        "Clear Money Debt Advice",
        "Zoë's Money Café",
    }


def test_search_finds_words_in_the_description_and_provider(bob_client, services):
    assert names(bob_client.get(URL, {"q": "bailiffs"})) == ["Clear Money Debt Advice"]
    assert names(bob_client.get(URL, {"q": "clear trust"})) == [
        "Clear Money Debt Advice"
    ]


def test_search_ignores_accents_and_case(bob_client, services):
    assert names(bob_client.get(URL, {"q": "ZOES cafe"})) == ["Zoë's Money Café"]


def test_search_finds_a_service_by_its_category(bob_client, services):
    assert names(bob_client.get(URL, {"q": "benefits"})) == ["Zoë's Money Café"]


def test_it_filters_by_category(bob_client, services):
    response = bob_client.get(URL, {"category": "money-and-debt"})
    assert names(response) == ["Clear Money Debt Advice", "Zoë's Money Café"]
    response = bob_client.get(URL, {"category": "money-and-debt", "q": "cuppa"})
    assert names(response) == ["Zoë's Money Café"]


def test_search_as_you_type_returns_just_the_results(bob_client, services):
    response = bob_client.get(URL, {"q": "lantern"}, headers={"HX-Request": "true"})
    assert b'id="results"' in response.content
    assert b"<html" not in response.content
    assert b"Lantern Line" in response.content


def test_it_flags_services_not_checked_for_a_year(bob_client, services):
    response = bob_client.get(URL)
    flags = {s.name: s.is_stale for s in response.context["services"]}
    assert flags["Old Food Bank"] and not flags["Lantern Line"]
    assert response.context["to_check"] == 1
    assert b"To check" in response.content


def test_the_to_check_list_has_stale_and_never_checked_services(
    make_service, bob_client, org, services
):
    make_service(org, "Never Checked", last_checked=None)
    response = bob_client.get(reverse("signposting:to_check"))
    assert [s.name for s in response.context["services"]] == [
        "Never Checked",
        "Old Food Bank",
    ]


def test_a_year_old_check_is_stale_but_yesterday_is_not(make_service, org, categories):
    today = timezone.localdate()
    old = make_service(org, "Old", last_checked=today - dt.timedelta(days=366))
    fresh = make_service(org, "Fresh", last_checked=today - dt.timedelta(days=364))
    assert list(Service.objects.stale()) == [old]
    assert old.is_stale and not fresh.is_stale


def test_a_coordinator_marks_a_service_checked(alice_client, services):
    stale = services["stale"]
    response = alice_client.post(
        reverse("signposting:service_checked", args=[stale.pk]), {"next": "to_check"}
    )
    assert response.status_code == 302
    stale.refresh_from_db()
    assert stale.last_checked == timezone.localdate()


def test_a_facilitator_may_not_mark_a_service_checked(bob_client, services):
    url = reverse("signposting:service_checked", args=[services["stale"].pk])
    assert bob_client.post(url).status_code == 403


def test_marking_checked_needs_a_post(alice_client, services):
    url = reverse("signposting:service_checked", args=[services["stale"].pk])
    assert alice_client.get(url).status_code == 405


def test_it_shows_only_the_users_organisations_services(
    bob_client, services, other_service
):
    assert "Elsewhere Debt Line" not in names(bob_client.get(URL, {"q": "debt"}))


def test_another_organisations_service_is_not_found(bob_client, other_service):
    url = reverse("signposting:service", args=[other_service.pk])
    assert bob_client.get(url).status_code == 404


def test_a_service_page_shows_how_to_get_in_touch(bob_client, services):
    response = bob_client.get(
        reverse("signposting:service", args=[services["debt"].pk])
    )
    assert response.status_code == 200
    assert b'href="tel:08081570103"' in response.content
    assert b"Edit" not in response.content  # facilitators browse, not edit


@pytest.mark.parametrize(
    "name", ["directory", "to_check", "log", "signpost_new", "printables"]
)
def test_the_kiosk_cannot_open_signposting(client, kiosk, name):
    client.force_login(kiosk)
    assert client.get(reverse(f"signposting:{name}")).status_code == 403


def test_the_directory_needs_a_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_directory_is_read_only(bob_client, db):
    assert bob_client.post(URL).status_code == 405


def test_the_directory_stays_at_a_few_queries(
    make_service, bob_client, org, services, django_assert_max_num_queries
):
    for i in range(30):
        make_service(org, f"Extra {i}", categories=["food"])
    with django_assert_max_num_queries(12):
        bob_client.get(URL)


def test_a_coordinator_adds_a_service(alice_client, org, categories):
    response = alice_client.post(
        reverse("signposting:service_new"),
        {
            "name": "  Warm  Spaces Library ",
            "provider_name": "Wigan Libraries",
            "categories": [categories["community-activities"].pk],
            "phone": "01632 960128",
            "postcode": "wn1 1aa",
            "self_referral": "on",
            "active": "on",
            "last_checked": timezone.localdate().isoformat(),
        },
    )
    service = Service.objects.get(organisation=org)
    assert response.status_code == 302
    assert service.name == "Warm Spaces Library"
    assert service.postcode == "WN1 1AA"
    assert list(Service.objects.search("community")) == [service]


def test_a_service_form_explains_a_bad_phone_number(alice_client, categories):
    response = alice_client.post(
        reverse("signposting:service_new"), {"name": "X", "phone": "call us!"}
    )
    assert response.status_code == 200
    assert "look like a phone number" in response.content.decode()


def test_a_facilitator_may_not_add_or_edit_services(bob_client, services):
    assert bob_client.get(reverse("signposting:service_new")).status_code == 403
    url = reverse("signposting:service_edit", args=[services["debt"].pk])
    assert bob_client.get(url).status_code == 403


def test_a_coordinator_edits_a_service(alice_client, services):
    service = services["crisis"]
    url = reverse("signposting:service_edit", args=[service.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(
        url, {"name": "Lantern Line 24/7", "is_emergency": "on", "active": "on"}
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Lantern Line 24/7"
    assert list(service.categories.all()) == []


def test_editing_another_organisations_service_is_not_found(
    alice_client, other_service
):
    url = reverse("signposting:service_edit", args=[other_service.pk])
    assert alice_client.get(url).status_code == 404


def test_service_edit_refuses_other_methods(alice_client, services):
    url = reverse("signposting:service_edit", args=[services["debt"].pk])
    assert alice_client.put(url).status_code == 405


def test_a_coordinator_adds_renames_and_removes_a_category(alice_client, org, services):
    url = reverse("signposting:categories")
    assert alice_client.get(url).status_code == 200
    alice_client.post(url, {"name": "Sewing and crafts"})
    edit = reverse("signposting:category_edit", args=["food"])
    alice_client.post(edit, {"name": "Food and essentials", "order": 3})
    assert Service.objects.search("essentials").get() == services["stale"]
    alice_client.post(
        reverse("signposting:category_edit", args=["food-and-essentials"]),
        {"delete": "1"},
    )
    slugs = set(org.service_categories.values_list("slug", flat=True))
    assert "sewing-and-crafts" in slugs and "food-and-essentials" not in slugs
    assert Service.objects.filter(pk=services["stale"].pk).exists()


def test_a_category_name_must_be_new(alice_client, categories):
    response = alice_client.post(reverse("signposting:categories"), {"name": "housing"})
    assert "already a category" in response.content.decode()


def test_facilitators_cannot_change_categories(bob_client, categories):
    assert bob_client.get(reverse("signposting:categories")).status_code == 403


def test_categories_of_another_organisation_are_not_found(alice_client, other_service):
    url = reverse("signposting:category_edit", args=["housing"])
    # Alice's own organisation has no categories yet: not seeded, so not found.
    assert alice_client.get(url).status_code == 404
