"""Every form that comes back with a problem starts with the same error summary
(GOV.UK's pattern): at the top of the page, announced, one link per problem to
its field. base.html asks for it and it finds the forms itself, so these walk
every form the fuzz tests post to (as their user, with their objects), and
the rest, sent empty or wrong."""

import re
from html.parser import HTMLParser

from django.urls import reverse

from tests.conftest import client_for
from tests.test_fuzz_forms import FORMS as DOOR_FORMS
from tests.test_fuzz_forms import SITE_FORMS
from tests.test_fuzz_more_forms import FORMS as OTHER_FORMS
from tests.test_fuzz_more_forms import fuzz_client, objects  # noqa: F401 (fixtures)

WRONG = {
    # Enough wrong to bring most forms back: a date in the future, words
    # where numbers go, a detail without her agreement.
    "date": "2999-01-01",
    "count": "lots",
    "phone": "call me",
    "email": "not an email",
    "names": " ",
    "site": "999999",
    "contacts-TOTAL_FORMS": "1",
    "contacts-INITIAL_FORMS": "0",
    "actions-TOTAL_FORMS": "1",
    "actions-INITIAL_FORMS": "0",
    "actions-0-what": "Call her",
    "password": "x",
    "add_member": "1",
}


class Page(HTMLParser):
    """What the test needs of a page: ids, invalid fields, the summary."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.invalid: list[str] = []
        self.summary_links: list[str] = []
        self.in_summary = 0
        self.summary_before_h1 = None
        self.summary_role = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        classes = (attrs.get("class") or "").split()
        if "is-invalid" in classes and attrs.get("id"):
            self.invalid.append(attrs["id"])
        if "error-summary" in classes:
            self.in_summary = 1
            self.summary_role = attrs.get("role")
            self.summary_before_h1 = self.summary_before_h1 is None
        elif self.in_summary and tag == "div":
            self.in_summary += 1
        if tag == "h1" and self.summary_before_h1 is None:
            self.summary_before_h1 = False
        if self.in_summary and tag == "a":
            self.summary_links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if self.in_summary and tag == "div":
            self.in_summary -= 1


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def check_summary(html: str, where: str) -> bool:
    """If the page shows a field's error, it has the summary, done right.
    Returns whether it showed any."""
    page = read(html)
    shows_errors = bool(page.invalid) or "invalid-feedback" in html
    if not shows_errors and page.summary_role is None:
        return False
    assert page.summary_role == "alert", f"{where}: no error summary"
    assert page.summary_before_h1, f"{where}: the summary isn't at the top"
    targets = [link.removeprefix("#") for link in page.summary_links]
    assert targets and all(t in page.ids for t in targets), (where, targets)
    for field in page.invalid:
        first_of_group = re.sub(r"_\d+$", "_0", field)
        assert field in targets or first_of_group in targets, (where, field)
    return True


def form_urls(ids: dict, site, person) -> list[str]:
    urls = [
        reverse(name, kwargs={"site_pk": site.pk} if name in SITE_FORMS else {})
        for name in DOOR_FORMS
    ]
    urls += [
        reverse(name, kwargs={k: ids[v] for k, v in args.items()})
        for name, (args, _) in OTHER_FORMS.items()
    ]
    urls += [
        reverse("attendance:person_edit", args=[person.pk]),
        reverse("reports:story_new"),
        reverse("reports:template_new"),
        reverse("reports:index"),
        reverse("privacy_notice"),
    ]
    return urls


def test_every_form_with_a_problem_starts_with_the_summary(
    fuzz_client,  # noqa: F811 (the fuzz tests' fixtures, imported above)
    objects,  # noqa: F811
    site,
    person,
):
    came_back = []
    for url in form_urls(objects, site, person):
        fuzz_client.get(url)  # an organisation's defaults are set up on first look
        for data in ({}, WRONG):
            response = fuzz_client.post(url, data)
            if response.status_code == 200 and check_summary(
                response.content.decode(), url
            ):
                came_back.append(url)
    # Not a test that can pass by finding nothing: most forms came back.
    for url in (
        reverse("attendance:register", args=[site.pk]),
        reverse("attendance:paper"),
        reverse("safeguarding:worry_new"),
        reverse("signposting:service_new"),
        reverse("team"),
    ):
        assert url in came_back
    assert len(set(came_back)) >= 15


def test_the_kiosk_forms_start_with_the_summary(client, kiosk):
    client.force_login(kiosk)
    for url, data in [
        (reverse("attendance:kiosk_returning"), {"name": " "}),
        (
            reverse("attendance:kiosk_new"),
            {
                "known_as": "Ama",
                "phone": "07700 900111",
                "contacts-TOTAL_FORMS": "0",
                "contacts-INITIAL_FORMS": "0",
            },
        ),
        (reverse("attendance:kiosk_log_out"), {"password": "no"}),
    ]:
        html = client.post(url, data).content.decode()
        assert check_summary(html, url)


def test_logging_in_wrongly_starts_with_the_summary(client, bob):
    html = client.post(
        reverse("login"), {"username": "bob", "password": "wrong"}
    ).content.decode()
    assert check_summary(html, "login")
    # A problem with the whole form goes to its first field.
    assert read(html).summary_links == ["#id_username"]


def test_the_summary_lists_each_problem_once_in_the_words_of_the_field(
    bob_client, site
):
    html = bob_client.post(
        reverse("attendance:register", args=[site.pk]),
        {
            "known_as": "Ama",
            "phone": "call me",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Blessing",
        },
    ).content.decode()
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary)
    assert [target for target, _ in links] == [
        "id_phone",
        "id_agrees",
        "id_contacts-0-phone",
    ]
    assert "doesn&#x27;t look like a phone number" in links[0][1]
    assert "please check she&#x27;s happy" in links[1][1]
    assert "we can&#x27;t call them in an emergency" in links[2][1]
    assert "Please check these 3 answers" in summary


def test_a_question_left_unanswered_is_named_in_the_summary(client, sally):
    """Beside the field, "This field is required." is clear; in the list at
    the top of the page it has to say which question."""
    html = (
        client_for(client, sally)
        .post(reverse("safeguarding:worry_new"), {"about_initials": "S.O."})
        .content.decode()
    )
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert "Please answer “What worries us”" in summary
    assert "This field is required." not in summary
    # Beside the field it still says what the field needs.
    assert "This field is required." in html[html.index("</ul>", start) :]
