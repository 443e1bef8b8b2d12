"""Small facts about a request that every app's views ask."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_htmx(request: HttpRequest) -> bool:
    """Sent by htmx, which wants a fragment rather than a whole page."""
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go after a form: the posted (or linked) `next` if it is one of
    our own pages, so a crafted link can't send her to another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
