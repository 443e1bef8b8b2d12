"""Forms sent back to the server to look something up, not to be saved.

Finding her on the worry form, showing a partner group's members while a
session is planned, going back to the names on a paper sheet: without
JavaScript each of these is a round trip, and nothing typed may be lost on
the way. The whole form is posted with a button naming what to look up; the
page comes back with every field as it was typed and no complaints about
what isn't filled in yet.
"""

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict

# Never carried as hidden fields: the form's own bookkeeping.
NOT_CARRIED = {"csrfmiddlewaretoken"}


def keep_as_typed(form: forms.BaseForm) -> forms.BaseForm:
    """Show a posted form as it was typed, without checking it: it is being
    filled in, not saved. (Don't call is_valid() on it afterwards.)"""
    form._errors = ErrorDict()
    return form


def carried(data: QueryDict | None, form: forms.BaseForm, *skip: str) -> list:
    """Posted values of fields the form isn't showing this time (her initials
    while a registered woman is chosen, say), to put back as hidden inputs so
    they come through the next round trip too."""
    if not data:
        return []
    shown = {form.add_prefix(name) for name in form.fields}
    return [
        (name, value)
        for name in data
        if name not in shown and name not in NOT_CARRIED and name not in skip
        for value in data.getlist(name)
    ]
