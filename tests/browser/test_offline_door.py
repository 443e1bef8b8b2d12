"""The door with no connection, in real Chromium: the service worker serves
it, arrivals are kept on the device and sent when the connection is back,
and nothing personal stays after logout."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import (
    EmergencyContact,
    OfflineEntry,
    Person,
    Session,
    Visit,
)
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

QUEUE = "JSON.parse(localStorage.getItem('peerspace.door.queue') || '[]')"
DEVICE_STORAGE = """async () => ({
  caches: await caches.keys(),
  storage: Object.keys(localStorage),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
})"""


def open_door_online(page, log_in, site) -> None:
    log_in("bob", f"/door/{site.pk}/")
    # The worker is in charge and has kept the offline door, and the device
    # has today's snapshot of who's here.
    page.wait_for_selector("#offline-hook[data-ready='1']", state="attached")
    page.wait_for_function(
        f"() => localStorage.getItem('peerspace.door.snapshot.{site.pk}') !== null"
    )


def test_another_facilitators_arrival_is_on_the_device_before_the_wifi_drops(
    page, log_in, site, bob, org
):
    open_door_online(page, log_in, site)
    # Signed in on another tablet: this door's refresh brings her, and the
    # list kept for going offline has her too.
    other = Person.objects.create(organisation=org, known_as="Noor")
    Visit.objects.sign_in(other, Session.objects.today(site))
    expect(page.locator("#here-list")).to_contain_text("Noor")
    page.wait_for_function(
        f"""() => (localStorage.getItem('peerspace.door.snapshot.{site.pk}') || '')
          .indexOf('"Noor"') !== -1"""
    )
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Sign someone in")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Noor")


def test_the_door_works_offline_and_sends_what_was_typed(
    page, log_in, site, bob, org, person, tmp_path
):
    session = Session.objects.today(site)
    earlier = dt.timedelta(hours=1)
    for name, contact in (("Ruth", "07700 900111"), ("Dee", "07700 900222")):
        here = Person.objects.create(organisation=org, known_as=name)
        EmergencyContact.objects.create(
            person=here, name=f"{name}'s mum", relationship="mum", phone=contact
        )
        Visit.objects.sign_in(here, session, at=timezone.now() - earlier)
    Person.objects.create(organisation=org, known_as="Kim", full_name="Kim Lee")
    Person.objects.create(organisation=org, known_as="Kim", full_name="Kim Ng")

    Person.objects.create(organisation=org, known_as="Lou")

    open_door_online(page, log_in, site)
    # Signed in online just before the wifi drops: the device's list has her.
    page.locator("#q").press_sequentially("lou", delay=20)
    page.get_by_role("button", name="Sign in Lou").click()
    expect(page.locator("#here-heading")).to_have_text("Here now: 3")
    page.wait_for_function(
        f"""() => (localStorage.getItem('peerspace.door.snapshot.{site.pk}') || '')
          .indexOf('"Lou"') !== -1"""
    )
    page.context.set_offline(True)
    # The door open when the wifi drops says so, and where to go.
    expect(page.locator("#offline-hook")).to_be_visible()
    expect(page.get_by_role("link", name="Open the offline door")).to_be_visible()
    page.reload()
    # Served by the service worker: the offline door, saying so.
    expect(page.get_by_role("heading", name="Sign someone in")).to_be_visible()
    expect(page.locator("#offline-hook")).to_contain_text(
        "Offline: arrivals are kept on this device and sent when the connection is back"
    )
    here = page.locator("#offline-here")
    expect(here).to_contain_text("Ruth")
    expect(here).to_contain_text("Lou")
    # The last list keeps everyone's emergency contacts readable.
    page.locator("#offline-here details").first.locator("summary").click()
    expect(
        page.get_by_role("link", name="Call Ruth's mum (mum): 07700 900111")
    ).to_be_visible()

    for name in ("Sam", "Kim", "Priya New"):
        page.get_by_label("Who's arriving? Type her name").fill(name)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(here).to_contain_text(name)
    page.get_by_role("button", name="Sign out Ruth").click()
    expect(here).not_to_contain_text("Ruth")
    expect(page.locator("#offline-count")).to_have_text("5")
    expect(page.locator("#offline-queue-status")).to_contain_text(
        "4 changes are kept on this device"
    )
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("#offline-sent")).to_contain_text("No connection yet")
    queue = page.evaluate(f"() => {QUEUE}")
    assert [(i["kind"], i.get("name")) for i in queue] == [
        ("arrived", "Sam"),
        ("arrived", "Kim"),
        ("arrived", "Priya New"),
        ("left", None),
    ]

    # The fire register, printed on the device from what it knows.
    text = pdf_text(page.pdf(), tmp_path)
    assert "Fire register: Wigan" in text
    for present in (
        "Dee",
        "Dee's mum (mum) 07700 900222",
        "Lou",
        "Sam",
        "Kim",
        "Priya New",
    ):
        assert present in text
    assert "Ruth" not in text
    assert "Sign someone in" not in text  # the register alone

    page.context.set_offline(False)
    page.wait_for_function(f"() => {QUEUE}.length === 0", timeout=15000)
    expect(page.locator("#offline-sent")).to_contain_text("Sam is signed in from")

    typed = {
        i.get("name") or "Ruth": dt.datetime.fromisoformat(i["typed_at"]) for i in queue
    }
    sam = Visit.objects.get(person=person)
    assert abs(sam.arrived_at - typed["Sam"]) < dt.timedelta(seconds=1)
    ruth = Visit.objects.get(person__known_as="Ruth")
    assert abs(ruth.left_at - typed["Ruth"]) < dt.timedelta(seconds=1)
    waiting = OfflineEntry.objects.filter(outcome=OfflineEntry.TO_MATCH)
    assert sorted(e.name_typed for e in waiting) == ["Kim", "Priya New"]
    visits = Visit.objects.count()

    # The same queue sent again (an answer lost on the way) changes nothing.
    payload = {
        "items": [
            {k: i.get(k) for k in ("id", "kind", "name", "visit", "ref", "typed_at")}
            for i in queue
        ]
    }
    answer = page.evaluate(
        """async ([snapshot, send, payload]) => {
          const snap = await (await fetch(snapshot)).json();
          const response = await fetch(send, {method: "POST", body: JSON.stringify(payload),
            headers: {"Content-Type": "application/json", "X-CSRFToken": snap.csrf}});
          return response.json();
        }""",
        [
            f"/door/{site.pk}/offline/snapshot/",
            f"/door/{site.pk}/offline/send/",
            payload,
        ],
    )
    assert [r["message"] for r in answer["results"]] == ["Already received."] * 4
    assert Visit.objects.count() == visits
    assert OfflineEntry.objects.count() == 4

    # The ambiguous and the new name wait on the paper sheet screen.
    page.goto("/paper/")
    matching = page.locator(".offline-to-match")
    expect(matching).to_contain_text("2 names typed while offline")
    expect(matching.locator(".offline-entry").filter(has_text="“Kim”")).to_contain_text(
        "Typed while offline"
    )
    kim_ng = Person.objects.get(full_name="Kim Ng")
    options = page.get_by_label("Who is “Kim”?").locator("option")
    expect(options).to_have_count(4)  # both Kims, someone new, remove
    page.get_by_label("Who is “Kim”?").select_option(str(kim_ng.pk))
    page.get_by_role("button", name="Save Kim").click()
    expect(page.locator(".messages")).to_contain_text("Kim is signed in at Wigan")
    kim = Visit.objects.get(person__full_name="Kim Ng")
    assert abs(kim.arrived_at - typed["Kim"]) < dt.timedelta(seconds=1)

    # Nothing personal stays on the device after logout.
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")
    left = page.evaluate(DEVICE_STORAGE)
    assert left == {"caches": [], "storage": [], "workers": 0}, left


def test_logging_out_warns_before_losing_unsent_arrivals(
    page, log_in, site, bob, person
):
    open_door_online(page, log_in, site)
    item = {
        "id": "6a0f3c1e-7d0b-4f7e-9a51-0d8d2f6f2a10",
        "kind": "arrived",
        "name": "Sam",
        "typed_at": dt.datetime.now(dt.UTC).isoformat(),
        "site": str(site.pk),
        "send": f"/door/{site.pk}/offline/send/",
        "snapshot": f"/door/{site.pk}/offline/snapshot/",
    }
    page.evaluate(
        "item => localStorage.setItem('peerspace.door.queue', JSON.stringify([item]))",
        item,
    )
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Log out").click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("1 arrival typed offline hasn't been sent yet")
    assert "/login/" not in page.url
    warning.get_by_role("button", name="Send them now").click()
    page.wait_for_url("**/login/**")
    assert Visit.objects.get().person == person
    assert json.loads(page.evaluate("JSON.stringify(Object.keys(localStorage))")) == []


def test_a_session_that_ran_out_leaves_no_ones_details(page, log_in, site, bob, org):
    here = Person.objects.create(organisation=org, known_as="Ruth")
    Visit.objects.sign_in(here, Session.objects.today(site))
    open_door_online(page, log_in, site)
    queued = [{"id": "6a0f3c1e-7d0b-4f7e-9a51-0d8d2f6f2a10", "name": "Unsent"}]
    page.evaluate(
        "q => localStorage.setItem('peerspace.door.queue', JSON.stringify(q))", queued
    )
    # The session ends without the logout button (idle, or its 12 hours).
    page.context.clear_cookies()
    page.goto(f"/door/{site.pk}/")
    page.wait_for_url("**/login/**")
    page.wait_for_function(
        "async () => (await caches.keys()).length === 0"
        " && (await navigator.serviceWorker.getRegistrations()).length === 0"
    )
    left = page.evaluate(DEVICE_STORAGE)
    # Only what was typed and not yet sent, for when she logs in again.
    assert left == {"caches": [], "storage": ["peerspace.door.queue"], "workers": 0}
    assert page.evaluate(f"() => {QUEUE}") == queued
