import datetime as dt

from django import forms
from django.forms import modelformset_factory
from django.utils import timezone

from peerspace.accounts.models import Site

from .models import (
    OUTCOMES,
    SECTIONS,
    Income,
    ReportTemplate,
    Story,
    UnitRate,
)
from .periods import PRESETS, Period, preset

# Long enough for a three-year grant's report, short enough to stay quick.
MAX_PERIOD_DAYS = 3 * 366 + 1
LOGO_MAX_BYTES = 512 * 1024


class BuildForm(forms.Form):
    """What a report covers: read from the query string, so a report is a link."""

    template = forms.ModelChoiceField(
        ReportTemplate.objects.none(),
        required=False,
        empty_label="No saved template: choose sections below",
        label="Saved report",
    )
    period = forms.ChoiceField(choices=PRESETS, initial="last_quarter")
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    sites = forms.ModelMultipleChoiceField(
        Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every site.",
    )
    sections = forms.MultipleChoiceField(
        choices=SECTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Used when no saved report is chosen.",
    )

    def __init__(self, *args, organisation, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.today = today or timezone.localdate()
        self.fields["template"].queryset = ReportTemplate.objects.filter(
            organisation=organisation
        )
        self.fields["sites"].queryset = Site.objects.filter(
            organisation=organisation, is_active=True
        )

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Please give both dates.")
            if end < start:
                raise forms.ValidationError("The end date is before the start.")
            data["range"] = Period(start, end)
        elif data.get("period"):
            data["range"] = preset(data["period"], self.today)
        if "range" in data and data["range"].days > MAX_PERIOD_DAYS:
            raise forms.ValidationError("A report can cover up to three years.")
        if not data.get("template") and not data.get("sections"):
            raise forms.ValidationError(
                "Please choose a saved report, or tick the sections you'd like."
            )
        return data

    def chosen_sites(self) -> tuple[list[Site], bool]:
        every = list(self.fields["sites"].queryset)
        chosen = list(self.cleaned_data.get("sites") or [])
        if not chosen or {s.pk for s in chosen} == {s.pk for s in every}:
            return every, True
        return chosen, False


class ReportTemplateForm(forms.ModelForm):
    sections = forms.MultipleChoiceField(
        choices=SECTIONS,
        widget=forms.CheckboxSelectMultiple,
        label="Sections to include",
    )

    class Meta:
        model = ReportTemplate
        fields = ["name", "funder", "sections", "narrative_heading", "narrative"]
        fields += ["threshold"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        headings = self.instance.headings or {}
        for key, title in SECTIONS:
            self.fields[f"heading_{key}"] = forms.CharField(
                label=f"Heading for “{title}”",
                required=False,
                max_length=120,
                initial=headings.get(key, ""),
                help_text="Leave blank for ours, or use the funder's own words.",
            )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = ReportTemplate.objects.filter(
            organisation=self.instance.organisation, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("There is already a saved report by that name.")
        return name

    def heading_fields(self):
        return [self[f"heading_{key}"] for key, _ in SECTIONS]

    def save(self, commit=True):
        template = super().save(commit=False)
        template.headings = {
            key: self.cleaned_data[f"heading_{key}"].strip()
            for key, _ in SECTIONS
            if self.cleaned_data.get(f"heading_{key}", "").strip()
        }
        if commit:
            template.save()
        return template


class StoryForm(forms.ModelForm):
    outcomes = forms.MultipleChoiceField(
        choices=OUTCOMES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What changed for her",
    )

    class Meta:
        model = Story
        fields = [
            "date",
            "site",
            "text",
            "described_as",
            "outcomes",
            "consent_to_share",
            "consent_date",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "consent_date": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["site"].queryset = Site.objects.filter(organisation=organisation)
        self.fields["site"].required = False
        self.fields["site"].empty_label = "Not at one site"

    def clean(self):
        data = super().clean()
        if data.get("consent_to_share") and not data.get("consent_date"):
            data["consent_date"] = timezone.localdate()
        if not data.get("consent_to_share"):
            data["consent_date"] = None
        return data


class UnitRateForm(forms.ModelForm):
    class Meta:
        model = UnitRate
        fields = ["kind", "label", "rate", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose what we count"), *UnitRate.KINDS]


class IncomeForm(forms.ModelForm):
    class Meta:
        model = Income
        fields = ["month", "kind", "name", "amount"]
        widgets = {"month": forms.DateInput(attrs={"type": "month"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose a source"), *Income.KINDS]
        # <input type="month"> sends "2025-04".
        self.fields["month"].input_formats = ["%Y-%m", "%Y-%m-%d", "%d/%m/%Y"]
        self.fields["month"].widget.format = "%Y-%m"


UnitRateFormSet = modelformset_factory(
    UnitRate, form=UnitRateForm, extra=1, can_delete=True
)
IncomeFormSet = modelformset_factory(Income, form=IncomeForm, extra=3, can_delete=True)


class LogoForm(forms.Form):
    logo = forms.FileField(
        label="Your logo", help_text="A PNG or JPEG picture, up to 512 KB."
    )

    def clean_logo(self):
        upload = self.cleaned_data["logo"]
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError("That picture is too big: up to 512 KB please.")
        head = upload.read(8)
        upload.seek(0)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            upload.content_kind = "image/png"
        elif head.startswith(b"\xff\xd8\xff"):
            upload.content_kind = "image/jpeg"
        else:
            raise forms.ValidationError("Please choose a PNG or JPEG picture.")
        return upload
