"""Following another organisation's directory through its Open Referral API,
served by a live server: every page fetched, a preview, accepted, then the daily
check offers exactly what changed at the source."""

import html
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from signposting.models import Category, DirectorySettings, Feed, Service


@pytest.fixture
def source(transactional_db, other_org, settings, make_service):
    """Another group's Peerspace, publishing six services."""
    settings.FEEDS_ALLOW_INSECURE = True  # the live server is plain http on 127.0.0.1
    settings.FEED_DELAY_MS = 0
    DirectorySettings.objects.create(organisation=other_org, open_api=True)
    Category.objects.seed(other_org)
    names = [
        "Advice Line",
        "Baby Bank",
        "Carers' Café",
        "Debt Help",
        "Eat Well",
        "Food Share",
    ]
    return {
        name: make_service(
            other_org,
            name,
            description=f"{name} for Wigan.",
            phone="01942 000 00" + str(i),
            address="1 Market Street\nWigan",
            postcode="WN1 1AA",
            categories=["food"] if "Food" in name else [],
        )
        for i, name in enumerate(names)
    }


def page(response) -> str:
    return html.unescape(response.content.decode())


def test_following_a_partners_directory_and_the_daily_check(
    live_server, source, other_org, org, alice_client
):
    api = live_server.url + reverse("signposting:api_root", args=[other_org.slug])
    response = alice_client.post(
        reverse("signposting:feeds"),
        {"url": api + "?per_page=2", "name": "Elsewhere's directory"},
    )
    feed = Feed.objects.get(organisation=org)
    assert response.status_code == 302, page(response)
    preview = page(alice_client.get(reverse("signposting:feed", args=[feed.pk])))
    assert "New services</dt><dd>6</dd>" in preview
    assert not Service.objects.filter(organisation=org).exists()  # not yet

    alice_client.post(
        reverse("signposting:feed_action", args=[feed.pk]), {"action": "accept"}
    )
    mine = Service.objects.filter(organisation=org)
    assert sorted(s.name for s in mine) == sorted(source)
    assert all(s.feed == feed for s in mine)
    assert mine.get(name="Food Share").categories.get().name == "Food"

    out = io.StringIO()
    call_command("check_feeds", stdout=out)
    assert "mended: Elsewhere's directory: no changes" in out.getvalue()

    # At the source, one service changes its opening times.
    changed = source["Debt Help"]
    changed.opening_times = "Tuesdays 10am to 2pm"
    changed.save()
    out = io.StringIO()
    call_command("check_feeds", stdout=out)
    assert out.getvalue().startswith(
        "mended: Elsewhere's directory: “Debt Help” changed: Opening times (to accept:"
    )
    assert mine.get(name="Debt Help").opening_times == ""  # nothing changes yet
    preview = page(alice_client.get(reverse("signposting:feed", args=[feed.pk])))
    assert "Debt Help: Opening times" in preview
    alice_client.post(
        reverse("signposting:feed_action", args=[feed.pk]), {"action": "accept"}
    )
    assert mine.get(name="Debt Help").opening_times == "Tuesdays 10am to 2pm"


def test_a_service_that_leaves_the_feed_is_flagged_not_deleted(
    live_server, source, other_org, org, alice_client
):
    api = live_server.url + reverse("signposting:api_root", args=[other_org.slug])
    alice_client.post(reverse("signposting:feeds"), {"url": api + "?per_page=2"})
    feed = Feed.objects.get(organisation=org)
    alice_client.post(
        reverse("signposting:feed_action", args=[feed.pk]), {"action": "accept"}
    )
    mine = Service.objects.filter(organisation=org)
    # Our coordinator edits one; the source stops publishing another.
    ours = mine.get(name="Advice Line")
    ours.phone = "01942 999 999"
    ours.save()
    source["Eat Well"].active = False
    source["Eat Well"].save()
    source["Advice Line"].phone = "01942 111 111"
    source["Advice Line"].save()
    out = io.StringIO()
    call_command("check_feeds", stdout=out)
    assert "no longer listed: “Eat Well”" in out.getvalue()
    preview = page(alice_client.get(reverse("signposting:feed", args=[feed.pk])))
    assert "Advice Line: keeps your edit to Phone" in preview
    alice_client.post(
        reverse("signposting:feed_action", args=[feed.pk]), {"action": "accept"}
    )
    assert mine.count() == 6
    assert mine.get(name="Eat Well").missing_from_feed is not None
    assert mine.get(name="Advice Line").phone == "01942 999 999"
    flagged = page(alice_client.get(mine.get(name="Eat Well").get_absolute_url()))
    assert f"This service was no longer in {feed.name} when we checked" in flagged


def test_only_https_to_public_addresses_in_production(alice_client, org, settings):
    settings.FEEDS_ALLOW_INSECURE = False
    for url, why in [
        ("http://directory.example.org/api/", "starts http://"),
        ("https://127.0.0.1/api/", "private network"),
        ("https://10.1.2.3/api/", "private network"),
    ]:
        response = alice_client.post(reverse("signposting:feeds"), {"url": url})
        assert response.status_code == 400
        assert why in page(response)
    assert not Feed.objects.exists()


def test_feeds_are_for_coordinators_of_their_own_organisation(
    client, alice, bob, other_org, org
):
    feed = Feed.objects.create(organisation=other_org, url="https://x.example/api/")
    client.force_login(alice)
    assert client.get(reverse("signposting:feed", args=[feed.pk])).status_code == 404
    action = reverse("signposting:feed_action", args=[feed.pk])
    assert client.post(action, {"action": "stop"}).status_code == 404
    assert client.get(action).status_code == 405
    assert Feed.objects.filter(pk=feed.pk).exists()
    client.force_login(bob)
    assert client.get(reverse("signposting:feeds")).status_code == 403
