"""Template filters for languages: each named in itself, and its direction.

Django's own language_name_local needs its table of languages, which knows
neither the pseudo-language nor a language a group adds (EXTRA_LANGUAGES).
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

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


@register.simple_tag
def page_numbers() -> str:
    """ "Page 2 of 5" in the page's language, for a PDF's footer: CSS can't
    be translated, so the words before, between and after the two numbers are
    put on an element, and pdf.css's @page reads them (string-set). A language
    may put the numbers in either order's words; the page number comes first."""
    words = gettext("Page %(page)s of %(pages)s")
    before, _, rest = words.partition("%(page)s")
    between, _, after = rest.partition("%(pages)s")
    return format_html(
        '<div class="page-numbers" data-before="{}" data-between="{}"'
        ' data-after="{}"></div>',
        before,
        between,
        after,
    )
