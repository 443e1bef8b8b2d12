import base64

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from peerspace.http import safe_next
from peerspace.middleware import FIRST_PASSWORD, first_password_allowed
from peerspace.permissions import (
    COORDINATOR,
    org_url,
    organisation_for,
    role_required,
)

from .forms import CodeForm, DataUseStatementForm, KioskForm, MemberForm, SiteForm
from .models import AuthenticatorApp, FirstPassword, Membership, RecoveryCodes, Site


def two_factor_exempt(view):
    """Pages a signed-in user may open before the second step."""
    view.two_factor_exempt = True
    return view


def _next(request) -> str:
    return safe_next(request, settings.LOGIN_REDIRECT_URL)


def _confirmed_totp(user):
    return AuthenticatorApp.objects.filter(user=user, confirmed=True).first()


@two_factor_exempt
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from her app, or a recovery code."""
    if request.user.is_verified():
        return redirect(_next(request))
    if not _confirmed_totp(request.user):
        return redirect(f"{request.path}setup/?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            django_otp.login(request, device)
            if isinstance(device, RecoveryCodes):
                left = device.codes.count()
                messages.warning(
                    request,
                    f"You used a recovery code: {left} left. Set up your app "
                    "again if you've lost your phone.",
                )
            return redirect(_next(request))
        form.add_error(
            "otp_token",
            "That code didn't work. Codes change every 30 seconds and work once.",
        )
    return render(
        request, "accounts/verify.html", {"form": form, "next": _next(request)}
    )


@two_factor_exempt
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up an authenticator app, then show recovery codes once."""
    if _confirmed_totp(request.user) and not request.user.is_verified():
        return redirect("two_factor")
    device, _ = AuthenticatorApp.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = CodeForm(request.POST or None, label="Code from the app")
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            with transaction.atomic():
                AuthenticatorApp.objects.filter(
                    user=request.user, confirmed=True
                ).delete()
                device.confirmed = True
                device.save()
                codes = RecoveryCodes.replace_for(request.user)
            django_otp.login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error(
            "otp_token",
            "That code didn't match. Check the time on your phone is right and "
            "try again.",
        )
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/setup.html",
        {"qr": qr, "secret": secret, "form": form, "next": _next(request)},
    )


# Her own password: the one she was given works once.


def note_first_password(sender, request, user, **kwargs):
    """On signing in (user_logged_in, connected in apps.py): is her password
    still one someone else chose? Kept in the session so pages needn't ask."""
    if FirstPassword.objects.filter(user=user).exists():
        request.session[FIRST_PASSWORD] = True


class ChoosePasswordForm(SetPasswordForm):
    def clean_new_password1(self):
        password = self.cleaned_data["new_password1"]
        if self.user.check_password(password):
            raise forms.ValidationError(
                "That's the password you were given. Please choose one of your own."
            )
        return password


@first_password_allowed
@two_factor_exempt
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def choose_password(request):
    """Her first sign-in: she replaces the password she was given with her own."""
    if not request.session.get(FIRST_PASSWORD):
        return redirect(_next(request))
    form = ChoosePasswordForm(
        request.user, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            FirstPassword.objects.filter(user=user).delete()
        update_session_auth_hash(request, user)
        del request.session[FIRST_PASSWORD]
        messages.success(request, "Thank you. That's your password now.")
        return redirect(_next(request))
    return render(
        request, "accounts/choose_password.html", {"form": form, "next": _next(request)}
    )


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """A password she set from a reset link is her own."""

    def form_valid(self, form):
        FirstPassword.objects.filter(user=form.user).delete()
        return super().form_valid(form)


# The team: the coordinator adds logins, gives roles, and looks after sites.


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def team(request):
    organisation = organisation_for(request, COORDINATOR)
    member_form = MemberForm(request.POST if "add_member" in request.POST else None)
    kiosk_form = KioskForm(
        request.POST if "add_kiosk" in request.POST else None, organisation=organisation
    )
    if request.method == "POST":
        form = member_form if "add_member" in request.POST else kiosk_form
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=data["username"],
                    password=data["password"],
                    first_name=data.get("first_name", ""),
                    last_name=data.get("last_name", ""),
                    email=data.get("email", ""),
                )
                if form is member_form:
                    FirstPassword.objects.create(user=user, set_by=request.user)
                    for role in data["roles"]:
                        Membership.objects.create(
                            user=user, organisation=organisation, role=role
                        )
                else:
                    Membership.objects.create(
                        user=user,
                        organisation=organisation,
                        role=Membership.KIOSK,
                        site=data["site"],
                    )
            messages.success(request, f"Added {user.username}.")
            return redirect(org_url("team", organisation))
    members = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "site")
        .order_by("user__username", "role")
    )
    people: dict = {}
    for m in members:
        people.setdefault(m.user, []).append(m)
    return render(
        request,
        "accounts/team.html",
        {
            "organisation": organisation,
            "people": people,
            "member_form": member_form,
            "kiosk_form": kiosk_form,
            "sites": organisation.sites.all(),
            "site_form": SiteForm(),
        },
    )


@require_POST
@role_required(COORDINATOR)
def remove_member(request, user_pk: int):
    organisation = organisation_for(request, COORDINATOR)
    # distinct(): someone with two roles here has two memberships to join.
    user = get_object_or_404(
        get_user_model().objects.distinct(),
        pk=user_pk,
        memberships__organisation=organisation,
    )
    if user == request.user:
        messages.error(request, "You can't remove yourself. Ask another coordinator.")
        return redirect(org_url("team", organisation))
    with transaction.atomic():
        Membership.objects.filter(user=user, organisation=organisation).delete()
        if not user.memberships.exists():
            # No organisation left: the login stops working (and is kept for history).
            user.is_active = False
            user.save(update_fields=["is_active"])
    messages.success(request, f"{user.username} is no longer on the team.")
    return redirect(org_url("team", organisation))


@require_POST
@role_required(COORDINATOR)
def site_add(request):
    organisation = organisation_for(request, COORDINATOR)
    form = SiteForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["name"].strip()
        if organisation.sites.filter(name__iexact=name).exists():
            messages.error(request, f"There's already a site called {name}.")
        else:
            Site.objects.create(
                organisation=organisation,
                name=name,
                address=form.cleaned_data["address"],
            )
            messages.success(request, f"Added the {name} site.")
    else:
        messages.error(request, "Please give the site a name.")
    return redirect(org_url("team", organisation))


@require_POST
@role_required(COORDINATOR)
def site_toggle(request, pk: int):
    organisation = organisation_for(request, COORDINATOR)
    site = get_object_or_404(Site, pk=pk, organisation=organisation)
    site.is_active = not site.is_active
    site.save(update_fields=["is_active"])
    state = "open again" if site.is_active else "closed (its records are kept)"
    messages.success(request, f"{site.name} is {state}.")
    return redirect(org_url("team", organisation))


@require_http_methods(["GET", "POST"])
@role_required(COORDINATOR)
def privacy_notice(request):
    """The words each woman agrees to: a new version whenever they change."""
    organisation = organisation_for(request, COORDINATOR)
    form = DataUseStatementForm(
        request.POST or None, initial={"text": organisation.data_use_statement}
    )
    if request.method == "POST" and form.is_valid():
        if organisation.update_data_use_statement(form.cleaned_data["text"]):
            messages.success(
                request,
                f"Saved as version {organisation.data_use_version}, in use from "
                "today. The earlier words are kept.",
            )
        else:
            messages.info(
                request,
                f"Nothing changed, so it's still version {organisation.data_use_version}.",
            )
        return redirect(org_url("privacy_notice", organisation))
    return render(
        request,
        "accounts/privacy_notice.html",
        {
            "organisation": organisation,
            "form": form,
            "earlier": organisation.data_use_versions.filter(
                version__lt=organisation.data_use_version
            ),
        },
    )
