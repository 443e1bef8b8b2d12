"""The one WeasyPrint helper. WeasyPrint is imported lazily: it is slow to load.

Nothing a template or a person typed can make WeasyPrint read a local file or
call the network: the url_fetcher serves our own static files and data: URIs,
and refuses everything else.
"""

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

BASE_URL = "https://peerspace.invalid/"


class FetchRefused(ValueError):
    pass


def _shortened(value):
    if isinstance(value, str) and value.startswith("data:") and len(value) > 80:
        return f"{value[:40]}... ({len(value):,} characters)"
    return value


class ShortDataURIs(logging.Filter):
    """WeasyPrint logs the address of an image it couldn't load, and for a
    data: URI (a chart, a QR code) the address is the whole image: one log line
    of hundreds of kilobytes. Log its start and its length instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_shortened(a) for a in record.args)
        return True


logging.getLogger("weasyprint").addFilter(ShortDataURIs())


def _static_path(url: str) -> Path | None:
    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        return None
    relative = url[len(prefix) :].split("?")[0].split("#")[0]
    if not relative or ".." in relative.split("/"):
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    if candidate.resolve().is_relative_to(Path(settings.STATIC_ROOT).resolve()):
        return candidate if candidate.is_file() else None
    return None


def make_url_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise FetchRefused(f"PDF may not fetch {url[:80]!r}")
            mime_type, _ = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                url,
                body=path.read_bytes(),
                headers={"Content-Type": mime_type or "application/octet-stream"},
            )

    return StaticOnlyFetcher(allowed_protocols=["data", "https"])


def _html(html: str):
    import weasyprint

    return weasyprint.HTML(
        string=html, base_url=BASE_URL, url_fetcher=make_url_fetcher()
    )


def html_to_pdf(html: str) -> bytes:
    return _html(html).write_pdf()


def render_pdf(
    template_name: str, context: dict, request: HttpRequest | None = None
) -> bytes:
    context = {**context, "for_pdf": True}
    return html_to_pdf(render_to_string(template_name, context, request=request))


def render_document(
    template_name: str, context: dict, request: HttpRequest | None = None
):
    """The laid-out document, for a printable that must fit its pages: its
    `.pages` can be counted before `.write_pdf()` makes the file."""
    context = {**context, "for_pdf": True}
    return _html(render_to_string(template_name, context, request=request)).render()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """An attachment with a server-made filename (never from user text)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
