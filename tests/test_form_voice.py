"""One voice per form: the kiosk speaks to her ("you"), the door's forms about
her ("her"). Read from what each form shows: labels, legends, help and the
messages it gives back, hidden text for screen readers included."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

YOU = re.compile(r"\b(you|your|you're|you'd|yourself)\b", re.IGNORECASE)
HER = re.compile(r"\b(she|her|she's|she'd|herself)\b", re.IGNORECASE)


class FormWords(HTMLParser):
    """The words a person meets in the page's <form class="person-form">:
    labels, legends, help texts and error messages, hidden ones too, but not
    the organisation's own statement of how it uses information."""

    SPOKEN = {"label", "legend", "p", "div", "strong", "span", "li", "a", "button"}

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.skip = 0
        self.stack: list[str] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "person-form" in (attrs.get("class") or ""):
            self.in_form = True
        if tag in ("template", "script"):
            self.skip += 1
        if "data-use-statement" in (attrs.get("class") or ""):
            self.skip += 1
            self.stack.append("skip:" + tag)
            return
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        if tag in ("template", "script"):
            self.skip -= 1
        while self.stack:
            top = self.stack.pop()
            if top == "skip:" + tag:
                self.skip -= 1
                break
            if top == tag:
                break

    def handle_data(self, data):
        if self.in_form and not self.skip and data.strip():
            self.words.append(" ".join(data.split()))


def form_words(html: str) -> list[str]:
    parser = FormWords()
    parser.feed(html)
    assert parser.words, "no person form on the page"
    return parser.words


CONTACTS = {
    "contacts-TOTAL_FORMS": "1",
    "contacts-INITIAL_FORMS": "0",
    "contacts-MIN_NUM_FORMS": "0",
    "contacts-MAX_NUM_FORMS": "5",
}
# Every message the form can give: no name, a detail without her agreement,
# a half-filled contact, a bad phone and postcode, a kiosk word that's a date.
MISTAKES = {
    **CONTACTS,
    "known_as": " ",
    "full_name": "Aisha Khan",
    "phone": "call me",
    "postcode": "nowhere",
    "contacts-0-name": "Blessing",
    "kiosk_word": "12/03/1985",
}


def test_the_kiosk_speaks_to_her(client, kiosk):
    client.force_login(kiosk)
    url = reverse("attendance:kiosk_new")
    for html in (
        client.get(url).content.decode(),
        client.post(url, MISTAKES).content.decode(),
    ):
        words = form_words(html)
        about_her = [w for w in words if HER.search(w)]
        assert not about_her
        assert any(YOU.search(w) for w in words)
    assert "More about her" not in html
    assert "A bit more about you" in html


@pytest.mark.parametrize("page", ["register", "edit"])
def test_the_door_speaks_about_her(bob_client, site, person, page):
    url = (
        reverse("attendance:register", args=[site.pk])
        if page == "register"
        else reverse("attendance:person_edit", args=[person.pk])
    )
    for html in (
        bob_client.get(url).content.decode(),
        bob_client.post(url, MISTAKES).content.decode(),
    ):
        words = form_words(html)
        # "You" here is only ever the facilitator being told what to do next
        # ("leave it blank if you're not sure"): never a question to her.
        to_her = [w for w in words if YOU.search(w) and not w.startswith("That ")]
        assert not to_her
        assert any(HER.search(w) for w in words)
    assert "What would she like us to call her?" in html
    assert "Who are they to her?" in html
