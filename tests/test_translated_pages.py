"""No English string slips past translation on the pages that are marked.

Each page is shown in the pseudo-language, where every translated string is
⟦ţŕàñšƒöŕɱéđ⟧; any other words a person could see (text, labels, buttons,
alt text, placeholders) that aren't data from the database fail the test.

A page whose strings are marked goes in PAGES: who is signed in (a fixture's
name, or None) and how to make its address from the objects below. A page not
marked yet is listed with NOT_YET, so the list says what is left; marking it
makes that entry pass, and the test then asks for NOT_YET to come off.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from attendance.models import Person
from peerspace.accounts.models import DataUseStatementVersion
from signposting.models import Category, DirectorySettings, Feed, Signpost
from tests.pseudo import untranslated
from tests.signposting.conftest import make_service

NOT_YET = pytest.mark.xfail(
    strict=True, reason="its strings are marked with the kiosk and door work"
)


@dataclass
class Page:
    name: str
    who: str | None
    url: Callable[[dict], str]
    marks: tuple = ()
    # Posted, to see the page's messages about what's missing.
    data: dict | None = None


def _url(name: str, *args) -> Callable[[dict], str]:
    return lambda o: reverse(name, args=[o[a] if a in o else a for a in args])


PAGES = [
    # Signing in, and the pages anyone may meet.
    Page("login", None, _url("login")),
    Page("password reset", None, _url("password_reset")),
    Page("password reset sent", None, _url("password_reset_done")),
    Page("password reset link", None, _url("password_reset_confirm", "MQ", "x-y")),
    Page("password changed", None, _url("password_reset_complete")),
    Page("home", "alice", _url("home")),
    Page("not found", "alice", lambda o: "/no-such-page/"),
    Page("no role yet", "nobody", _url("home")),
    Page("two-factor set-up", "alice", _url("two_factor_setup")),
    Page("her language", "bob", _url("my_language")),
    # The team, and her rights in her language.
    Page("team and sites", "alice", _url("team")),
    Page("privacy notice", "alice", _url("privacy_notice")),
    Page("privacy notice in Polish", "alice", _url("privacy_notice_translation", "pl")),
    Page("languages we offer", "alice", _url("organisation_languages")),
    # Other services.
    Page("directory", "bob", _url("signposting:directory")),
    Page("a service", "bob", _url("signposting:service", "service")),
    Page("editing a service", "alice", _url("signposting:service_edit", "service")),
    Page("adding a service", "alice", _url("signposting:service_new")),
    Page("services to check", "bob", _url("signposting:to_check")),
    Page("categories", "alice", _url("signposting:categories")),
    Page("a category", "alice", _url("signposting:category_edit", "category")),
    Page("gave information", "bob", _url("signposting:signpost_new")),
    Page("signposting log", "bob", _url("signposting:log")),
    Page("posters and cards", "bob", _url("signposting:printables")),
    Page("sharing", "alice", _url("signposting:sharing")),
    Page("directories we follow", "alice", _url("signposting:feeds")),
    Page("a directory we follow", "alice", _url("signposting:feed", "feed")),
    Page("importing Open Referral", "alice", _url("signposting:import_hsds")),
    Page("importing a spreadsheet", "alice", _url("signposting:import_table")),
    Page("public directory", None, _url("signposting:public", "org_slug")),
    # The kiosk, every screen, and the first-visit form at the door.
    Page("kiosk", "kiosk", _url("attendance:kiosk")),
    Page("kiosk: been before", "kiosk", _url("attendance:kiosk_returning")),
    Page("kiosk: first visit", "kiosk", _url("attendance:kiosk_new")),
    Page("kiosk: thank you", "kiosk", _url("attendance:kiosk_done")),
    Page("kiosk: say hello", "kiosk", _url("attendance:kiosk_see_us")),
    Page("kiosk: staff log out", "kiosk", _url("attendance:kiosk_log_out")),
    Page(
        "kiosk: been before, name missing",
        "kiosk",
        _url("attendance:kiosk_returning"),
        data={"name": ""},
    ),
    Page(
        "kiosk: first visit, with what's missing",
        "kiosk",
        _url("attendance:kiosk_new"),
        data={
            "known_as": "",
            "phone": "not a phone",
            "kiosk_word": "ab",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Sam",
        },
    ),
    # People, their rights, and the team's attendance pages.
    Page("people", "bob", _url("attendance:people")),
    Page(
        "forms to finish",
        "bob",
        lambda o: reverse("attendance:people") + "?to_finish=1",
    ),
    Page("a person", "alice", _url("attendance:person", "person")),
    Page("editing a person", "bob", _url("attendance:person_edit", "person")),
    Page("activities", "alice", _url("attendance:activities")),
    Page("which site", "bob", _url("attendance:choose_site")),
    Page("sign everyone out", "bob", _url("attendance:sign_out_all", "site")),
    Page("paper sheet", "bob", _url("attendance:paper")),
    Page(
        "paper sheet, checking the names",
        "bob",
        _url("attendance:paper"),
        data={"site": "1", "date": "2025-01-06", "names": "Sam"},
    ),
    Page("import and export", "alice", _url("attendance:import_export")),
    Page("first visit at the door", "bob", _url("attendance:register", "site")),
    Page(
        "first visit at the door, with what's missing",
        "bob",
        _url("attendance:register", "site"),
        data={
            "known_as": "",
            "email": "not an email",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-phone": "01234 567890",
        },
    ),
]


@pytest.fixture
def objects(org, site, person, alice, bob, kiosk):
    """A little of everything, so each page has something to show."""
    Category.objects.seed(org)
    categories = {c.slug: c for c in Category.objects.filter(organisation=org)}
    service = make_service(
        org,
        "Lantern Line",
        description="A listening ear, day or night.",
        categories=["money-and-debt"],
        phone="0808 157 0101",
        opening_times="Every day",
        is_emergency=True,
    )
    category = categories["money-and-debt"]
    signpost = Signpost.objects.create(organisation=org, site=site, person=person)
    signpost.services.set([service])
    DirectorySettings.objects.update_or_create(
        organisation=org, defaults={"public_page": True}
    )
    feed = Feed.objects.create(
        organisation=org, url="https://directory.example.org/api", name="Council"
    )
    DataUseStatementVersion.objects.create(
        organisation=org, version=1, language="pl", text="Trzymamy tylko to."
    )
    org.languages = ["pl", "ur"]
    org.save()
    return {
        "service": service.pk,
        "category": category.slug,
        "feed": feed.pk,
        "site": site.pk,
        "org_slug": org.slug,
        "person": person.pk,
        "alice": alice,
        "bob": bob,
        "kiosk": kiosk,
        "nobody": get_user_model().objects.create_user("nobody", password="x"),
    }


@pytest.mark.parametrize(
    "page", [pytest.param(p, id=p.name, marks=p.marks) for p in PAGES]
)
def test_every_word_on_the_page_is_translated(client, pseudo_language, objects, page):
    if page.who:
        client.force_login(objects[page.who])
    if page.data is None:
        response = client.get(page.url(objects), HTTP_ACCEPT_LANGUAGE=pseudo_language)
    else:
        response = client.post(
            page.url(objects), page.data, HTTP_ACCEPT_LANGUAGE=pseudo_language
        )
    assert response.status_code in (200, 403, 404), response.status_code
    html = response.content.decode()
    assert f'lang="{pseudo_language}"' in html
    assert untranslated(html) == []


def test_the_crawl_finds_english_that_skipped_translation(pseudo_language, org):
    """The check itself: a marked string passes, a plain one doesn't, and
    a name from the database doesn't count."""
    Person.objects.create(organisation=org, known_as="Nadia")
    html = (
        '<html lang="en-xa"><p>⟦Ĥéļļö, Nadia⟧</p><p>Nadia</p>'
        '<button aria-label="Sign her out">⟦X⟧</button><p>12:30</p>'
        '<p lang="pl">Polski</p></html>'
    )
    assert untranslated(html) == ["Sign her out"]
