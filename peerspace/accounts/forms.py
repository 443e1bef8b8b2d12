from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from peerspace import i18n

from .models import MAIN_LANGUAGE, Membership, Site

TEAM_ROLES = [r for r in Membership.ROLES if r[0] != Membership.KIOSK]


class MemberForm(forms.Form):
    username = forms.CharField(
        label=_("Login name"),
        max_length=150,
        help_text=_("What they'll type to log in."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("For resetting a forgotten password."),
    )
    roles = forms.MultipleChoiceField(
        choices=TEAM_ROLES, widget=forms.CheckboxSelectMultiple, label=_("What they do")
    )
    password = forms.CharField(
        label=_("First password"),
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
        help_text=_("At least 10 characters; they can change it later."),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("That login name is taken. Please choose another.")
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
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), empty_label=None, label=_("Site")
    )
    username = forms.CharField(
        label=_("Login name for the tablet"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(
        label=_("Password for the tablet"),
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
        label=_("How we use people's information"),
        max_length=5000,
        error_messages={
            "required": _("Please write how you use people's information.")
        },
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Shown to everyone when they first sign in, in plain words. Changing it "
            "makes a new version; earlier versions are kept."
        ),
    )


class DataUseTranslationForm(forms.Form):
    """The statement in one other language, typed in that language's direction."""

    text = forms.CharField(
        max_length=5000,
        error_messages={"required": _("Please write the words in this language.")},
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.label = _("How we use people's information, in %(language)s") % {
            "language": i18n.language_name(language)
        }
        field.widget.attrs.update(
            lang=language, dir="rtl" if i18n.is_rtl(language) else "ltr"
        )


class MyLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Show my pages in"), required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("The same as my browser")),
            *i18n.choosable_languages(),
        ]


class OrganisationLanguagesForm(forms.Form):
    """Which languages the kiosk and the first-visit form offer."""

    languages = forms.MultipleChoiceField(
        label=_("Languages we offer besides English"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The kiosk lets each woman choose one of these, and a facilitator can "
            "show the first-visit form in it."
        ),
    )
    default_language = forms.ChoiceField(
        label=_("The kiosk starts in"),
        help_text=_("It goes back to this language after each person."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        available = i18n.languages_with_catalogue()
        self.fields["languages"].choices = [
            (c, n) for c, n in available if c != MAIN_LANGUAGE
        ]
        self.fields["default_language"].choices = available

    def clean(self):
        cleaned = super().clean()
        default = cleaned.get("default_language")
        if (
            default
            and default != MAIN_LANGUAGE
            and default not in cleaned.get("languages", [])
        ):
            self.add_error(
                "default_language",
                _("Please tick this language above too, or start in English."),
            )
        return cleaned


class CodeForm(forms.Form):
    """A code from her authenticator app (or a recovery code)."""

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=40,
        error_messages={"required": _("Please type the code.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "class": "form-control-lg",
            }
        ),
    )

    def __init__(self, *args, label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["otp_token"].label = label

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split())[:16]
