"""Her rights in her language: the organisation writes its privacy statement
in each language it offers, the first-visit form shows it in the form's
language (or says honestly that it's in English), her agreement records the
language and version she read, and her subject access export can be made in
her language, Arabic script included."""

import json
import re
import shutil
import subprocess
import unicodedata

import pytest
from django.urls import reverse

from attendance.models import Person, Session, Visit
from peerspace.accounts.models import AuditEvent, DataUseStatementVersion
from peerspace.i18n import pseudo_translate
from tests.helpers import pdf_text

POLISH = "Zapisujemy tylko to, co nam powiesz. Możesz poprosić o usunięcie."
ARABIC = "نحتفظ فقط بما تخبريننا به. يمكنك أن تطلبي حذفه في أي وقت."
NEW_ENGLISH = "We keep your name so we can say hello. Ask us to remove it any time."


def translate(client, language, text):
    return client.post(
        reverse("privacy_notice_translation", args=[language]), {"text": text}
    )


def test_the_coordinator_writes_the_statement_in_another_language(alice_client, org):
    response = translate(alice_client, "pl", POLISH)
    assert response.status_code == 302
    version = DataUseStatementVersion.objects.get(organisation=org, language="pl")
    assert (version.version, version.text) == (1, POLISH)
    org.refresh_from_db()
    assert org.data_use_version == 1  # a first translation is of this version
    org.languages = ["pl"]
    org.save()
    page = alice_client.get(reverse("privacy_notice")).content.decode()
    assert "written for version 1" in page


def test_changing_a_translation_keeps_the_words_she_may_have_agreed_to(
    alice_client, org
):
    translate(alice_client, "pl", POLISH)
    translate(alice_client, "ar", ARABIC)
    translate(alice_client, "pl", POLISH + " Dziękujemy.")
    org.refresh_from_db()
    assert org.data_use_version == 2
    words = {
        (v.version, v.language): v.text
        for v in DataUseStatementVersion.objects.filter(organisation=org)
    }
    assert words[(1, "pl")] == POLISH  # as it was
    assert words[(2, "pl")] == POLISH + " Dziękujemy."
    assert words[(2, "ar")] == ARABIC  # carried over, unchanged
    assert words[(1, "en-gb")] == words[(2, "en-gb")] == org.data_use_statement


def test_saving_the_same_translation_changes_nothing(alice_client, org):
    translate(alice_client, "pl", POLISH)
    translate(alice_client, "pl", POLISH + "\r\n")
    org.refresh_from_db()
    assert org.data_use_version == 1
    assert DataUseStatementVersion.objects.filter(language="pl").count() == 1


def test_new_english_words_leave_translations_behind(alice_client, org):
    translate(alice_client, "pl", POLISH)
    alice_client.post(reverse("privacy_notice"), {"text": NEW_ENGLISH})
    org.refresh_from_db()
    shown = org.data_use_statement_in("pl")
    assert (shown.version, shown.language, shown.text) == (2, "en-gb", NEW_ENGLISH)


def test_only_coordinators_write_translations_and_only_of_real_languages(
    client, bob, alice, org
):
    client.force_login(bob)
    assert translate(client, "pl", POLISH).status_code == 403
    client.force_login(alice)
    assert translate(client, "xx", POLISH).status_code == 404
    assert translate(client, "en-gb", POLISH).status_code == 404
    assert not DataUseStatementVersion.objects.filter(text=POLISH).exists()


def test_a_coordinator_chooses_the_languages_her_kiosk_offers(alice_client, org):
    url = reverse("organisation_languages")
    response = alice_client.post(
        url, {"languages": ["pl", "ur"], "default_language": "ur"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (sorted(org.languages), org.default_language) == (["pl", "ur"], "ur")
    assert [c for c, _ in org.offered_languages()] == ["en-gb", "pl", "ur"]
    refused = alice_client.post(url, {"languages": ["pl"], "default_language": "ar"})
    assert refused.status_code == 200
    assert "Please tick this language above too" in refused.content.decode()
    unknown = alice_client.post(url, {"languages": ["xx"], "default_language": "en-gb"})
    assert unknown.status_code == 200
    org.refresh_from_db()
    assert org.default_language == "ur"


def test_languages_page_is_for_coordinators_only(bob_client):
    assert bob_client.get(reverse("organisation_languages")).status_code == 403


def register_page(client, site, language):
    return client.get(
        reverse("attendance:register", args=[site.pk]), HTTP_ACCEPT_LANGUAGE=language
    )


def register(client, site, language, **extra):
    page = register_page(client, site, language).content.decode()
    token = re.search(r'name="registration_token" value="([^"]+)"', page)[1]
    shown = re.search(r'name="data_use_shown" value="([^"]*)"', page)[1]
    data = {
        "known_as": "Agnieszka",
        "phone": "07700 900123",
        "agrees": "on",
        "registration_token": token,
        "data_use_shown": shown,
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        **extra,
    }
    response = client.post(
        reverse("attendance:register", args=[site.pk]),
        data,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Person.objects.get(known_as=data["known_as"])


def test_the_form_shows_her_statement_in_her_language_and_records_it(
    bob_client, org, site
):
    org.translate_data_use_statement("pl", POLISH)
    page = register_page(bob_client, site, "pl").content.decode()
    assert f'lang="pl" dir="ltr">{POLISH}</p>' in page
    assert "We haven't written this" not in page
    person = register(bob_client, site, "pl")
    assert (person.data_use_version, person.data_use_language) == (1, "pl")
    assert person.agreed_statement().text == POLISH


def test_without_her_language_the_form_says_honestly_it_is_english(
    bob_client, org, site
):
    page = register_page(bob_client, site, "ur").content.decode()
    # Said in Urdu: the message is translated, the statement isn't yet.
    assert "ہم نے ابھی یہ اردو میں نہیں لکھا، اس لیے یہ انگریزی میں ہے۔" in page
    assert 'lang="en-gb" dir="ltr">We keep what you tell us' in page
    person = register(bob_client, site, "ur")
    assert (person.data_use_version, person.data_use_language) == (1, "en-gb")


def test_her_agreement_records_the_words_she_read_even_if_they_changed_since(
    bob_client, org, site
):
    org.translate_data_use_statement("pl", POLISH)
    page = register_page(bob_client, site, "pl").content.decode()
    # Changed while she was filling it in.
    org.translate_data_use_statement("pl", POLISH + " Nowe.")
    shown = re.search(r'name="data_use_shown" value="([^"]*)"', page)[1]
    assert shown == "1:pl"
    person = register(bob_client, site, "pl", data_use_shown=shown)
    assert (person.data_use_version, person.data_use_language) == (1, "pl")
    made_up = register(bob_client, site, "pl", known_as="Magda", data_use_shown="99:pl")
    assert (made_up.data_use_version, made_up.data_use_language) == (2, "pl")


def test_her_page_says_which_language_she_read_it_in(alice_client, org, site):
    translate(alice_client, "pl", POLISH)
    person = Person.objects.create(organisation=org, known_as="Ola")
    person.record_agreement(org.data_use_statement_in("pl"))
    person.save()
    page = alice_client.get(reverse("attendance:person", args=[person.pk]))
    text = page.content.decode()
    assert "(version 1, in Polski)" in text
    assert f'lang="pl" dir="ltr">{POLISH}</p>' in text
    assert '<option value="pl" lang="pl" selected>Polski</option>' in text


def test_her_export_comes_in_her_language(
    alice_client, org, site, person, pseudo_language
):
    translate(alice_client, "pl", POLISH)
    Visit.objects.sign_in(person, Session.objects.today(site))
    url = reverse("attendance:subject_access", args=[person.pk, "json"])
    polish = json.loads(alice_client.get(url, {"language": "pl"}).content)
    assert polish["language"] == "pl"
    assert polish["data_use_statement_current"] == POLISH
    assert polish["data_use_statement_current_language"] == "pl"
    pseudo = json.loads(alice_client.get(url, {"language": pseudo_language}).content)
    assert pseudo["visits"][0]["how"] == pseudo_translate("Signed in at the door")
    english = json.loads(alice_client.get(url).content)
    assert english["language"] == "en-gb"
    assert english["visits"][0]["how"] == "Signed in at the door"
    details = [e.detail for e in AuditEvent.objects.order_by("at", "id")]
    assert details[0] == f"person #{person.pk} as json in pl"
    assert details[-1] == f"person #{person.pk} as json"


def test_an_unknown_export_language_is_english(alice_client, person):
    url = reverse("attendance:subject_access", args=[person.pk, "json"])
    data = json.loads(alice_client.get(url, {"language": "xx"}).content)
    assert data["language"] == "en-gb"


def _words_with_boxes(pdf: bytes, tmp_path) -> list[tuple[float, float, str]]:
    path = tmp_path / "boxes.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True
    ).stdout
    return [
        (float(x0), float(x1), word)
        for x0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)',
            html,
        )
    ]


def test_her_export_in_arabic_script_reads_back_right_to_left(
    alice_client, org, tmp_path
):
    translate(alice_client, "ar", ARABIC)
    person = Person.objects.create(organisation=org, known_as="فاطمة الزهراء")
    person.record_agreement(org.data_use_statement_in("ar"))
    person.save()
    url = reverse("attendance:subject_access", args=[person.pk, "pdf"])
    pdf = alice_client.get(url, {"language": "ar"}).content
    text = pdf_text(pdf, tmp_path)
    # pdftotext breaks lines its own way and marks the direction of each run
    # (invisible formatting characters): compare the letters.
    flat = "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) != "Cf"
    )
    assert "".join(ARABIC.split()) in flat
    assert "فاطمةالزهراء" in flat
    # Drawn from the font that ships with Peerspace, not boxes.
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True)
    assert "Peerspace-Arabic" in fonts.stdout
    # Right to left: the heading (its first seven words) ends at the
    # right-hand margin and starts well in from the left; in English, the
    # other way round.
    heading = _words_with_boxes(pdf, tmp_path)[:7]
    assert max(x1 for _, x1, _ in heading) > 540, heading
    assert min(x0 for x0, _, _ in heading) > 60, heading
    english = _words_with_boxes(alice_client.get(url).content, tmp_path)[:7]
    assert min(x0 for x0, _, _ in english) < 50, english


@pytest.fixture(autouse=True)
def _poppler():
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils not installed")
