import datetime as dt
import re
import uuid

from django.urls import reverse
from django.utils import timezone

from signposting.models import Signpost

NEW = reverse("signposting:signpost_new")
LOG = reverse("signposting:log")


def post(client, services, **extra):
    data = {
        "date": timezone.localdate().isoformat(),
        "services": [s.pk for s in services],
        "request_token": str(uuid.uuid4()),
        **extra,
    }
    return client.post(NEW, data)


def test_the_form_is_prefilled_from_a_persons_page_or_whos_here(
    bob_client, person, site, services
):
    response = bob_client.get(NEW, {"person": person.pk, "site": site.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["person"] == person and form.initial["site"] == site
    assert (
        "About <a" in response.content.decode() and "Sam" in response.content.decode()
    )


def test_the_form_can_start_with_a_service_ticked(bob_client, services):
    html = bob_client.get(NEW, {"service": services["debt"].pk}).content.decode()
    assert re.search(rf'value="{services["debt"].pk}"[^>]*checked', html)
    assert not re.search(rf'value="{services["café"].pk}"[^>]*checked', html)


def test_it_records_information_given_to_a_person(
    bob, bob_client, person, site, services
):
    response = post(
        bob_client,
        [services["debt"], services["crisis"]],
        person=person.pk,
        site=site.pk,
        helped_to_contact="on",
    )
    assert (
        response.status_code == 302
        and response["Location"] == person.get_absolute_url()
    )
    signpost = Signpost.objects.get()
    assert signpost.person == person and signpost.site == site
    assert signpost.helped_to_contact and signpost.recorded_by == bob
    assert set(signpost.services.all()) == {services["debt"], services["crisis"]}


def test_it_records_signposting_with_no_one_named(bob_client, org, services):
    response = post(bob_client, [services["café"]])
    assert response.status_code == 302 and response["Location"] == LOG
    signpost = Signpost.objects.get()
    assert signpost.person is None and signpost.organisation == org
    assert not signpost.helped_to_contact


def test_a_double_tapped_save_counts_once(bob_client, services):
    token = str(uuid.uuid4())
    post(bob_client, [services["café"]], request_token=token)
    post(bob_client, [services["café"]], request_token=token)
    assert Signpost.objects.count() == 1


def test_at_least_one_service_is_needed(bob_client, services):
    response = post(bob_client, [])
    assert response.status_code == 200
    assert "tick at least one service" in response.content.decode()
    assert not Signpost.objects.exists()


def test_a_future_date_is_refused(bob_client, services):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = post(bob_client, [services["café"]], date=tomorrow.isoformat())
    assert "in the future" in response.content.decode()


def test_another_organisations_service_cannot_be_logged(
    bob_client, services, other_service
):
    response = post(bob_client, [other_service])
    assert response.status_code == 200 and not Signpost.objects.exists()


def test_another_organisations_person_is_not_found(bob_client, other_person, services):
    assert bob_client.get(NEW, {"person": other_person.pk}).status_code == 404
    response = post(bob_client, [services["café"]], person=other_person.pk)
    assert response.status_code == 404


def test_another_organisations_site_is_not_found(bob_client, other_site, services):
    assert bob_client.get(NEW, {"site": other_site.pk}).status_code == 404


def test_logging_refuses_other_methods(bob_client, db):
    assert bob_client.delete(NEW).status_code == 405
    assert bob_client.post(LOG).status_code == 405


def test_the_log_shows_counts_for_the_funder_report(
    bob_client, org, person, site, services, other_service
):
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=200)
    rows = [
        (today, person, True, [services["debt"], services["café"]]),
        (today, None, False, [services["crisis"]]),
        (today, person, False, [services["café"]]),
        (long_ago, None, True, [services["debt"]]),
    ]
    for date, who, helped, chosen in rows:
        signpost = Signpost.objects.create(
            organisation=org, date=date, person=who, site=site, helped_to_contact=helped
        )
        signpost.services.set(chosen)
    response = bob_client.get(LOG)
    assert response.context["counts"] == {"times": 3, "helped": 1, "people": 1}
    by_category = {r["name"]: r["times"] for r in response.context["by_category"]}
    # Two money services given at once count once for "money and debt".
    assert by_category == {
        "Money and debt": 2,
        "Benefits": 2,
        "Mental health and crisis": 1,
    }
    whole_year = bob_client.get(
        LOG, {"from": (today - dt.timedelta(days=365)).isoformat()}
    )
    assert whole_year.context["counts"]["times"] == 4


def test_the_log_shows_only_the_users_organisation(
    charlie, client, org, services, other_service
):
    Signpost.objects.create(organisation=org).services.set([services["debt"]])
    client.force_login(charlie)
    assert client.get(LOG).context["counts"]["times"] == 0


def test_the_log_stays_at_a_few_queries(
    bob_client, org, person, services, django_assert_max_num_queries
):
    for _ in range(25):
        Signpost.objects.create(organisation=org, person=person).services.set(
            [services["debt"], services["café"]]
        )
    with django_assert_max_num_queries(12):
        assert bob_client.get(LOG).status_code == 200


def test_a_signpost_outlives_the_person_being_erased(org, person, services):
    signpost = Signpost.objects.create(organisation=org, person=person)
    person.delete()
    signpost.refresh_from_db()
    assert signpost.person is None
