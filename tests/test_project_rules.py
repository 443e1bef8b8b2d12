"""Small project rules: settings the code reads are declared, middleware is
named for what it does, and comments point at files that exist."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from peerspace.reports.forms import ReportTemplateForm
from peerspace.reports.models import ReportTemplate

ROOT = Path(__file__).resolve().parent.parent
APPS = ["attendance", "peerspace", "safeguarding", "signposting"]
SETTING_READ = re.compile(r"settings\.([A-Z][A-Z0-9_]+)")


def app_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, path.read_text()


def test_every_setting_the_code_reads_is_declared():
    read = {
        (name, str(path.relative_to(ROOT)))
        for path, text in app_sources()
        for name in SETTING_READ.findall(text)
        + re.findall(r"getattr\(settings, \"([A-Z0-9_]+)\"", text)
    }
    assert not [(n, p) for n, p in sorted(read) if not hasattr(settings, n)]


def test_the_report_threshold_setting_is_the_default_for_new_reports(org):
    assert settings.REPORT_SUPPRESSION_THRESHOLD == 5
    with override_settings(REPORT_SUPPRESSION_THRESHOLD=10):
        assert ReportTemplate(organisation=org).threshold == 10
        assert ReportTemplateForm(organisation=org)["threshold"].initial == 10


def test_privacy_headers_on_every_page_and_no_store_when_signed_in(client, bob):
    assert "peerspace.middleware.PrivacyHeadersMiddleware" in settings.MIDDLEWARE
    signed_out = client.get(reverse("login"))
    assert signed_out["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    client.force_login(bob)
    signed_in = client.get(reverse("attendance:people"))
    assert signed_in["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert "no-store" in signed_in["Cache-Control"]


@pytest.mark.parametrize("app", APPS)
def test_files_named_in_the_code_exist(app):
    """A module `app/x.py` naming `views/access.py` means `app/views/access.py`
    (or that path from the file's own folder or from the repository)."""
    missing = []
    for path, text in app_sources():
        if path.relative_to(ROOT).parts[0] != app:
            continue
        for named in re.findall(r"(?<![\w./])((?:\w+/)*\w+\.py)\b", text):
            places = (path.parent, ROOT / app, ROOT)
            if not any((place / named).exists() for place in places):
                missing.append((str(path.relative_to(ROOT)), named))
    assert not missing


def test_fonts_for_pdfs_are_truetype_not_woff():
    """WeasyPrint unpacks a WOFF or WOFF2 font again for every PDF it makes
    (seconds each, Arabic in it or not); TrueType it only reads."""
    fonts = []
    for css in sorted((ROOT / "static" / "css").glob("*.css")):
        for face in re.findall(r"@font-face\s*{[^}]*}", css.read_text()):
            for url in re.findall(r"url\(([^)]+)\)", face):
                fonts.append((css.name, url.strip("'\"")))
    assert fonts, "no vendored font found in static/css"
    assert [f for f in fonts if not f[1].endswith((".ttf", ".otf"))] == []
    for css, url in fonts:
        assert (ROOT / "static" / "css" / url).resolve().is_file(), (css, url)
