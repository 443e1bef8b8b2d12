import base64
import logging

import pytest
from django.urls import reverse

from attendance.models import Person, Session, Visit
from tests.helpers import pdf_text


def test_fire_register_lists_everyone_here_with_contacts(
    bob_client, org, site, person, tmp_path
):
    session = Session.objects.today(site)
    Visit.objects.sign_in(person, session)
    left = Person.objects.create(organisation=org, known_as="Gone Home")
    Visit.objects.sign_in(left, session)[0].sign_out()
    Visit.objects.bulk_create([Visit(session=session) for _ in range(3)])
    response = bob_client.get(reverse("attendance:fire_register", args=[site.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="fire-register-'
    )
    text = pdf_text(response.content, tmp_path)
    assert "Fire register: Wigan" in text
    assert "Sam (Samantha O'Brien)" in text
    assert "Jo (sister) 07700 900999" in text
    assert "3 unnamed visitors" in text
    assert "4 people signed in" in text
    assert "Gone Home" not in text


def test_the_fire_register_reads_the_building_afresh_not_the_doors_kept_list(
    bob_client, site, person, tmp_path
):
    """The door keeps its list for each version; a write that somehow didn't
    move the version on must still be on the paper the fire marshal holds."""
    session = Session.objects.today(site)
    Visit.objects.sign_in(person, session)
    bob_client.get(reverse("attendance:today", args=[site.pk]))
    # Written without moving the door's version on (bulk_create saves none).
    Visit.objects.bulk_create([Visit(session=session) for _ in range(2)])
    response = bob_client.get(reverse("attendance:fire_register", args=[site.pk]))
    text = pdf_text(response.content, tmp_path)
    assert "2 unnamed visitors" in text
    assert "3 people signed in" in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://peerspace.invalid/static/../../etc/passwd",
        "https://example.org/static/css/pdf.css",
    ],
)
def test_pdf_fetcher_refuses_anything_but_our_static_files(url):
    from peerspace.pdf import make_url_fetcher

    with pytest.raises(ValueError):
        make_url_fetcher().fetch(url)


def test_pdf_fetcher_serves_our_static_files():
    from peerspace.pdf import make_url_fetcher

    response = make_url_fetcher().fetch("https://peerspace.invalid/static/css/pdf.css")
    assert b"@page" in response.read()


def test_a_note_pointing_at_local_files_still_renders_and_reads_nothing(tmp_path):
    from peerspace.pdf import html_to_pdf

    html = (
        '<img src="file:///etc/passwd"><img src="http://169.254.169.254/latest">'
        '<link rel="stylesheet" href="file:///etc/passwd"><p>Still renders</p>'
    )
    text = pdf_text(html_to_pdf(html), tmp_path)
    assert "Still renders" in text
    assert "root:" not in text


def test_an_image_that_fails_to_load_logs_a_short_line(tmp_path, caplog):
    from peerspace.pdf import html_to_pdf

    # A chart or QR code that came out broken: 150 KB of data: URI.
    broken = "data:image/png;base64," + base64.b64encode(b"\x00" * 110_000).decode()
    with caplog.at_level(logging.WARNING):
        text = pdf_text(
            html_to_pdf(f'<img src="{broken}"><p>Still renders</p>'), tmp_path
        )
    assert "Still renders" in text
    (record,) = [r for r in caplog.records if "Failed to load image" in r.getMessage()]
    assert len(record.getMessage()) < 300
    assert f"{len(broken):,} characters" in record.getMessage()
