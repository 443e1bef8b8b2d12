"""Small facts about a request that every app's views ask, and how a refused
request is logged."""

import logging

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_htmx(request: HttpRequest) -> bool:
    """Sent by htmx, which wants a fragment rather than a whole page."""
    return request.headers.get("HX-Request") == "true"


# Sent by a page's own timer (the door's refresh), not by a person using it.
BACKGROUND_HEADER = "X-Peerspace-Background"


def is_background(request: HttpRequest) -> bool:
    """Made by the page by itself: not a sign that someone is using it, so it
    doesn't keep a signed-in session from timing out."""
    return request.headers.get(BACKGROUND_HEADER) == "1"


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go after a form: the posted (or linked) `next` if it is one of
    our own pages, so a crafted link can't send her to another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class ForbiddenInOneLine(logging.Filter):
    """A 403 is ordinary (a role asking for a page it may not see): one line
    in the log, "Forbidden (Permission denied): /path", not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
