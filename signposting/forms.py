import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from attendance.models import Person
from peerspace.accounts.models import Site
from peerspace.fields import DateInput, ModelMultipleIdField, TokenField
from peerspace.text import clean_phone, clean_postcode

from .models import SERVICE_DETAILS, Category, DirectorySettings, Feed, Service


class ServiceForm(forms.ModelForm):
    website = forms.URLField(
        label=_("Website"), max_length=300, required=False, assume_scheme="https"
    )

    class Meta:
        model = Service
        field_classes = {"categories": ModelMultipleIdField}
        fields = [*SERVICE_DETAILS[:3], "categories", *SERVICE_DETAILS[3:]]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "how_to_access": forms.Textarea(attrs={"rows": 2}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "categories": forms.CheckboxSelectMultiple,
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "last_checked": DateInput(),
        }
        help_texts = {
            "who_its_for": _("For example: women in Wigan borough aged 18 and over."),
            "how_to_access": _("Drop in, phone first, or ask us to refer her."),
            "opening_times": _("For example: Mon to Fri 9am to 5pm; 24 hours."),
            "languages": _("Separate languages with commas."),
            "cost": _("For example: Free."),
        }

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["categories"].queryset = Category.objects.filter(
            organisation=organisation
        )
        if not self.instance.pk:
            self.fields["last_checked"].initial = timezone.localdate()

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data["postcode"])

    def clean_last_checked(self):
        value = self.cleaned_data["last_checked"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("That date is in the future."))
        return value

    def save(self, commit=True):
        service = super().save(commit=False)
        service.organisation = self.organisation
        service.last_modified = timezone.now()
        service.save()
        self.save_m2m()
        service.refresh_search_key()
        return service


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "order"]
        help_texts = {"order": _("Lower numbers come first.")}

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["order"].required = False

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not slugify(name):
            raise forms.ValidationError(_("Please use some letters or numbers."))
        clash = Category.objects.filter(organisation=self.organisation).exclude(
            pk=self.instance.pk
        )
        if (
            clash.filter(name__iexact=name).exists()
            or clash.filter(slug=slugify(name)).exists()
        ):
            raise forms.ValidationError(_("There's already a category with that name."))
        return name

    def save(self, commit=True):
        category = super().save(commit=False)
        category.organisation = self.organisation
        category.slug = slugify(category.name)
        if category.order is None:
            category.order = (
                Category.objects.filter(organisation=self.organisation).count() + 1
            )
        category.save()
        return category


class SignpostForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=DateInput(attrs={"class": "form-control"})
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("Not at a site"),
        label=_("Where"),
    )
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    services = ModelMultipleIdField(
        queryset=Service.objects.none(),
        label=_("We gave information about"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please tick at least one service.")},
    )
    helped_to_contact = forms.BooleanField(
        label=_("We helped her get in touch"), required=False
    )
    request_token = TokenField()

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["site"].queryset = Site.objects.filter(
            organisation=organisation, is_active=True
        )
        self.fields["person"].queryset = Person.objects.filter(
            organisation=organisation
        )
        self.fields["services"].queryset = (
            Service.objects.filter(organisation=organisation, active=True)
            .prefetch_related("categories")
            .crisis_first()
        )
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("That date is in the future."))
        return date


class DirectorySettingsForm(forms.ModelForm):
    class Meta:
        model = DirectorySettings
        fields = ["public_page", "open_api"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Open Referral file"),
        help_text=_(
            "A JSON file of one service or a list of services, or the CSV data "
            "package as a .zip."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "That file is %(size)s MB; the most we can take is %(limit)s MB. "
                    "Try exporting fewer services at a time."
                )
                % {
                    "size": f"{upload.size / 1048576:.1f}",
                    "limit": f"{limit / 1048576:.0f}",
                }
            )
        return upload


class TableImportForm(ImportForm):
    file = forms.FileField(
        label=_("Spreadsheet"), help_text=_("A .csv or .xlsx file exported from here.")
    )

    def clean_file(self):
        upload = super().clean_file()
        if not re.search(r"\.(csv|xlsx)$", upload.name or "", re.I):
            raise forms.ValidationError(_("Please choose a .csv or .xlsx file."))
        return upload


class FeedForm(forms.ModelForm):
    url = forms.URLField(
        label=_("Web address of the directory"), max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Feed
        fields = ["url", "name"]
        labels = {"name": _("What to call it")}
        help_texts = {
            "url": _(
                "The address of its Open Referral API, for example "
                "https://directory.example.gov.uk/api/ or another group's Peerspace "
                "API address from their sharing page."
            ),
            "name": _("For example: Wigan Council's directory."),
        }

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_url(self):
        from .hsds.fetch import FetchError, check_address

        url = self.cleaned_data["url"]
        try:
            check_address(url)
        except FetchError as e:
            raise forms.ValidationError(str(e)) from None
        if Feed.objects.filter(organisation=self.organisation, url=url).exists():
            raise forms.ValidationError(_("You already follow that directory."))
        return url
