from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from peerspace import drafts, permissions


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, plus: a form posted after the session ended is not lost."""

    def handle_no_permission(self, request, view_func):
        if request.method != "POST":
            return super().handle_no_permission(request, view_func)
        drafts.stash(request)
        # After signing in, go back to the page the form was on: a POST-only
        # endpoint would answer a GET with 405.
        referer = request.headers.get("Referer", "")
        if referer and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}
        ):
            next_path = urlsplit(referer).path
        else:
            next_path = "/"
        return redirect_to_login(next_path, self.get_login_url(view_func))


def kiosk_allowed(view):
    """Mark a view the kiosk tablet may open."""
    view.kiosk_allowed = True
    return view


class KioskLockdownMiddleware:
    """The kiosk login reaches only kiosk pages (and logging out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "kiosk_allowed", False):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None
        if permissions.is_kiosk_only(request.user):
            raise PermissionDenied
        return None


class NoStoreMiddleware:
    """A shared tablet's back button must not show the last person's details."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
