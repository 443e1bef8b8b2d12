"""Rules for text people type, shared by every app: matching names, phone
numbers and UK postcodes."""

import functools
import re
import unicodedata

from django import forms
from django.utils.translation import gettext as _

PHONE_RE = re.compile(r"^\+?[0-9 ()\-]+$")
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


# One name is spelt with different letters on an Arabic and an Urdu (or
# Persian) keyboard, and in different countries: "Fatima" ends in ة or ه,
# "Yasmin" has ي or ی. Each group folds to one letter so either finds her.
ARABIC_SCRIPT_VARIANTS = str.maketrans(
    {
        "ی": "ي",  # Farsi yeh (Urdu choti ye)
        "ى": "ي",  # alef maksura
        "ې": "ي",
        "ے": "ي",  # Urdu bari ye
        "ک": "ك",  # keheh (Urdu kaf)
        "ڪ": "ك",
        "ہ": "ه",  # Urdu heh goal
        "ە": "ه",
        "ھ": "ه",  # heh doachashmee
        "ة": "ه",  # teh marbuta
        "ۃ": "ه",
        "ٱ": "ا",  # alef wasla
    }
)
TATWEEL = "\u0640"  # stretches a word, never changes it


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes, for matching names as typed.

    In any script: NFKD takes Arabic presentation forms back to letters and
    hamza off its seat (أ to ا), marks are dropped (Latin accents, Arabic
    vowel marks), and so are invisible formatting characters (direction marks,
    joiners) and tatweel.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        c
        for c in decomposed
        if not unicodedata.combining(c)
        and unicodedata.category(c) != "Cf"
        and c != TATWEEL
    )
    kept = kept.translate(ARABIC_SCRIPT_VARIANTS)
    kept = re.sub(r"['\u2019`]", "", kept)
    return re.sub(r"[\s\-.,\u060c\u061b]+", " ", kept).strip()


# Collation elements kept in a sort key: names rarely differ after 64 letters.
SORT_KEY_LENGTH = 64


@functools.cache
def _collator():
    import pyuca  # reads the Unicode collation table once, on first use

    return pyuca.Collator()


def sort_key(text: str) -> str:
    """A key that puts names in alphabetical order in any script.

    The first level of the Unicode Collation Algorithm (letters, not case or
    accents) of the folded name: پ sorts after ب as in Urdu, not after every
    Arabic letter as its code would. Written as hex digits, which sort the same
    on SQLite and PostgreSQL whatever either's collation.
    """
    weights = _collator().sort_key(fold(text))
    primary = weights[: weights.index(0)] if 0 in weights else weights
    return "".join(f"{w:04x}" for w in primary[:SORT_KEY_LENGTH])


def clean_phone(value: str) -> str:
    """A phone number as typed, or a ValidationError saying what we expect."""
    value = value.strip()
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 7 <= len(digits) <= 15:
        raise forms.ValidationError(
            _(
                "That doesn't look like a phone number. Use digits and spaces, "
                "for example 07700 900123 or 01942 123456."
            )
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
            _(
                "That doesn't look like a UK postcode (for example WN1 1AA). "
                "Leave it blank if you're not sure."
            )
        )
    return f"{match[1]} {match[2]}"


def looks_like_a_date(text: str) -> bool:
    """Could this be a date or a year, such as a birthday others may know?

    "12/03/1985", "12-3-85", "120385", "12031985", "1985-03-12", "1985".
    """
    digits = re.sub(r"[\s/\-.]", "", text)
    if not digits.isdigit():
        return False
    parts = [int(p) for p in re.split(r"[\s/\-.]+", text.strip()) if p]
    if len(parts) == 1:
        parts = _date_parts(digits)
    for day, month, year in _orders(parts):
        if 1 <= day <= 31 and 1 <= month <= 12 and (year < 100 or 1900 <= year <= 2100):
            return True
    return len(digits) == 4 and 1900 <= int(digits) <= 2100


def _date_parts(digits: str) -> list[int]:
    if len(digits) == 6:  # ddmmyy
        return [int(digits[:2]), int(digits[2:4]), int(digits[4:])]
    if len(digits) == 8:  # ddmmyyyy or yyyymmdd
        if 1900 <= int(digits[:4]) <= 2100:
            return [int(digits[:4]), int(digits[4:6]), int(digits[6:])]
        return [int(digits[:2]), int(digits[2:4]), int(digits[4:])]
    return []


def _orders(parts: list[int]) -> list[tuple[int, int, int]]:
    """(day, month, year) readings of three numbers, British or ISO order."""
    if len(parts) != 3:
        return []
    a, b, c = parts
    if a > 31:  # year first
        return [(c, b, a), (b, c, a)]
    return [(a, b, c), (b, a, c)]
