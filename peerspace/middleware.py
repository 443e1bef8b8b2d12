import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.urls import get_resolver
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from peerspace import crypto, drafts, http, i18n, permissions

logger = logging.getLogger(__name__)


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, plus: a form posted just after the session limits signed
    someone out is not lost (see drafts)."""

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


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation, docs/deploy.md),
    for pages and data only: PDFs, spreadsheets, zips and images are
    compressed already, and compressing them again costs the server time and
    saves nothing."""

    TEXT = (
        "text/",
        "application/json",
        "application/javascript",
        "application/xml",
        "application/manifest+json",
        "image/svg+xml",
    )

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.TEXT):
            return response
        return super().process_response(request, response)


class UserLanguageMiddleware:
    """Pages in her own choice of language (Profile.language, put in her
    session when she signs in; the kiosk's for the woman using it), over her
    browser's, which LocaleMiddleware has already chosen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.session.get(i18n.LANGUAGE_SESSION_KEY)
        if code and i18n.is_available(code):
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)


class UnreadableRecordMiddleware:
    """A single record with a note no key can read refuses with a clear page.

    Pages of many records show a placeholder instead (see EncryptedTextField);
    a form or export of one record stops rather than show or save less than
    is there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (crypto.DecryptionError, crypto.WrongKeys)):
            return None
        logger.error("Refused %s %s: %s", request.method, request.path, exception)
        return render(request, "unreadable.html", status=500)


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


class PrivacyHeadersMiddleware:
    """Headers that keep a shared device private.

    Signed-in pages are never stored, so a tablet's back button can't show the
    last person's details; and no page may use the camera, microphone or
    location (settings.PERMISSIONS_POLICY).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NotFoundPageMiddleware:
    """Our own "We can't find that page" with DEBUG on too.

    Django's debug 404 lists every URL of the app to whoever asks, the kiosk
    included, and `make run` has DEBUG on. Without DEBUG, handler404 already
    shows our page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view matched the address: the debug page is the one with the list.
        if settings.DEBUG and response.status_code == 404:
            if getattr(request, "resolver_match", None) is None:
                return self.page(request, None)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return self.page(request, exception)
        return None

    @staticmethod
    def page(request, exception):
        return get_resolver().resolve_error_handler(404)(request, exception)


class SessionLimitsMiddleware:
    """Shared tablets: sign out after SESSION_IDLE_SECONDS without use, and
    SESSION_MAX_SECONDS after signing in, whatever happens in between."""

    # Touch the session at most this often, not on every request.
    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault("started_at", now)
            seen = request.session.get("seen_at", now)
            kiosk = permissions.is_kiosk_only(request.user)
            # The kiosk tablet waits at the door all day: no idle limit for it.
            idle_limit = (
                settings.SESSION_COOKIE_AGE if kiosk else settings.SESSION_IDLE_SECONDS
            )
            if now - seen > idle_limit or now - started > settings.SESSION_COOKIE_AGE:
                if not kiosk:
                    # Her form may be kept for her (the kiosk's is for nobody:
                    # whoever comes to the tablet next mustn't see it back).
                    request.draft_user_id = request.user.pk
                auth_logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out to keep people's details safe. "
                        "Please sign in again."
                    ),
                )
                # Now anonymous: LoginRequiredMiddleware keeps any form she was
                # posting (see drafts) and sends her to the login page.
            elif "seen_at" not in request.session or (
                # The door's own refresh every few seconds isn't someone
                # using it: an unattended screen still times out.
                now - seen >= self.RESOLUTION and not http.is_background(request)
            ):
                request.session["seen_at"] = now
        return self.get_response(request)


FIRST_PASSWORD = "first_password"


def first_password_allowed(view):
    """A page she may open while her password is still the one she was given."""
    view.first_password_allowed = True
    return view


class FirstPasswordMiddleware:
    """Someone signed in with a password another person chose for her chooses
    her own before anything else, two-factor set-up included. The flag is put
    in her session when she signs in (accounts.views.note_first_password)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not request.session.get(FIRST_PASSWORD):
            return None
        if getattr(view_func, "first_password_allowed", False):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None
        return redirect_to_login(request.get_full_path(), "choose_password")


class TwoFactorMiddleware:
    """Coordinators and safeguarding members verify a second factor first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if getattr(view_func, "two_factor_exempt", False):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None
        if not permissions.roles(user) & set(settings.TWO_FACTOR_ROLES):
            return None
        return redirect_to_login(request.get_full_path(), "two_factor")
