"""Staff pages outside safeguarding and reports that are translated: the
erase-confirm page and the Open Referral import's errors (tests/pseudo.py:
every translated string is ⟦ţŕàñšƒöŕɱéđ⟧ in the pseudo-language)."""

import html

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attendance.models import Person
from tests.pseudo import TRANSLATED, untranslated, untranslated_text


def test_every_word_on_the_erase_confirm_page_is_translated(
    alice_client, pseudo_language, person
):
    url = reverse("attendance:erase", args=[person.pk])
    page = alice_client.get(url, HTTP_ACCEPT_LANGUAGE=pseudo_language)
    assert page.status_code == 200
    assert untranslated(page.content.decode()) == []


def test_erasing_asks_for_the_word_in_the_pages_language(
    alice_client, pseudo_language, person
):
    url = reverse("attendance:erase", args=[person.pk])
    page = alice_client.post(
        url, {"confirm": "nope"}, HTTP_ACCEPT_LANGUAGE=pseudo_language, follow=True
    ).content.decode()
    assert untranslated(page) == []
    assert Person.objects.filter(pk=person.pk, known_as=person.known_as).exists()
    word = "⟦éŕàšé⟧"
    assert word in page
    alice_client.post(url, {"confirm": word}, HTTP_ACCEPT_LANGUAGE=pseudo_language)
    assert not Person.objects.filter(pk=person.pk, known_as=person.known_as).exists()


def _import_error(client, language: str, content: bytes, name: str) -> str:
    response = client.post(
        reverse("signposting:import_hsds"),
        {"file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    return html.unescape(response.content.decode())


def test_an_open_referral_import_error_is_translated(alice_client, pseudo_language):
    for content, name in (
        (b"[" * 200, "deep.json"),  # the file can't be read
        (b'[{"name": "Tea and Memories"}]', "services.json"),  # a record is wrong
        (b'[{"id": "x", "minimum_age": ' + b"9" * 5000 + b"}]", "big.json"),
    ):
        page = _import_error(alice_client, pseudo_language, content, name)
        assert untranslated(page) == [], name
    # The same errors in English, as before.
    page = _import_error(alice_client, "en", b"[" * 200, "deep.json")
    assert "That file is nested more than 24 levels deep" in page


def test_the_plain_text_check_finds_english_too(db):
    assert untranslated_text("⟦Ƥàĝé 1 öƒ 2⟧\nPage 1 of 2") == ["Page 1 of 2"]
    assert TRANSLATED.search("⟦x⟧")
