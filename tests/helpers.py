"""Small helpers shared by tests in several folders."""

import os
import re
import shutil
import subprocess

import pytest


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text as pdftotext reads it (poppler-utils; CI installs it)."""
    if not shutil.which("pdftotext"):
        if os.environ.get("PEERSPACE_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext is missing: apt-get install poppler-utils")
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    path = tmp_path / "read-back.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def without_tokens(html: str) -> str:
    """CSRF tokens are masked afresh on every response."""
    return re.sub(r'(CSRFToken": "|name="csrfmiddlewaretoken" value=")\w+', "", html)
