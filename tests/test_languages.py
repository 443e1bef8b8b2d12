"""Languages: the catalogues are current and compile, pages follow her choice
or her browser, right-to-left languages lay out right to left, the JavaScript
gets its words, and dates and numbers are British unless a language says."""

import datetime as dt
import gettext
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, translation

from peerspace import i18n
from peerspace.accounts.models import Profile
from tests.helpers import settings_from_env

ROOT = Path(__file__).resolve().parent.parent
# Where the strings are: every app, the project's templates and JavaScript.
SOURCES = ["attendance", "peerspace", "safeguarding", "signposting", "templates"]
SOURCES += ["static"]


def _need_xgettext():
    if not shutil.which("xgettext"):
        message = "GNU gettext not installed: apt-get install gettext"
        if os.environ.get("PEERSPACE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def msgids(path: Path) -> set:
    return {(m.id, m.context) for m in i18n.read_catalogue(path) if m.id}


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_the_english_catalogue_is_current(settings, tmp_path, monkeypatch, domain):
    """A string added to the code without `make messages`, or one the code no
    longer has, fails here: the catalogue translators work from is complete."""
    _need_xgettext()
    # The code as it is, beside a locale folder of its own: makemessages
    # writes to the locale folder nearest the files it reads.
    for name in SOURCES:
        (tmp_path / name).symlink_to(ROOT / name)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages", locale=["en"], domain=domain, symlinks=True, verbosity=0
    )
    fresh = msgids(tmp_path / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po")
    committed = msgids(ROOT / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po")
    assert fresh - committed == set(), "missing: run make messages"
    assert committed - fresh == set(), "no longer used: run make messages"


def test_every_language_has_a_catalogue_with_the_same_strings():
    english = {
        d: msgids(ROOT / "locale" / "en" / "LC_MESSAGES" / f"{d}.po")
        for d in i18n.DOMAINS
    }
    for code, _name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        for domain in i18n.DOMAINS:
            path = i18n.locale_dir() / translation.to_locale(code) / "LC_MESSAGES"
            assert msgids(path / f"{domain}.po") == english[domain], (code, domain)


def test_every_catalogue_compiles_in_python(tmp_path):
    """What `make compilemessages` does, with no GNU gettext: each .mo built
    from its .po and readable by gettext."""
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    built = i18n.compile_catalogues(tmp_path / "locale", force=True)
    assert len(built) == 2 * len(
        [c for c, _ in settings.LANGUAGES if c != settings.PSEUDO_LANGUAGE[0]]
    )
    for mo in built:
        with mo.open("rb") as f:
            gettext.GNUTranslations(f)


def test_a_translation_that_would_break_a_page_is_refused(tmp_path):
    po = tmp_path / "pl" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "#, python-format\n"
        'msgid "Added %(name)s."\nmsgstr "Dodano %(imie)s."\n',
        encoding="utf-8",
    )
    with pytest.raises(i18n.CatalogueError, match="Added"):
        i18n.compile_catalogues(tmp_path, force=True)
    assert not po.with_suffix(".mo").exists()


def test_pages_follow_the_browser(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="pl,en;q=0.5")
    assert page["Content-Language"] == "pl"
    assert '<html lang="pl" dir="ltr">' in page.content.decode()
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<html lang="en-gb" dir="ltr">' in english.content.decode()


def test_her_own_choice_beats_the_browser_on_any_device(client, bob):
    Profile.objects.create(user=bob, language="cy")
    client.force_login(bob)  # signing in puts her choice in the session
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="pl", follow=True)
    assert '<html lang="cy"' in page.content.decode()


def test_she_chooses_her_language_and_can_go_back_to_her_browsers(client, bob):
    client.force_login(bob)
    response = client.post(reverse("my_language"), {"language": "ur"})
    assert response.status_code == 302
    assert Profile.objects.get(user=bob).language == "ur"
    page = client.get(reverse("my_language"), HTTP_ACCEPT_LANGUAGE="pl")
    assert '<html lang="ur" dir="rtl">' in page.content.decode()
    client.post(reverse("my_language"), {"language": ""})
    assert Profile.objects.get(user=bob).language == ""
    page = client.get(reverse("my_language"), HTTP_ACCEPT_LANGUAGE="pl")
    assert '<html lang="pl"' in page.content.decode()


def test_a_language_that_isnt_offered_is_refused(client, bob):
    client.force_login(bob)
    response = client.post(reverse("my_language"), {"language": "xx"})
    assert response.status_code == 200
    assert not Profile.objects.filter(user=bob, language="xx").exists()


def test_right_to_left_languages_get_bootstrap_rtl(client):
    for code, rtl in (("ar", True), ("ur", True), ("cy", False)):
        html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=code).content.decode()
        assert (f'<html lang="{code}" dir="rtl">' in html) is rtl
        assert ("bootstrap.rtl.min.css" in html) is rtl
        assert ("bootstrap.min.css" in html) is not rtl


def test_our_stylesheets_use_logical_sides():
    """Right to left flips start and end; left and right stay put. (The PDF
    stylesheets are for WeasyPrint, which has no logical properties, and
    choose by dir="rtl" themselves.)"""
    physical = re.compile(r"(margin|padding|border)-(left|right)|\b(left|right):")
    for name in ("app.css", "safeguarding.css"):
        css = (ROOT / "static" / "css" / name).read_text()
        assert not physical.search(css), name
    screen = (
        (ROOT / "static" / "css" / "signposting.css").read_text().split("/* PDF")[0]
    )
    assert not physical.search(screen)


def test_the_javascript_gets_its_words_from_a_script_of_their_own(
    client, pseudo_language
):
    html = client.get(reverse("login")).content.decode()
    catalogue = reverse("javascript_catalog")
    # Deferred: it mustn't hold up Bootstrap and htmx, which a tap may need
    # at once; our scripts look words up when they show them.
    assert f'<script src="{catalogue}" defer></script>' in html
    assert "<script>" not in html  # nothing inline: the CSP forbids it
    response = client.get(catalogue, HTTP_ACCEPT_LANGUAGE=pseudo_language)
    assert response["Content-Type"].startswith("text/javascript")
    expected = i18n.pseudo_translate("Sorry, that didn't work. Please try again.")
    assert json.dumps(expected) in response.content.decode()


def test_the_javascript_marks_its_words_for_translation():
    app = (ROOT / "static" / "js" / "app.js").read_text()
    alerts = re.findall(r"window\.alert\((.*?)\);", app)
    assert alerts and all(a.startswith("gettext(") for a in alerts)


def test_a_group_adds_a_language_of_its_own(monkeypatch):
    made = settings_from_env(monkeypatch, EXTRA_LANGUAGES="so:Soomaali, ps:پښتو:rtl")
    assert ("so", "Soomaali") in made["LANGUAGES"]
    assert ("ps", "پښتو") in made["LANGUAGES"]
    assert "ps" in made["LANGUAGES_BIDI"] and "so" not in made["LANGUAGES_BIDI"]
    with pytest.raises(ImproperlyConfigured, match="code:Name"):
        settings_from_env(monkeypatch, EXTRA_LANGUAGES="so")


def test_the_pseudo_language_is_only_for_developing(monkeypatch):
    pseudo = settings.PSEUDO_LANGUAGE
    assert pseudo not in settings_from_env(monkeypatch, DEBUG="0")["LANGUAGES"]
    assert pseudo in settings_from_env(monkeypatch, DEBUG="1")["LANGUAGES"]


def test_a_deploy_check_says_when_translations_need_compiling(settings, tmp_path):
    from peerspace.apps import translations_compiled

    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    for mo in (tmp_path / "locale").rglob("*.mo"):
        mo.unlink()
    assert [w.id for w in translations_compiled(None)] == ["peerspace.W003"]
    i18n.compile_catalogues(tmp_path / "locale")
    assert translations_compiled(None) == []
    # A .po saved again with the same strings (make messages) is newer than
    # its .mo; compiling it makes the same bytes, and it's up to date again.
    mo = next((tmp_path / "locale").rglob("django.mo"))
    earlier = mo.with_suffix(".po").stat().st_mtime - 10
    os.utime(mo, (earlier, earlier))
    assert translations_compiled(None) != []
    i18n.compile_catalogues(tmp_path / "locale")
    assert translations_compiled(None) == []


@pytest.mark.parametrize(
    "code,long,short",
    [
        ("en-gb", "6 January 2025", "06/01/2025"),
        ("cy", "6 Ionawr 2025", "06/01/2025"),
        ("pl", "6 stycznia 2025", "06-01-2025"),
        ("ur", "6 جنوری 2025", "06/01/2025"),
    ],
)
def test_dates_are_british_in_english_and_her_own_in_her_language(code, long, short):
    day = dt.date(2025, 1, 6)
    with translation.override(code):
        assert formats.date_format(day) == long
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == short


def test_numbers_follow_the_language():
    with translation.override("en-gb"):
        assert formats.number_format(1234.5, 1, force_grouping=True) == "1,234.5"
    with translation.override("pl"):
        assert formats.number_format(1234.5, 1, force_grouping=True) == "1\xa0234,5"


def test_a_date_typed_the_british_way_is_read_the_british_way():
    from django import forms

    field = forms.DateField()
    with translation.override("en-gb"):
        assert field.clean("06/01/2025") == dt.date(2025, 1, 6)
    with translation.override("ur"):
        assert field.clean("06/01/2025") == dt.date(2025, 1, 6)


def test_a_new_languages_catalogue_gets_its_plural_forms_and_asks_for_review(
    tmp_path,
):
    from peerspace.management.commands.makemessages import fill_new_headers

    po = tmp_path / "so" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: \\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n\n'
        'msgid "Hello! Come in."\nmsgstr "Soo dhawoow! Soo gal."\n',
        encoding="utf-8",
    )
    assert fill_new_headers(tmp_path) == [po]
    text = po.read_text(encoding="utf-8")
    assert text.startswith("# NEEDS REVIEW")
    assert '"Language: so\\n"' in text
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in text
    assert i18n.compile_catalogues(tmp_path)  # it compiles now
    assert fill_new_headers(tmp_path) == []  # and is left alone after
