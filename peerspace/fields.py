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
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)


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
