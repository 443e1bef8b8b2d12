import base64

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


def two_factor_exempt(view):
    """Pages a signed-in user may open before the second step."""
    view.two_factor_exempt = True
    return view


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return settings.LOGIN_REDIRECT_URL


def _confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@two_factor_exempt
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from her app, or a recovery code."""
    if request.user.is_verified():
        return redirect(_next(request))
    if not _confirmed_totp(request.user):
        return redirect(f"{request.path}setup/?next={_next(request)}")
    error = ""
    if request.method == "POST":
        token = "".join(request.POST.get("otp_token", "").split())[:16]
        device = django_otp.match_token(request.user, token) if token else None
        if device is not None:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code: {left} left. Set up your app "
                    "again if you've lost your phone.",
                )
            return redirect(_next(request))
        error = "That code didn't work. Codes change every 30 seconds and work once."
    return render(
        request, "accounts/verify.html", {"error": error, "next": _next(request)}
    )


@two_factor_exempt
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up an authenticator app, then show recovery codes once."""
    if _confirmed_totp(request.user) and not request.user.is_verified():
        return redirect("two_factor")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    error = ""
    if request.method == "POST":
        token = "".join(request.POST.get("otp_token", "").split())[:16]
        if token and device.verify_token(token):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
                device.confirmed = True
                device.save()
                StaticDevice.objects.filter(user=request.user).delete()
                static = StaticDevice.objects.create(
                    user=request.user, name="Recovery codes"
                )
                codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
                for code in codes:
                    static.token_set.create(token=code)
            django_otp.login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        error = "That code didn't match. Check the time on your phone is right and try again."
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/setup.html",
        {"qr": qr, "secret": secret, "error": error, "next": _next(request)},
    )
