"""The translations we ship: each keeps its English's placeholders and
markup, has its language's plural forms, says it needs a fluent speaker's
review, and covers everything the kiosk and the first-visit form say to her."""

import gettext
import re
from collections import Counter

import pytest
from django.utils import translation

from attendance import forms
from attendance.models import AGE_BANDS, HEARD_ABOUT_US, Person
from peerspace.i18n import locale_dir, po_files, read_catalogue

SHIPPED = ["cy", "pl", "ro", "ur", "ar"]
# %(name)s, %s, {name}, and HTML tags: a translation must keep each of them.
KEPT = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>")
PLURALS = {"cy": 4, "pl": 3, "ro": 3, "ur": 2, "ar": 6}


def shipped_catalogues():
    return [p for p in po_files() if p.parts[-3] in SHIPPED]


@pytest.mark.parametrize(
    "path", shipped_catalogues(), ids=lambda p: "/".join(p.parts[-3:])
)
def test_every_translation_keeps_its_placeholders_and_markup(path):
    problems = []
    for message in read_catalogue(path):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        wanted = Counter(KEPT.findall(ids[-1]))
        for string in strings:
            if string and Counter(KEPT.findall(string)) != wanted:
                problems.append((ids[0], string))
    assert problems == []


def test_the_check_catches_a_lost_placeholder():
    wanted = Counter(KEPT.findall('Welcome to %(site)s <span class="x">'))
    assert Counter(KEPT.findall('Croeso i %(safle)s <span class="x">')) != wanted


@pytest.mark.parametrize("code", SHIPPED)
def test_each_language_has_its_plural_forms_and_asks_for_review(code):
    for domain in ("django", "djangojs"):
        path = locale_dir() / code / "LC_MESSAGES" / f"{domain}.po"
        catalog = read_catalogue(path)
        assert catalog.num_plurals == PLURALS[code]
        text = path.read_text(encoding="utf-8")
        assert "NEEDS REVIEW" in text.split("msgid")[0]
        assert any("fluent speaker" in value for _, value in catalog.mime_headers)


def test_polish_plurals_pick_the_right_form():
    catalog = read_catalogue(locale_dir() / "pl" / "LC_MESSAGES" / "django.po")
    plural = gettext.c2py(catalog.plural_expr)
    assert [plural(n) for n in (1, 2, 4, 5, 12, 22, 25, 112)] == [
        0,
        1,
        1,
        2,
        2,
        1,
        2,
        2,
    ]


def her_words():
    """Everything the kiosk and the first-visit form, shown to her, say."""
    words = [w for w in forms.TO_HER.values() if w]
    words += [Person._meta.get_field(f).verbose_name for f in forms.PERSON_DETAILS]
    words += [label for _, label in AGE_BANDS + HEARD_ABOUT_US]
    words += [
        forms.KioskNameForm.base_fields["name"].label,
        forms.KioskNameForm.base_fields["word"].label,
        forms.KioskNameForm.base_fields["word"].help_text,
        *forms.KioskContactForm.Meta.labels.values(),
        *forms.KioskContactForm.Meta.help_texts.values(),
    ]
    return words


@pytest.mark.parametrize("code", SHIPPED)
def test_everything_said_to_her_is_translated(code):
    with translation.override("en-gb"):
        english = {str(w) for w in her_words()}
    with translation.override(code):
        untranslated = sorted(str(w) for w in her_words() if str(w) in english)
    # Names of things that are the same in the language.
    same = {"Facebook", "E-mail", "Telefon"}
    assert [w for w in untranslated if w not in same] == []


@pytest.mark.parametrize("code", SHIPPED)
def test_the_kiosk_pages_are_translated(code):
    catalog = read_catalogue(locale_dir() / code / "LC_MESSAGES" / "django.po")
    kiosk_files = ("kiosk", "_person_form.html", "peerspace/text.py")
    missing = [
        m.id
        for m in catalog
        if m.id
        and any(k in path for path, _ in m.locations for k in kiosk_files)
        and not m.string
    ]
    assert missing == []
