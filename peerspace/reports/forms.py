import datetime as dt
from decimal import Decimal

from django import forms
from django.db import transaction
from django.forms import modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerspace.accounts.models import Site
from peerspace.fields import DateInput, MonthInput

from .models import (
    COUNT_SOURCES,
    MONEY_PLACES,
    OUTCOMES,
    SECTIONS,
    TYPED,
    Income,
    Rate,
    ReportTemplate,
    Story,
    Tally,
    ValueLevel,
    ValueLine,
)
from .periods import PRESETS, Period, add_months, preset
from .tables import as_agreed, plain


def unique_name(form: forms.ModelForm, message: str) -> str:
    """The form's name, tidied, if no other of the organisation's has it."""
    name = " ".join(form.cleaned_data["name"].split())
    clash = (
        type(form.instance)
        .objects.filter(organisation=form.instance.organisation, name__iexact=name)
        .exclude(pk=form.instance.pk)
    )
    if clash.exists():
        raise forms.ValidationError(message)
    return name


# Long enough for a three-year grant's report, short enough to stay quick.
MAX_PERIOD_DAYS = 3 * 366 + 1
LOGO_MAX_BYTES = 512 * 1024


class BuildForm(forms.Form):
    """What a report covers: read from the query string, so a report is a link."""

    template = forms.ModelChoiceField(
        ReportTemplate.objects.none(),
        required=False,
        empty_label=_("No saved template: choose sections below"),
        label=_("Saved report"),
    )
    period = forms.ChoiceField(
        choices=PRESETS, initial="last_quarter", label=_("Period")
    )
    start = forms.DateField(required=False, label=_("From"), widget=DateInput())
    end = forms.DateField(required=False, label=_("To"), widget=DateInput())
    sites = forms.ModelMultipleChoiceField(
        Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Sites"),
        help_text=_("Leave all unticked for every site."),
    )
    sections = forms.MultipleChoiceField(
        choices=SECTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Sections"),
        help_text=_("Used when no saved report is chosen."),
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
                raise forms.ValidationError(_("Please give both dates."))
            if end < start:
                raise forms.ValidationError(_("The end date is before the start."))
            data["range"] = Period(start, end)
        elif data.get("period"):
            data["range"] = preset(data["period"], self.today)
        if "range" in data and data["range"].days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("A report can cover up to three years."))
        if not data.get("template") and not data.get("sections"):
            raise forms.ValidationError(
                _("Please choose a saved report, or tick the sections you'd like.")
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
        label=_("Sections to include"),
    )

    class Meta:
        model = ReportTemplate
        fields = ["name", "funder", "sections", "narrative_heading", "narrative"]
        fields += ["cost_basis", "threshold"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        headings = self.instance.headings or {}
        for key, title in SECTIONS:
            self.fields[f"heading_{key}"] = forms.CharField(
                label=_("Heading for “%(title)s”") % {"title": title},
                required=False,
                max_length=120,
                initial=headings.get(key, ""),
                help_text=_("Leave blank for ours, or use the funder's own words."),
            )

    def clean_name(self):
        return unique_name(self, _("There is already a saved report by that name."))

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
        label=_("What changed for her"),
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
            "date": DateInput(),
            "consent_date": DateInput(),
            "text": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {"date": _("Date"), "site": _("Site")}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["site"].queryset = Site.objects.filter(organisation=organisation)
        self.fields["site"].required = False
        self.fields["site"].empty_label = _("Not at one site")

    def clean(self):
        data = super().clean()
        if data.get("consent_to_share") and not data.get("consent_date"):
            data["consent_date"] = timezone.localdate()
        if not data.get("consent_to_share"):
            data["consent_date"] = None
        return data


MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d", "%m/%Y", "%d/%m/%Y"]
PLACES_MESSAGE = {
    "max_decimal_places": _("Up to %(max)s decimal places, please."),
    "max_digits": _("That number is too big."),
}


def money_field(label: str, places: int = MONEY_PLACES, **kwargs) -> forms.Field:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=14,
        decimal_places=places,
        error_messages=PLACES_MESSAGE,
        **kwargs,
    )


class ValueLineForm(forms.ModelForm):
    class Meta:
        model = ValueLine
        fields = ["name", "unit", "source", "counts_people", "quick_tally"]
        fields += ["tally_kinds"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["source"].choices = [
            ("", _("Choose where the count comes from")),
            *COUNT_SOURCES,
        ]

    def clean_name(self):
        return unique_name(self, _("There is already a line by that name."))

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source and source != TYPED:
            # Only typed lines are logged or say whether they count people.
            data["counts_people"] = data["quick_tally"] = False
            data["tally_kinds"] = ""
            if self.instance.pk and self.instance.tallies.exists():
                self.add_error(
                    "source",
                    _(
                        "This line has counts typed in. To count from records "
                        "instead, add a new line, so past reports stay as they were."
                    ),
                )
        return data


LevelFormSet = forms.inlineformset_factory(
    ValueLine,
    ValueLevel,
    fields=["name"],
    extra=3,
    can_delete=True,
    labels={"name": _("Level")},
)


class RateForm(forms.ModelForm):
    amount = money_field(_("£ per unit"))
    low = money_field(_("Low £"), required=False)
    high = money_field(_("High £"), required=False)

    class Meta:
        model = Rate
        fields = ["level", "effective_from", "amount", "low", "high", "source"]
        widgets = {"effective_from": MonthInput()}

    def __init__(self, *args, line: ValueLine, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.line = line
        self.fields["effective_from"].input_formats = MONTH_FORMATS
        levels = line.levels.all() if line.is_typed else ValueLevel.objects.none()
        if levels:
            self.fields["level"].queryset = levels
            self.fields["level"].required = True
            self.fields["level"].empty_label = None
        else:
            del self.fields["level"]

    def clean(self):
        data = super().clean()
        amount, low, high = data.get("amount"), data.get("low"), data.get("high")
        if amount is not None and low is not None and low > amount:
            self.add_error("low", _("The low value is more than the rate."))
        if amount is not None and high is not None and high < amount:
            self.add_error("high", _("The high value is less than the rate."))
        return data


class BaseRateFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("effective_from"):
                continue
            key = (data.get("level"), data["effective_from"].replace(day=1))
            if key in seen:
                raise forms.ValidationError(
                    _(
                        "Two rates start in the same month for the same level: please "
                        "keep one (change its figure instead)."
                    )
                )
            seen.add(key)


def rate_formset(blank: int = 1):
    return modelformset_factory(
        Rate,
        form=RateForm,
        formset=BaseRateFormSet,
        extra=max(1, blank),
        can_delete=True,
    )


class MonthForm(forms.Form):
    """One month of the framework: every typed line and level (with last
    month's figure beside it), the rate in force, and the month's income."""

    NEW_INCOME = 2

    def __init__(self, *args, framework, month: dt.date, copy: bool = False, **kw):
        super().__init__(*args, **kw)
        self.framework, self.month = framework, month
        # The framework covers last month (0) and this month (1).
        self.rows = [row for row in framework.rows if row.line.is_typed]
        for row in self.rows:
            key = self.key(row)
            typed = row.typed[0] if copy else row.typed[1]
            rate = row.rates[1]
            if row.line.of_people:
                count = forms.IntegerField(min_value=0, required=False)
                typed = int(typed) if typed is not None else None
            else:
                count = forms.DecimalField(
                    min_value=0,
                    max_digits=12,
                    decimal_places=2,
                    required=False,
                    error_messages=PLACES_MESSAGE,
                )
                typed = plain(typed) if typed is not None else None
            # Short labels: each row's fieldset names its line and level.
            count.label = (
                _("How many more, not logged as they happened")
                if row.tallied[1]
                else _("How many")
            )
            count.initial = typed
            self.fields[f"count-{key}"] = count
            self.fields[f"rate-{key}"] = money_field(
                f"£ for {row.line.unit}",
                required=False,
                initial=as_agreed(rate.amount) if rate else None,
            )
            self.fields[f"source-{key}"] = forms.CharField(
                label=_("Where the rate comes from"),
                max_length=500,
                required=False,
                initial=rate.source if rate else "",
            )
        self.incomes = self._known_incomes(copy)
        for i, (kind, name, amount) in enumerate(self.incomes):
            self.fields[f"income-{i}"] = money_field(
                f"{name} ({kind})", places=2, required=False, initial=amount
            )
        for i in range(self.NEW_INCOME):
            self.fields[f"newkind-{i}"] = forms.ChoiceField(
                label=_("Source"),
                choices=[("", _("Choose…")), *Income.KINDS],
                required=False,
            )
            self.fields[f"newname-{i}"] = forms.CharField(
                label=_("Where it came from"), max_length=120, required=False
            )
            self.fields[f"newamount-{i}"] = money_field(
                _("Amount (£)"), places=2, required=False
            )

    @staticmethod
    def key(row) -> str:
        return f"{row.line.pk}-{row.level.pk if row.level else 0}"

    def _known_incomes(self, copy: bool) -> list[tuple[str, str, Decimal | None]]:
        """Income lines from this month and the year before it, with this
        month's amounts (or last month's, when copying)."""
        org, month = self.framework.organisation, self.month
        since = add_months(month, -12)
        rows = Income.objects.filter(
            organisation=org, month__gte=since, month__lte=month
        ).order_by("kind", "name", "month")
        source = add_months(month, -1) if copy else month
        found: dict[tuple[str, str], Decimal | None] = {}
        for income in rows:
            found.setdefault((income.kind, income.name), None)
            if income.month == source:
                found[(income.kind, income.name)] = income.amount
        return [(kind, name, amount) for (kind, name), amount in found.items()]

    def typed_rows(self):
        """(row, count field, rate field, source field) for the template."""
        return [
            (
                row,
                self[f"count-{self.key(row)}"],
                self[f"rate-{self.key(row)}"],
                self[f"source-{self.key(row)}"],
            )
            for row in self.rows
        ]

    def income_fields(self):
        return [self[f"income-{i}"] for i in range(len(self.incomes))]

    def new_income_fields(self):
        return [
            (self[f"newkind-{i}"], self[f"newname-{i}"], self[f"newamount-{i}"])
            for i in range(self.NEW_INCOME)
        ]

    def clean(self):
        data = super().clean()
        for row in self.rows:
            key = self.key(row)
            amount, source = data.get(f"rate-{key}"), data.get(f"source-{key}", "")
            if amount is None:
                continue
            current = row.rates[1]
            if not source.strip() and (current is None or current.amount != amount):
                self.add_error(
                    f"source-{key}",
                    _(
                        "Please say where the new rate comes from (the published "
                        "table or agreement, with its year)."
                    ),
                )
        for i in range(self.NEW_INCOME):
            name, amount = (
                data.get(f"newname-{i}", "").strip(),
                data.get(f"newamount-{i}"),
            )
            if name and amount is None:
                self.add_error(f"newamount-{i}", _("Please give the amount."))
            if amount is not None and not name:
                self.add_error(f"newname-{i}", _("Please say where it came from."))
            if (name or amount is not None) and not data.get(f"newkind-{i}"):
                self.add_error(f"newkind-{i}", _("Please choose statutory or other."))
        return data

    @transaction.atomic
    def save(self, user) -> None:
        data, month = self.cleaned_data, self.month
        for row in self.rows:
            key = self.key(row)
            Tally.objects.set_total(
                row.line, row.level, month, data.get(f"count-{key}"), user
            )
            amount = data.get(f"rate-{key}")
            if amount is not None:
                Rate.objects.set_from(
                    row.line, row.level, month, amount, data[f"source-{key}"].strip()
                )
        org = self.framework.organisation
        for i, (kind, name, _amount) in enumerate(self.incomes):
            amount = data.get(f"income-{i}")
            Income.objects.set_for(org, month, kind, name, amount)
        for i in range(self.NEW_INCOME):
            name = " ".join(data.get(f"newname-{i}", "").split())
            if name:
                Income.objects.set_for(
                    org, month, data[f"newkind-{i}"], name, data[f"newamount-{i}"]
                )


class TallyForm(forms.ModelForm):
    """A quick "+1" as it happens: the line, when, and no one's name."""

    class Meta:
        model = Tally
        fields = ["level", "date", "count", "minutes", "kind"]
        labels = {"count": _("How many"), "date": _("When")}
        widgets = {"date": DateInput()}

    def __init__(self, *args, line: ValueLine, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, prefix=f"line{line.pk}", **kwargs)
        self.instance.line = line
        self.fields["date"].required = True
        self.fields["count"].initial = 1
        self.fields["count"].min_value = Decimal("0.01")
        levels = line.levels.all()
        if levels:
            self.fields["level"].queryset = levels
            self.fields["level"].required = True
            self.fields["level"].empty_label = _("Choose a level")
        else:
            del self.fields["level"]
        kinds = line.kinds()
        if kinds:
            self.fields["kind"] = forms.ChoiceField(
                label=_("What kind"),
                choices=[("", "—"), *((k, k) for k in kinds)],
                required=False,
            )
        else:
            del self.fields["kind"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("That date is in the future."))
        return date


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Your logo"), help_text=_("A PNG or JPEG picture, up to 512 KB.")
    )

    def clean_logo(self):
        upload = self.cleaned_data["logo"]
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("That picture is too big: up to 512 KB please.")
            )
        head = upload.read(8)
        upload.seek(0)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            upload.content_kind = "image/png"
        elif head.startswith(b"\xff\xd8\xff"):
            upload.content_kind = "image/jpeg"
        else:
            raise forms.ValidationError(_("Please choose a PNG or JPEG picture."))
        return upload
