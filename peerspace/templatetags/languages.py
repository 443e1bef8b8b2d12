"""Template filters for languages: each named in itself, and its direction.

Django's own language_name_local needs its table of languages, which knows
neither the pseudo-language nor a language a group adds (EXTRA_LANGUAGES).
"""

from django import template

from peerspace import i18n

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """ "pl" -> "Polski"."""
    return i18n.language_name(code)


@register.filter
def language_dir(code: str) -> str:
    """ "ur" -> "rtl", for dir= on words in another language."""
    return "rtl" if i18n.is_rtl(code) else "ltr"
