import datetime as dt
import os
import shutil
import subprocess

import pytest
from django.utils import timezone

# The quarter the known dataset is built around (April to June 2025).
START = dt.date(2025, 4, 1)
END = dt.date(2025, 6, 30)

# Distinctive enough that finding any of them in a PDF can only be a leak.
FIRST_NAMES = [
    "Zephyrine",
    "Quillonette",
    "Marigoldia",
    "Brunhildea",
    "Octaviana",
    "Perpetuella",
    "Seraphinette",
    "Wilhelmiona",
    "Ysoldabelle",
    "Gwendolyth",
]
SURNAMES = ["Quartermaine", "Fothergillian", "Ravenscroftley", "Abernethyque"]
SECRET_NOTE = "Xylophonist allergic to tangerines"
SECRET_ADDRESS = "17 Periwinkle Crescent"
WORRY_TEXT = "Landlord Thistlewaite keeps calling round"
STORY_SECRET = "Unshared story about Ottoline's kitchen"


def pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        if os.environ.get("PEERSPACE_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext is missing: apt-get install poppler-utils")
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)
