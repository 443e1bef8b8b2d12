"""Finding English that skipped translation: a page shown in the
pseudo-language has every translated string ⟦ţŕàñšƒöŕɱéđ⟧, so any other words
a person can see are either data (names typed in, from the database) or were
never marked for translation."""

import re
from html import escape
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.db import models

from peerspace.i18n import PSEUDO_CLOSE, PSEUDO_OPEN

# Never shown, or not words.
SKIPPED_TAGS = {"script", "style", "code", "svg"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link"}
VOID_TAGS |= {"meta", "source", "track", "wbr"}
# Attributes a person reads or hears.
SHOWN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
TRANSLATED = re.compile(
    re.escape(PSEUDO_OPEN)
    + f"[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*"
    + re.escape(PSEUDO_CLOSE)
)
LETTER = re.compile(r"[^\W\d_]")
ADDRESS = re.compile(r"\b[a-z]+://\S+|\S+@\S+\.\w+")
# The name of the product, and each language's name in itself (the point of
# a language picker) are never translated.
ALWAYS_AS_THEY_ARE = {"Peerspace"}


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Words marked as another language (a language's own name) or as
        # not to be translated are meant to stay as they are.
        skip = (
            tag in SKIPPED_TAGS
            or (tag != "html" and "lang" in attrs)
            or attrs.get("translate") == "no"
            or "hidden" in attrs
            and tag == "input"
        )
        if not skip and not self._skipping():
            for name in SHOWN_ATTRIBUTES & set(attrs):
                self.found.append(attrs[name] or "")
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self.found.append(attrs.get("value") or "")
        if tag not in VOID_TAGS:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.found.append(data)


def shown_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return [t.strip() for t in parser.found if t.strip()]


def data_in_database() -> list[str]:
    """Every piece of text stored in the database, longest first: names and
    everything else people typed, which is never translated."""
    found = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        if fields:
            for row in model._base_manager.values_list(*fields):
                found.update(str(v) for v in row if v)
    found |= {name for _, name in settings.LANGUAGES} | ALWAYS_AS_THEY_ARE
    return sorted(found, key=len, reverse=True)


def untranslated(html: str) -> list[str]:
    """The words on the page, outside ⟦…⟧ and not data, that a person sees.

    Read as one text in page order, one piece a line: a translated sentence
    with a link in it is in several pieces, between one ⟦ and its ⟧.
    """
    rest = "\n".join(shown_texts(html))
    while TRANSLATED.search(rest):
        rest = TRANSLATED.sub(" ", rest)
    # Web and email addresses are shown as they are in every language.
    rest = ADDRESS.sub(" ", rest)
    for value in data_in_database():
        # As it is, or as a template shows it (lower-cased).
        rest = rest.replace(value, " ").replace(value.lower(), " ")
    return [line.strip() for line in rest.splitlines() if LETTER.search(line)]


def untranslated_text(text: str) -> list[str]:
    """The same for plain text (a PDF read back with pdftotext, an email):
    every line a piece, as on a page."""
    return untranslated("".join(f"<p>{escape(line)}</p>" for line in text.splitlines()))
