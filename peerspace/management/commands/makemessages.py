"""Django's makemessages with Peerspace's defaults (docs/translating.md).

Without -l, every language in settings.LANGUAGES (English as "en", the source
the pseudo-language is made from); files that aren't ours are never read;
each entry names the files it is in but not the lines, so a change elsewhere
in a file doesn't touch every catalogue; strings no longer used are dropped.
Needs GNU gettext (xgettext), like Django's.
"""

from django.conf import settings
from django.core.management.commands import makemessages
from django.utils.translation import to_locale

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
