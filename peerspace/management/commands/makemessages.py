"""Django's makemessages with Peerspace's defaults (docs/translating.md).

Without -l, every language in settings.LANGUAGES (English as "en", the source
the pseudo-language is made from); files that aren't ours are never read;
each entry names the files it is in but not the lines, so a change elsewhere
in a file doesn't touch every catalogue; strings no longer used are dropped.
Needs GNU gettext (xgettext), like Django's.

A language a group has just added gets a catalogue whose header already has
its code and its plural forms (from Babel's CLDR data), where gettext leaves
placeholders that would stop the catalogue compiling, and says that its
translations need a fluent speaker's review.
"""

from babel.core import UnknownLocaleError
from babel.messages.plurals import get_plural
from django.conf import settings
from django.core.management.commands import makemessages
from django.utils.translation import to_locale

from peerspace.i18n import locale_dir, po_files

# Other people's code, what's built from ours, and tests: never translated.
IGNORE = [
    "static/vendor/*",
    "staticfiles/*",
    "node_modules/*",
    "tests/*",
    "benchmarks/*",
    "signposting/standards/*",
    "locale/*",
]


def our_locales() -> list[str]:
    pseudo = settings.PSEUDO_LANGUAGE[0]
    found = []
    for code, _name in settings.LANGUAGES:
        if code == pseudo:
            continue
        name = to_locale(code)
        if code == settings.LANGUAGE_CODE:
            name = name.split("_")[0]  # "en": the English everything starts from
        found.append(name)
    return found


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORE]
        if not (options["locale"] or options["exclude"] or options["all"]):
            options["locale"] = our_locales()
        if options["add_location"] is None:
            options["add_location"] = "file"
        options["no_obsolete"] = True
        super().handle(*args, **options)
        fill_new_headers()


# What xgettext leaves in a new catalogue's header.
NO_PLURALS = '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"'
NO_LANGUAGE = '"Language: \\n"'
REVIEW = (
    "# NEEDS REVIEW: please have a fluent speaker review these translations\n"
    "# before a group relies on them (docs/translating.md), then say so here.\n"
)


def fill_new_headers(root=None) -> list:
    """Give each new catalogue its language's code and plural forms."""
    filled = []
    for po in po_files(root or locale_dir()):
        text = po.read_text(encoding="utf-8")
        if NO_PLURALS not in text:
            continue
        code = po.parts[-3]
        try:
            plural = get_plural(code)
        except UnknownLocaleError:
            continue  # the translator fills it in; compiling says so
        text = text.replace(
            NO_PLURALS,
            f'"Plural-Forms: nplurals={plural.num_plurals}; '
            f'plural={plural.plural_expr};\\n"',
        )
        text = text.replace(NO_LANGUAGE, f'"Language: {code}\\n"', 1)
        po.write_text(REVIEW + text, encoding="utf-8")
        filled.append(po)
    return filled
