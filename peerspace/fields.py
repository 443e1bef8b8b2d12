import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from peerspace import crypto


class EncryptedTextField(models.TextField):
    """Free text stored encrypted; empty stays empty so "nothing to say" is cheap.

    Can't be searched, ordered or indexed. simple-history copies the field type, so
    history rows stay encrypted too.

    A stored value no configured key can read comes back as crypto.Unreadable:
    pages listing many records show the placeholder and keep working, a form
    refuses to open with it (so nobody saves the placeholder as her words), and
    saving the record writes the stored value back unchanged.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return crypto.decrypt(value)
        except crypto.DecryptionError:
            crypto.log_unreadable(self._where(), value)
            return crypto.Unreadable(value)

    def get_prep_value(self, value):
        if isinstance(value, crypto.Unreadable):
            return value.stored
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if value.strip() == crypto.UNREADABLE_TEXT:
            raise crypto.DecryptionError(
                f"The placeholder for a note that can't be read isn't saved as "
                f"{self._where()}."
            )
        return crypto.encrypt(value)

    def get_db_prep_save(self, value, connection):
        if value not in (None, "") and not isinstance(value, crypto.Unreadable):
            # Never write with keys that can't read what is already there.
            from peerspace.models import KeyCheck

            KeyCheck.objects.db_manager(connection.alias).verify()
        return super().get_db_prep_save(value, connection)

    def value_from_object(self, obj):
        value = super().value_from_object(obj)
        if isinstance(value, crypto.Unreadable):
            raise crypto.DecryptionError(
                f"{self._where()} can't be read with the configured keys, so this "
                "record can't be changed here."
            )
        return value

    def _where(self) -> str:
        return f"{self.model._meta.label}.{self.name}"


# The largest id a 64-bit integer column holds.
MAX_ID = 2**63 - 1
ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value) -> int | None:
    """An id from a query string, form or cookie, or None if it isn't one.

    str.isdigit() is no test: it is true for "¹" and "٣", which int() refuses
    or reads, and for ids too big for any column (a server error on SQLite).
    """
    text = str(value or "").strip()
    if not ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class ModelMultipleIdField(forms.ModelMultipleChoiceField):
    """Ticked boxes by id, refusing ids no database column could hold.

    Django checks each id's type but not its size, and SQLite raises
    OverflowError (a server error) for `id IN (99999999999999999999)`.
    """

    def _check_values(self, value):
        if isinstance(self.queryset.model._meta.pk, models.IntegerField):
            for pk in value:
                text = str(pk).strip()
                if text and parse_id(text) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class TokenField(forms.UUIDField):
    """A hidden one-time token that makes a double-tapped Save harmless."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


def new_token() -> str:
    return str(uuid.uuid4())


class DateInput(forms.DateInput):
    """A date box (<input type="date">) showing the date it was given.

    Browsers only read an ISO date (2025-12-01) in its value: the en-GB
    01/12/2025 that Django writes by default leaves the box blank, and the
    date the form was showing is lost when it is saved. Every date box in
    Peerspace is this one.
    """

    input_type = "date"
    iso_format = "%Y-%m-%d"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=self.iso_format)


class MonthInput(DateInput):
    """A month box (<input type="month">), which reads only 2025-12."""

    input_type = "month"
    iso_format = "%Y-%m"
