"""The error summary every form shows when something needs another look.

It follows the GOV.UK Design System's error summary: at the top of the page,
announced (role="alert") and focused when the page loads (app.js), with one
link per problem that takes her to the field. base.html asks for it once, and
it finds the forms on the page itself, so no form can be left without one.
"""

from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


@dataclass
class Problem:
    message: str
    target: str  # the id of the field to go to


def _first_input(bound: forms.BoundField) -> str:
    """The id of the element to focus: the first of a group of radios or boxes."""
    if bound.id_for_label:
        return bound.id_for_label
    widget = bound.field.widget
    if isinstance(
        widget, forms.MultiWidget | forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        return widget.id_for_label(bound.auto_id, "0")
    return bound.auto_id or ""


def _first_field(form: forms.BaseForm) -> str:
    for bound in form:
        if not bound.is_hidden:
            return _first_input(bound)
    return ""


def form_problems(form: forms.BaseForm) -> list[Problem]:
    """Every error on a bound form, in the order of its fields."""
    problems = [
        Problem(str(message), _first_field(form)) for message in form.non_field_errors()
    ]
    for bound in form:
        # Django's own words, not a field's own message for it.
        required = str(forms.Field.default_error_messages["required"])
        for message in bound.errors:
            target = _first_input(bound) if not bound.is_hidden else _first_field(form)
            if str(message) == required and bound.label and not bound.is_hidden:
                # "This field is required." beside the field is clear; in a
                # list at the top of the page it must say which.
                message = _("Please answer “%(question)s”") % {
                    "question": str(bound.label).rstrip(":*").strip()
                }
            problems.append(Problem(str(message), target))
    return problems


def formset_problems(formset: BaseFormSet) -> list[Problem]:
    first = next((f for f in formset.forms), None)
    target = _first_field(first) if first else ""
    problems = [Problem(str(m), target) for m in formset.non_form_errors()]
    for form in formset.forms:
        problems += form_problems(form)
    return problems


def page_problems(context: template.Context) -> list[Problem]:
    """The problems of every bound form and formset the page was given."""
    seen: set[int] = set()
    problems: list[Problem] = []
    for value in context.flatten().values():
        if not isinstance(value, forms.BaseForm | BaseFormSet) or id(value) in seen:
            continue
        if not value.is_bound:
            continue
        seen.add(id(value))
        if isinstance(value, BaseFormSet):
            problems += formset_problems(value)
        elif isinstance(value, forms.BaseForm):
            problems += form_problems(value)
    return problems


@register.inclusion_tag("partials/error_summary.html", takes_context=True)
def error_summary(context: template.Context) -> dict:
    return {"problems": page_problems(context)}
