"""Posters and the crisis card: the PDF's words, and its QR codes read back."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from signposting import qr
from signposting.models import Service

zxingcpp = pytest.importorskip("zxingcpp")
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdfimages"),
    reason="pdftotext and pdfimages (poppler-utils) are needed",
)


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Each page's text: pdftotext ends every page with a form feed."""
    (tmp_path / "out.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "out.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert text.endswith("\f")
    return text.split("\f")[:-1]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    # A long name may wrap onto two lines.
    return " ".join(" ".join(pdf_pages(pdf, tmp_path)).split())


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """Every QR code in the PDF, decoded from the images embedded in it."""
    (tmp_path / "out.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdfimages", "-png", str(tmp_path / "out.pdf"), str(tmp_path / "img")],
        check=True,
    )
    found = []
    for path in sorted(tmp_path.glob("img-*.png")):
        image = Image.open(path).convert("L")
        # Stored at one pixel a module: enlarge it as the printer would.
        image = image.resize((image.width * 8, image.height * 8), Image.NEAREST)
        found += [r.text for r in zxingcpp.read_barcodes(image)]
    return found


def test_tel_payloads_use_the_international_form():
    assert qr.tel_payload("0808 157 0101") == "tel:+448081570101"
    assert qr.tel_payload("+44 1632 960107") == "tel:+441632960107"


@needs_poppler
def test_a_category_poster_has_its_services_and_working_qr_codes(
    bob_client, services, tmp_path
):
    response = bob_client.get(reverse("signposting:poster", args=["money-and-debt"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="poster-money-and-debt.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "Money and debt" in text
    assert "Clear Money Debt Advice" in text and "0808 157 0103" in text
    assert "Zoë's Money Café" in text and "01632 960107" in text
    assert "Lantern Line" not in text
    codes = qr_codes(response.content, tmp_path)
    assert sorted(codes) == sorted(
        [
            "https://clearmoney.example.org/",
            "tel:+448081570103",
            "tel:+441632960107",
        ]
    )


@needs_poppler
def test_a_poster_links_to_the_public_page_when_it_is_on(
    bob_client, services, published, tmp_path
):
    response = bob_client.get(reverse("signposting:poster", args=["food"]))
    codes = qr_codes(response.content, tmp_path)
    assert "http://testserver/signposting/public/mended/" in codes
    assert "See every service on your own phone" in pdf_text(response.content, tmp_path)


@needs_poppler
def test_the_crisis_card_lists_crisis_numbers(bob_client, services, tmp_path):
    response = bob_client.get(reverse("signposting:crisis_card"))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "If you need help now" in text
    assert "Lantern Line" in text and "0808 157 0101" in text
    assert "Clear Money" not in text
    assert qr_codes(response.content, tmp_path) == ["tel:+448081570101"]


def test_printables_page_lists_a_poster_for_each_category(bob_client, categories):
    response = bob_client.get(reverse("signposting:printables"))
    assert response.status_code == 200
    assert reverse("signposting:poster", args=["housing"]) in response.content.decode()


def test_another_organisations_poster_is_not_found(client, charlie, categories):
    client.force_login(charlie)
    url = reverse("signposting:poster", args=["housing"])
    assert client.get(url).status_code == 404


def test_posters_are_only_fetched(bob_client, categories):
    url = reverse("signposting:poster", args=["housing"])
    assert bob_client.post(url).status_code == 405
    assert bob_client.post(reverse("signposting:crisis_card")).status_code == 405


def test_the_kiosk_cannot_print_posters(client, kiosk, categories):
    client.force_login(kiosk)
    url = reverse("signposting:poster", args=["housing"])
    assert client.get(url).status_code == 403


def test_the_poster_stays_at_a_few_queries(
    bob_client, services, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        bob_client.get(reverse("signposting:poster", args=["money-and-debt"]))


def crisis_services(org, n: int) -> list[tuple[str, str]]:
    """n crisis services from the demo directory's list (names long and short,
    times or none), made distinct; one in seven has no number."""
    from signposting.demo import SERVICES

    made = []
    for i in range(n):
        name, _, _, _, phone, _, times = SERVICES[i % len(SERVICES)]
        if i >= len(SERVICES):
            name = f"{name} (branch {i // len(SERVICES) + 1})"
        phone = "" if i % 7 == 6 else phone
        Service.objects.create(
            organisation=org,
            name=name,
            phone=phone,
            opening_times=times,
            is_emergency=True,
        )
        made.append((name, phone))
    return made


@needs_poppler
@pytest.mark.parametrize("n", [1, 10, 60])
def test_the_crisis_card_is_one_card_however_many_services(
    bob_client, org, published, tmp_path, n
):
    made = crisis_services(org, n)
    response = bob_client.get(reverse("signposting:crisis_card"))
    assert response.status_code == 200
    pages = pdf_pages(response.content, tmp_path)
    assert len(pages) == 1
    flat = " ".join(pages[0].split())
    assert "If you need help now" in flat and "From Mended Together." in flat
    shown = [
        (name, phone)
        for name, phone in made
        if re.search(re.escape(name) + r"(?! \(branch)", flat)
    ]
    for name, phone in shown:
        assert phone in flat, name
    more = re.search(r"And (\d+) more crisis services? not on this card", flat)
    if n <= 10:
        assert len(shown) == n and more is None
    else:
        # As many as fit, those with a number first, and how many more.
        assert more and len(shown) + int(more.group(1)) == n, (len(shown), more)
        assert len(shown) >= 20
        assert all(phone for _, phone in shown)
        url = "http://testserver/signposting/public/mended/"
        assert "see them all at " + url in flat.replace("/ ", "/")
    if n == 1:
        assert qr_codes(response.content, tmp_path) == [qr.tel_payload(made[0][1])]
