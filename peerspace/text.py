"""Rules for text people type, shared by every app: matching names, phone
numbers and UK postcodes."""

import re
import unicodedata

from django import forms

PHONE_RE = re.compile(r"^\+?[0-9 ()\-]+$")
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes, for matching names as typed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = re.sub(r"['\u2019`]", "", kept)
    return re.sub(r"[\s\-.,]+", " ", kept).strip()


def clean_phone(value: str) -> str:
    """A phone number as typed, or a ValidationError saying what we expect."""
    value = value.strip()
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 7 <= len(digits) <= 15:
        raise forms.ValidationError(
            "That doesn't look like a phone number. Use digits and spaces, "
            "for example 07700 900123 or 01942 123456."
        )
    return value


def clean_postcode(value: str) -> str:
    """A UK postcode in capitals with its one space ("wn11aa" -> "WN1 1AA")."""
    value = value.strip().upper()
    if not value:
        return value
    match = POSTCODE_RE.match(value)
    if not match:
        raise forms.ValidationError(
            "That doesn't look like a UK postcode (for example WN1 1AA). "
            "Leave it blank if you're not sure."
        )
    return f"{match[1]} {match[2]}"
