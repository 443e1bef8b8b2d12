from django import forms
from django.contrib.auth import get_user_model, password_validation

from .models import Membership, Site

TEAM_ROLES = [r for r in Membership.ROLES if r[0] != Membership.KIOSK]


class MemberForm(forms.Form):
    username = forms.CharField(
        label="Login name",
        max_length=150,
        help_text="What they'll type to log in.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(
        label="Email", required=False, help_text="For resetting a forgotten password."
    )
    roles = forms.MultipleChoiceField(
        choices=TEAM_ROLES, widget=forms.CheckboxSelectMultiple, label="What they do"
    )
    password = forms.CharField(
        label="First password",
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
        help_text="At least 10 characters; they can change it later.",
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                "That login name is taken. Please choose another."
            )
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            user = get_user_model()(
                username=cleaned.get("username") or self.data.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(cleaned["password"], user)
            except forms.ValidationError as e:
                self.add_error("password", e)
        return cleaned


class KioskForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label=None)
    username = forms.CharField(
        label="Login name for the tablet",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(
        label="Password for the tablet",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(
            organisation=organisation, is_active=True
        )

    clean_username = MemberForm.clean_username

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class DataUseStatementForm(forms.Form):
    text = forms.CharField(
        label="How we use people's information",
        max_length=5000,
        error_messages={"required": "Please write how you use people's information."},
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "Shown to everyone when they first sign in, in plain words. Changing it "
            "makes a new version; earlier versions are kept."
        ),
    )


class CodeForm(forms.Form):
    """A code from her authenticator app (or a recovery code)."""

    otp_token = forms.CharField(
        label="Code",
        max_length=40,
        error_messages={"required": "Please type the code."},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "class": "form-control-lg",
            }
        ),
    )

    def __init__(self, *args, label: str = "Code", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = label

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split())[:16]
