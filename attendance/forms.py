from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from peerspace.accounts.models import Site, is_main_language
from peerspace.fields import DateInput, TokenField
from peerspace.forms import keep_as_typed
from peerspace.text import clean_phone, clean_postcode, fold, looks_like_a_date

from .models import (
    AGREEMENT_DETAILS,
    CONTACT_DETAILS,
    PERSON_DETAILS,
    Activity,
    EmergencyContact,
    OfflineEntry,
    Person,
    Visit,
)

NOTE_MAX = 5000


# The door's forms speak about her; the kiosk's speak to her. Each form takes
# every word it says from one of these, so a form never changes voice.
_EITHER = {
    "word_short": _("Please make it at least 4 letters or numbers."),
    "word_date": _("Please choose something that isn't a date: others may know it."),
}
ABOUT_HER = {
    **_EITHER,
    "known_as": _("What would she like us to call her?"),
    "known_as_missing": _("Please tell us what she'd like to be called."),
    "full_name_help": _("Only if she'd like to give it."),
    "leave_blank": _("Leave anything blank that she'd rather not share."),
    "contacts": _("Who should we call in an emergency?"),
    "contact_how": _("How is it OK to contact her?"),
    "who_to_her": _("Who are they to her?"),
    "more": _("A bit more about her"),
    "heard_about_us": _("How did she hear about us?"),
    "anything_to_know": _("Anything she feels we need to know"),
    "data_use": _("How we use her information"),
    "agrees": _("She's happy with how we use her information (read above)"),
    "kiosk_word_legend": _("Signing herself in at the kiosk"),
    "kiosk_word": _("Her kiosk word (optional)"),
    "kiosk_word_help": _(
        "Let her type it herself: a word or number she'll remember that others "
        "don't know, not her birthday. With it she can sign herself in at the "
        "kiosk. It's kept scrambled, so no one can read it back."
    ),
    "kiosk_word_set": _("She has a kiosk word: type a new one to change it."),
    "forget_kiosk_word": _("Forget her kiosk word"),
    "word_name": _("Please choose something other than her name."),
    "known_as_help": _("The only thing we need. A first name or nickname is fine."),
    "anything_to_know_help": _(
        "Anything she'd like us to know to look after her well: things "
        "she finds hard, access needs, allergies. Kept locked (encrypted) "
        "and only seen by our team."
    ),
    "agree_missing": _(
        "Before we keep more than her name, please check she's happy with how we "
        "use her information (shown above). Or clear the other details and save "
        "just her name."
    ),
}
# Anything the kiosk doesn't ask is blank rather than in the door's voice.
TO_HER = {
    **dict.fromkeys(ABOUT_HER, ""),
    **_EITHER,
    "known_as": _("What would you like us to call you?"),
    "known_as_missing": _("Please tell us what you'd like to be called."),
    "full_name_help": _("Only if you'd like to."),
    "leave_blank": _("Leave anything blank you'd rather not share."),
    "contacts": _("Who should we call if you're unwell or hurt?"),
    "contact_how": _("How is it OK to contact you?"),
    "who_to_her": _("Who are they to you?"),
    "more": _("A bit more about you"),
    "data_use": _("How we use your information"),
    "agrees": _("Yes, I'm happy with how my information is used"),
    "kiosk_word_legend": _("Signing in next time"),
    "kiosk_word": _("A word or number for signing in next time (optional)"),
    "kiosk_word_help": _(
        "Something you'll remember that others don't know: not your birthday. "
        "Next time, type it under your name and you're signed in straight away. "
        "We keep it scrambled, so no one can read it."
    ),
    "word_name": _("Please choose something other than your name."),
    "known_as_help": _("A first name or nickname is fine."),
    # Not asked at the kiosk, but at the door when the form is shown to her
    # in her language.
    "heard_about_us": _("How did you hear about us?"),
    "anything_to_know": _("Anything you feel we need to know"),
    "anything_to_know_help": _(
        "Anything you'd like us to know to look after you well: things you "
        "find hard, access needs, allergies. Kept locked (encrypted) and only "
        "seen by our team."
    ),
    "kiosk_word_set": _("You have a word already: type a new one to change it."),
    "forget_kiosk_word": _("Forget my word"),
    "agree_missing": _(
        "Please tick the box to say you're happy with how we use your "
        "information, or just give us your name."
    ),
}


def clean_kiosk_word(word: str, names: list[str], words: dict) -> str:
    """A kiosk word she chose, or a ValidationError in the form's voice."""
    word = word.strip()
    if not word:
        return ""
    if len(fold(word).replace(" ", "")) < 4:
        raise forms.ValidationError(words["word_short"])
    if looks_like_a_date(word):
        raise forms.ValidationError(words["word_date"])
    name_words = {w for name in names for w in fold(name).split()}
    if fold(word) in name_words | {fold(n) for n in names}:
        raise forms.ValidationError(words["word_name"])
    return word


class PersonForm(forms.ModelForm):
    WORDS = ABOUT_HER
    agrees = forms.BooleanField(required=False)
    registration_token = TokenField()
    # Which words about how we use her information the form showed her
    # ("version:language"), so her agreement records what she read.
    data_use_shown = forms.CharField(widget=forms.HiddenInput, required=False)
    kiosk_word = forms.CharField(
        required=False,
        max_length=100,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    forget_kiosk_word = forms.BooleanField(required=False)

    class Meta:
        model = Person
        fields = PERSON_DETAILS
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "anything_to_know": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    # Her emergency contacts are asked on the same page, and are details too.
    with_contacts = True

    def __init__(self, *args, organisation=None, words=None, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation or self.instance.organisation
        # The door's form shown to her in her language speaks to her.
        self.words = words or self.WORDS
        self.contacts = (
            (KioskContactFormSet if self.words is TO_HER else ContactFormSet)(
                self.data if self.is_bound else None,
                instance=self.instance,
                prefix="contacts",
            )
            if self.with_contacts
            else None
        )
        self._speak()
        if "anything_to_know" in self.fields:
            self.fields["anything_to_know"].widget.attrs["maxlength"] = NOTE_MAX
        for name in ("age_band", "heard_about_us"):
            if name in self.fields:
                choices = list(self.fields[name].choices)[1:]
                self.fields[name].choices = [("", _("Rather not say")), *choices]
        if self.instance.pk and self.instance.data_use_agreed_at:
            self.fields["agrees"].initial = True
        # The statement in the language the form is shown in, or in English
        # (and the form says so) until the organisation has written it there.
        self.language = language = language or get_language()
        self.statement = self.organisation.data_use_statement_in(language)
        self.statement_in_english = (
            not is_main_language(language) and self.statement.language != language
        )
        self.fields[
            "data_use_shown"
        ].initial = f"{self.statement.version}:{self.statement.language}"

    def show_as_typed(self) -> "PersonForm":
        """Shown again as typed and unchecked, now in another language (the
        door's "show it in her language"): nothing she typed is lost, her
        kiosk word included, and the statement is the one in that language."""
        keep_as_typed(self)
        if self.contacts is not None:
            for form in self.contacts.forms:
                keep_as_typed(form)
            self.contacts._errors = []
            self.contacts._non_form_errors = self.contacts.error_class()
        self.data = self.data.copy()
        shown = self.fields["data_use_shown"].initial
        self.data[self.add_prefix("data_use_shown")] = shown
        self.fields["kiosk_word"].widget.render_value = True
        return self

    def _speak(self) -> None:
        """Every label, help text and message in this form's one voice."""
        words = self.words
        for name in ("known_as", "heard_about_us", "anything_to_know", "agrees"):
            if name in self.fields:
                self.fields[name].label = words[name]
        self.fields["known_as"].error_messages["required"] = words["known_as_missing"]
        self.fields["known_as"].help_text = words["known_as_help"]
        if "anything_to_know" in self.fields:
            self.fields["anything_to_know"].help_text = words["anything_to_know_help"]
        if "full_name" in self.fields:
            self.fields["full_name"].help_text = words["full_name_help"]
        word = self.fields["kiosk_word"]
        word.label, word.help_text = words["kiosk_word"], words["kiosk_word_help"]
        if self.instance.kiosk_word:
            word.help_text = format_lazy(
                "{} {}", words["kiosk_word_help"], words["kiosk_word_set"]
            )
            self.fields["forget_kiosk_word"].label = words["forget_kiosk_word"]
        else:
            del self.fields["forget_kiosk_word"]

    def clean_known_as(self):
        value = " ".join(self.cleaned_data["known_as"].split())
        if not value:
            raise forms.ValidationError(self.words["known_as_missing"])
        return value

    def clean_kiosk_word(self):
        names = [
            self.data.get(self.add_prefix(f), "") for f in ("known_as", "full_name")
        ]
        return clean_kiosk_word(self.cleaned_data["kiosk_word"], names, self.words)

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data["postcode"])

    def clean_anything_to_know(self):
        value = self.cleaned_data["anything_to_know"].strip()
        if len(value) > NOTE_MAX:
            raise forms.ValidationError(
                _(
                    "Please keep this under %(most)s characters (it has "
                    "%(count)s). Nothing has been lost: shorten it and save again."
                )
                % {
                    "most": number_format(NOTE_MAX, force_grouping=True),
                    "count": number_format(len(value), force_grouping=True),
                }
            )
        return value

    def is_valid(self) -> bool:
        # Both, always, so every problem on the page shows at once.
        contacts_ok = self.contacts is None or self.contacts.is_valid()
        return super().is_valid() and contacts_ok

    def clean(self):
        cleaned = super().clean()
        if self.gave_details() and not cleaned.get("agrees"):
            self.add_error("agrees", self.words["agree_missing"])
        return cleaned

    def gave_details(self) -> bool:
        """Did she give more than her name, an emergency contact included?

        Read from what was typed, not only what was valid: a mistyped phone
        number is still a detail, so the agreement question is asked with it.
        """
        typed = any(
            self.cleaned_data.get(f)
            or str(self.data.get(self.add_prefix(f), "")).strip()
            for f in AGREEMENT_DETAILS
            if f in self.fields
        )
        return typed or (
            self.contacts is not None
            and any(
                str(f.data.get(f.add_prefix("name"), "")).strip()
                and not f.data.get(f.add_prefix("DELETE"))
                for f in self.contacts.forms
            )
        )

    def save(self, commit=True):
        person = super().save(commit=False)
        person.organisation = self.organisation
        person.form_complete = True
        if self.cleaned_data.get("forget_kiosk_word"):
            person.kiosk_word = ""
        if self.cleaned_data.get("kiosk_word"):
            person.set_kiosk_word(self.cleaned_data["kiosk_word"])
        if self.cleaned_data.get("agrees") and not person.data_use_agreed_at:
            person.record_agreement(self.shown_statement())
        if self.cleaned_data.get("registration_token") and not person.pk:
            person.registration_token = self.cleaned_data["registration_token"]
        if commit:
            person.save()
            self.save_contacts(person)
        return person

    def shown_statement(self):
        """The words the form showed her, even if they have changed since;
        the ones it would show now if that can't be told."""
        version, _colon, language = (
            self.cleaned_data.get("data_use_shown") or ""
        ).partition(":")
        shown = version.isdigit() and self.organisation.data_use_statement_version(
            int(version), language
        )
        return shown or self.statement

    def save_contacts(self, person: Person) -> None:
        if self.contacts is not None:
            self.contacts.instance = person
            self.contacts.save()


class EmergencyContactForm(forms.ModelForm):
    class Meta:
        model = EmergencyContact
        fields = CONTACT_DETAILS
        widgets = {"phone": forms.TextInput(attrs={"type": "tel"})}
        labels = {
            "name": _("Their name"),
            "relationship": ABOUT_HER["who_to_her"],
            "phone": _("Their phone number"),
        }
        help_texts = {"relationship": _("For example sister, friend, neighbour.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The whole row is optional; clean() says what's missing if half-filled.
        self.fields["name"].required = False
        self.fields["phone"].required = False

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        name, phone = cleaned.get("name"), cleaned.get("phone")
        deleting = cleaned.get("DELETE")
        if not deleting and (name or cleaned.get("relationship")) and not phone:
            if "phone" not in self.errors:
                self.add_error(
                    "phone",
                    _(
                        "Please add a phone number, or we can't call them in an "
                        "emergency."
                    ),
                )
        if not deleting and phone and not name:
            self.add_error("name", _("Who is this? Please add their name."))
        return cleaned


class BaseContactFormSet(forms.BaseInlineFormSet):
    def save_new(self, form, commit=True):
        if not form.cleaned_data.get("name"):
            return None
        return super().save_new(form, commit)

    def save(self, commit=True):
        saved = super().save(commit)
        return [c for c in saved if c is not None]


class KioskContactForm(EmergencyContactForm):
    class Meta(EmergencyContactForm.Meta):
        labels = {
            **EmergencyContactForm.Meta.labels,
            "relationship": TO_HER["who_to_her"],
        }


def _contact_formset(form):
    return inlineformset_factory(
        Person,
        EmergencyContact,
        form=form,
        formset=BaseContactFormSet,
        extra=1,
        max_num=5,
        validate_max=True,
        can_delete=True,
    )


ContactFormSet = _contact_formset(EmergencyContactForm)
KioskContactFormSet = _contact_formset(KioskContactForm)


class QuickAddForm(forms.Form):
    known_as = forms.CharField(
        label=_("Her name"),
        max_length=100,
        help_text=_("Just a name: finish the form later."),
    )
    registration_token = TokenField()

    def clean_known_as(self):
        value = " ".join(self.cleaned_data["known_as"].split())
        if not value:
            raise forms.ValidationError(_("Please type a name."))
        return value


class HeadCountForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many people?"),
        min_value=1,
        max_value=200,
        error_messages={
            "min_value": _("Please enter at least 1."),
            "max_value": _("That's a lot! Please enter 200 or fewer at a time."),
        },
    )
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("No activity"),
    )
    request_token = TokenField()

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(
            organisation=organisation, is_active=True
        )


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["activity", "helped_out"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.instance.session.site.organisation
        self.fields["activity"].queryset = Activity.objects.filter(
            organisation=organisation, is_active=True
        )
        self.fields["activity"].empty_label = _("No activity")


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["name"]
        labels = {"name": _("Name")}

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if (
            Activity.objects.filter(organisation=self.organisation, name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(
                _("There's already an activity with that name.")
            )
        return name


class PaperSheetForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), empty_label=None, label=_("Site")
    )
    date = forms.DateField(label=_("Date on the sheet"), widget=DateInput())
    names = forms.CharField(
        label=_("Names on the sheet, one per line"),
        widget=forms.Textarea(attrs={"rows": 10, "autocapitalize": "words"}),
        max_length=20000,
    )
    request_token = TokenField()

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("That date is in the future."))
        return date

    def clean_names(self):
        lines = [
            " ".join(line.split()) for line in self.cleaned_data["names"].splitlines()
        ]
        lines = [line[:100] for line in lines if line]
        if not lines:
            raise forms.ValidationError(_("Please type at least one name."))
        if len(lines) > 300:
            raise forms.ValidationError(_("Please enter 300 names or fewer at a time."))
        return lines


class KioskNameForm(forms.Form):
    """A woman who has been before: her name, and her kiosk word if she chose one."""

    name = forms.CharField(
        label=_("What's your name?"),
        max_length=100,
        error_messages={"required": _("Please type your name.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "words", "autofocus": True}
        ),
    )
    word = forms.CharField(
        label=_("Your kiosk word, if you chose one"),
        help_text=_(
            "If you haven't got one, leave this blank: the team will see you're here."
        ),
        required=False,
        max_length=100,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class KioskLogOutForm(forms.Form):
    """Staff log the kiosk out with the password it logs in with."""

    password = forms.CharField(
        label=_("The password this kiosk logs in with"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autofocus": True}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That isn't this kiosk's password. Ask whoever set up the kiosk.")
            )
        return password


class KioskPersonForm(PersonForm):
    """The short form a woman fills in herself at the kiosk."""

    WORDS = TO_HER

    class Meta(PersonForm.Meta):
        fields = ["known_as", "full_name", "phone", "postcode", "age_band"]


class OfflineItemForm(forms.Form):
    """One item of the door's offline queue, as the device sends it."""

    id = forms.UUIDField(error_messages={"required": _("Each item needs its id.")})
    kind = forms.ChoiceField(choices=OfflineEntry.KINDS)
    name = forms.CharField(max_length=100, required=False)
    visit = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    ref = forms.UUIDField(required=False)
    typed_at = forms.DateTimeField(
        error_messages={"required": _("Each item needs the time it was typed.")}
    )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == OfflineEntry.ARRIVED and not data.get("name"):
            self.add_error("name", _("An arrival needs the name typed."))
        if kind == OfflineEntry.LEFT and not (data.get("visit") or data.get("ref")):
            self.add_error("visit", _("A sign-out needs the visit it ends."))
        return data
