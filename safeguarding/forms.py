import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.forms import modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerspace.accounts.models import Organisation
from peerspace.fields import DateInput, ModelMultipleIdField, parse_id
from peerspace.permissions import TEAM

from .models import (
    CATEGORIES,
    Action,
    ReflectionSession,
    SafeguardingSettings,
    Worry,
    WorryReview,
)

TEXT_MAX = 5000
INITIALS_RE = re.compile(r"^[^\W\d_]{1,4}$")


def team_of(organisation_ids):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation_id__in=list(organisation_ids),
            memberships__role__in=TEAM,
        )
        .distinct()
        .order_by("first_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class UserMultipleChoiceField(ModelMultipleIdField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class FreeTextMixin:
    """Every free-text box: a sensible size, a limit, and no stray whitespace."""

    text_fields: tuple[str, ...] = ()

    def setup_text(self):
        for name in self.text_fields:
            if name in self.fields:
                field = self.fields[name]
                field.widget = forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX})
                field.max_length = TEXT_MAX
                field.validators.append(MaxLengthValidator(TEXT_MAX))


WORRY_TEXT = (
    "about_description",
    "what_worries_us",
    "whats_going_well",
    "circle_of_support",
    "her_wishes",
)


class WorryForm(FreeTextMixin, forms.ModelForm):
    text_fields = WORRY_TEXT
    categories = forms.MultipleChoiceField(
        label=_("What's going on in her life?"),
        choices=CATEGORIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick any that are part of it. These are only counted, never scored."
        ),
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), empty_label=None, required=False
    )

    class Meta:
        model = Worry
        fields = [
            "about_initials",
            "about_description",
            "what_worries_us",
            "whats_going_well",
            "circle_of_support",
            "her_wishes",
            "does_she_know",
            "serious_harm",
            "categories",
        ]
        widgets = {
            "does_she_know": forms.RadioSelect,
            "serious_harm": forms.RadioSelect(attrs={"class": "serious-harm"}),
        }
        help_texts = {
            "about_initials": _("Just her initials, for example S.O."),
            "whats_going_well": _("Her strengths, what she enjoys, what's helping."),
            "circle_of_support": _("Family, friends, neighbours, other groups."),
            "her_wishes": _("In her own words if you can."),
        }

    def __init__(self, *args, person=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.setup_text()
        self.fields["about_initials"].widget = forms.TextInput(
            attrs={"autocomplete": "off", "maxlength": 12}
        )
        if person is not None or self.instance.person_id:
            del self.fields["about_initials"]
            del self.fields["about_description"]
        if organisations is not None and len(organisations) > 1 and person is None:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=[o.pk for o in organisations]
            )
            self.fields["organisation"].required = True
        else:
            del self.fields["organisation"]

    def clean_about_initials(self):
        value = self.cleaned_data["about_initials"]
        letters = re.sub(r"[\s.]", "", value)
        if not letters:
            raise forms.ValidationError(
                _(
                    "Please give her initials, or raise the worry from her page if "
                    "she is registered."
                )
            )
        if not INITIALS_RE.match(letters):
            raise forms.ValidationError(
                _("Just her initials please (up to four letters), not her name.")
            )
        return ".".join(letters.upper()) + "."

    def clean(self):
        cleaned = super().clean()
        for name in WORRY_TEXT:
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip()
        return cleaned


class WorryStatusForm(FreeTextMixin, forms.ModelForm):
    text_fields = ("closed_reason",)

    class Meta:
        model = Worry
        fields = ["status", "closed_reason", "flagged_for_review"]
        widgets = {"status": forms.RadioSelect}
        help_texts = {"closed_reason": _("Needed when you close it.")}
        labels = {"status": _("Status")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_text()

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == Worry.CLOSED
            and not (cleaned.get("closed_reason") or "").strip()
        ):
            self.add_error("closed_reason", _("Please say why it is being closed."))
        if cleaned.get("status") != Worry.CLOSED:
            cleaned["closed_reason"] = ""
        return cleaned

    def save(self, commit=True):
        worry = self.instance
        worry.flagged_for_review = self.cleaned_data["flagged_for_review"]
        worry.set_status(
            self.cleaned_data["status"], self.cleaned_data["closed_reason"]
        )
        return worry


class SessionForm(FreeTextMixin, forms.ModelForm):
    """Plan or change a session. Partner groups are invited from the host's
    accepted partners only; a partner's members can be ticked as coming only
    once that group has said yes to this session."""

    text_fields = ("guests", "checkin", "notes")
    attendees = UserMultipleChoiceField(
        label=_("Who's coming"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ReflectionSession
        fields = ["date", "partners", "attendees", "guests", "checkin", "notes"]
        field_classes = {"partners": ModelMultipleIdField}
        widgets = {
            "date": DateInput(),
            "partners": forms.CheckboxSelectMultiple,
        }
        labels = {"date": _("Date"), "partners": _("Invite our partner groups")}
        help_texts = {
            "partners": _(
                "A group sees this session once one of its safeguarding members "
                "says yes. Then it sees only the worries each group chooses to "
                "bring, by initials."
            )
        }

    def __init__(self, *args, host, **kwargs):
        super().__init__(*args, **kwargs)
        self.host = host
        self.setup_text()
        self.fields["partners"].queryset = host.partners()
        self.offered = list(self.fields["partners"].queryset)
        joined = (
            {o.pk for o in self.instance.taking_part()} if self.instance.pk else set()
        )
        self.joined = [o for o in self.chosen_partners() if o.pk in joined]
        self.fields["attendees"].queryset = team_of(
            [host.pk, *(o.pk for o in self.joined)]
        )

    def chosen_partners(self) -> list:
        """The partner groups ticked: as posted (before saving, so their
        members can be shown while she plans), or as saved."""
        if self.is_bound:
            wanted = {
                parse_id(v) for v in self.data.getlist(self.add_prefix("partners"))
            }
        elif self.instance.pk:
            wanted = {o.pk for o in self.instance.partners.all()}
        else:
            wanted = set()
        return [o for o in self.offered if o.pk in wanted]

    def partners_waiting(self) -> list:
        """Groups ticked whose members can't be listed: they haven't said yes
        to this session (or it isn't saved yet, so they haven't been asked)."""
        return [o for o in self.chosen_partners() if o not in self.joined]

    def clean(self):
        cleaned = super().clean()
        allowed = {self.host.pk, *(o.pk for o in self.joined)}
        for user in cleaned.get("attendees") or []:
            if not user.memberships.filter(organisation_id__in=allowed).exists():
                self.add_error(
                    "attendees",
                    _("%(name)s isn't in this session's groups.")
                    % {"name": user.get_full_name() or user.username},
                )
        if self.instance.pk and "partners" in cleaned:
            # A group no longer a partner isn't offered, but stays on the
            # record of who was invited: the host keeps its records.
            offered = {o.pk for o in self.offered}
            cleaned["partners"] = [
                *cleaned["partners"],
                *(o for o in self.instance.partners.all() if o.pk not in offered),
            ]
        return cleaned


class JoinForm(forms.Form):
    """A partner group says yes to one session, and who of its own is coming."""

    attendees = UserMultipleChoiceField(
        label=_("Who from our group is coming"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = team_of([organisation.pk])


class ProposeForm(forms.Form):
    code = forms.CharField(
        label=_("Their partnership code"),
        required=False,
        max_length=40,
        help_text=_("Their safeguarding members find it on their Partner groups page."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )
    name = forms.CharField(
        label=_("Or their group's name, exactly as they write it"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            not (cleaned.get("code") or "").strip()
            and not (cleaned.get("name") or "").strip()
        ):
            raise forms.ValidationError(
                _("Please type their partnership code, or their group's name.")
            )
        return cleaned


class ReviewForm(FreeTextMixin, forms.ModelForm):
    text_fields = ("notes", "referral_to_other", "closed_reason")
    closed_reason = forms.CharField(label=_("Why it is closed"), required=False)
    flag_next_time = forms.BooleanField(
        label=_("Bring it back at the next session"), required=False
    )
    referred_by = UserChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Referred by"),
        empty_label=_("Choose someone"),
    )

    class Meta:
        model = WorryReview
        fields = [
            "notes",
            "decision",
            "referral_to",
            "referral_to_other",
            "referral_date",
            "referred_by",
            "reference",
            "status_after",
        ]
        widgets = {
            "decision": forms.RadioSelect,
            "status_after": forms.RadioSelect,
            "referral_date": DateInput(),
            "reference": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        labels = {"decision": _("Decision")}

    def __init__(self, *args, worry, **kwargs):
        super().__init__(*args, **kwargs)
        self.worry = worry
        self.setup_text()
        self.fields["referral_to_other"].widget = forms.TextInput()
        self.fields["decision"].required = True
        self.fields["decision"].choices = WorryReview.DECISIONS
        self.fields["status_after"].required = True
        self.fields["status_after"].choices = Worry.STATUSES
        self.fields["referral_to"].choices = [
            ("", _("Choose where")),
            *WorryReview.REFERRAL_TO,
        ]
        self.fields["referred_by"].queryset = team_of([worry.organisation_id])
        if not self.instance.pk:
            self.initial.setdefault("status_after", worry.status)
        # Through the field, which refuses a reason no key can read rather
        # than offer its placeholder to be saved as the reason.
        self.initial.setdefault(
            "closed_reason",
            Worry._meta.get_field("closed_reason").value_from_object(worry),
        )
        self.initial.setdefault("flag_next_time", False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == WorryReview.REFERRAL:
            if not cleaned.get("referral_to"):
                self.add_error("referral_to", _("Who was she referred to?"))
            if not cleaned.get("referral_date"):
                self.add_error("referral_date", _("When was the referral made?"))
            elif cleaned["referral_date"] > timezone.localdate():
                self.add_error("referral_date", _("That date is in the future."))
            if cleaned.get("referral_to") == "other" and not cleaned.get(
                "referral_to_other"
            ):
                self.add_error("referral_to_other", _("Please say who."))
        else:
            # Referral details belong to a referral only.
            for name in ("referral_to", "referral_to_other", "reference"):
                cleaned[name] = ""
            cleaned["referral_date"] = cleaned["referred_by"] = None
        if (
            cleaned.get("status_after") == Worry.CLOSED
            and not (cleaned.get("closed_reason") or "").strip()
        ):
            self.add_error("closed_reason", _("Please say why it is being closed."))
        return cleaned


class ActionForm(FreeTextMixin, forms.ModelForm):
    text_fields = ("what",)
    assigned_to = UserChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Who"),
        empty_label=_("Choose someone"),
    )

    class Meta:
        model = Action
        fields = ["what", "assigned_to", "who_else", "due"]
        widgets = {"due": DateInput()}

    def __init__(self, *args, organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_text()
        self.fields["what"].widget.attrs["rows"] = 2
        self.fields["what"].required = False
        self.fields["who_else"].widget = forms.TextInput()
        self.fields["assigned_to"].queryset = team_of([organisation_id])

    def clean(self):
        cleaned = super().clean()
        what = (cleaned.get("what") or "").strip()
        if not what and (
            cleaned.get("assigned_to") or cleaned.get("who_else") or cleaned.get("due")
        ):
            self.add_error("what", _("What is the action?"))
        if what and not (cleaned.get("assigned_to") or cleaned.get("who_else")):
            self.add_error("assigned_to", _("Who will do it?"))
        return cleaned


ActionFormSet = modelformset_factory(Action, form=ActionForm, extra=2, max_num=10)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SafeguardingSettings
        fields = ["contacts", "local_numbers"]
        widgets = {
            "contacts": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "local_numbers": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
        }
