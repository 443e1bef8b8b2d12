"""Languages: which ones Peerspace speaks, which way each is written, her own
choice of language, and the catalogues (docs/translating.md).

The .po files in locale/ are the source; the compiled .mo files are built from
them with Babel, in Python, so a fresh machine needs nothing but Python
(`manage.py compile_translations`, run by `make run` and `make test`). Only
finding new strings in the code (`make messages`) needs GNU gettext.
"""

import io
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

# Her own choice of language for this sign-in (see UserLanguageMiddleware).
LANGUAGE_SESSION_KEY = "peerspace_language"
DOMAINS = ("django", "djangojs")


def language_name(code: str) -> str:
    """The language's name in itself ("Polski"), as settings.LANGUAGES has it."""
    return dict(settings.LANGUAGES).get(code, code)


def is_rtl(code: str) -> bool:
    return code.split("-")[0] in settings.LANGUAGES_BIDI


def is_available(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def locale_dir() -> Path:
    """Where the project's own catalogues live (the first of LOCALE_PATHS)."""
    return Path(settings.LOCALE_PATHS[0])


def has_catalogue(code: str) -> bool:
    """Whether Peerspace has its own translations for this language."""
    name = translation.to_locale(code)
    return (locale_dir() / name / "LC_MESSAGES" / "django.po").exists()


def languages_with_catalogue() -> list[tuple[str, str]]:
    """(code, name in itself) of every language an organisation can offer:
    the real ones in settings.LANGUAGES with a catalogue, English first."""
    pseudo = settings.PSEUDO_LANGUAGE[0]
    return [
        (code, name)
        for code, name in settings.LANGUAGES
        if code != pseudo and (code == settings.LANGUAGE_CODE or has_catalogue(code))
    ]


def choosable_languages() -> list[tuple[str, str]]:
    """What someone on the team can choose for her own pages: each language
    with a catalogue, and the pseudo-language where it's switched on."""
    found = languages_with_catalogue()
    if is_available(settings.PSEUDO_LANGUAGE[0]):
        found.append(settings.PSEUDO_LANGUAGE)
    return found


def remember_language(request: HttpRequest, code: str, *, now: bool = True) -> None:
    """Show her pages in this language until she signs out ("" for her browser's);
    with now=False from the next page on (this one is already in another)."""
    if code and is_available(code):
        request.session[LANGUAGE_SESSION_KEY] = code
        if now:
            translation.activate(code)
            request.LANGUAGE_CODE = code
    else:
        request.session.pop(LANGUAGE_SESSION_KEY, None)


# Building the catalogues.


def po_files(root: Path | None = None) -> Iterator[Path]:
    root = root or locale_dir()
    for domain in DOMAINS:
        yield from sorted(root.glob(f"*/LC_MESSAGES/{domain}.po"))


def read_catalogue(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f, ignore_obsolete=True, abort_invalid=True)


class CatalogueError(ValueError):
    """A translation that would break a page: placeholders that don't match."""


def check_catalogue(catalog, path: Path) -> None:
    problems = [
        f"{path}: {message.id!r}: {'; '.join(map(str, errors))}"
        for message, errors in catalog.check()
    ]
    if problems:
        raise CatalogueError("\n".join(problems))


def write_mo(catalog, path: Path) -> None:
    from babel.messages.mofile import write_mo as babel_write_mo

    # Like msgfmt, leave out what isn't translated: Babel would write a plural
    # with no translation as its English, which would then hide a translation
    # further down LOCALE_PATHS (the pseudo-language's, below English).
    for message in list(catalog):
        if message.id and message.pluralizable and not any(message.string):
            catalog.delete(message.id, context=message.context)
    out = io.BytesIO()
    babel_write_mo(out, catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != out.getvalue():
        path.write_bytes(out.getvalue())
    else:
        path.touch()  # up to date with its .po, which is newer


def compile_catalogues(root: Path | None = None, *, force: bool = False) -> list[Path]:
    """Build each .mo older than its .po; returns those built. Refuses
    (CatalogueError) a translation whose placeholders don't match its English."""
    built = []
    for po in po_files(root):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = read_catalogue(po)
        check_catalogue(catalog, po)
        write_mo(catalog, mo)
        built.append(mo)
    return built


# The pseudo-language: every translated string visibly transformed, so a page
# crawled in it shows at once any English that skipped translation.

PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķļɱñöƥɋŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĻṀÑÖƤɊŔŠŢÛṼŴẊÝŽ",
)
# What must pass through untouched: placeholders (%(name)s, %s, {name}), tags
# and entities in translated HTML, and what's between them.
_KEEP = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]"
    r"|\{[\w.]*\}"
    r"|<[^>]*>"
    r"|&#?\w+;"
)


def pseudo_translate(text: str) -> str:
    if not text:
        return text
    parts, last = [], 0
    for match in _KEEP.finditer(text):
        parts.append(text[last : match.start()].translate(_ACCENTED))
        parts.append(match.group())
        last = match.end()
    parts.append(text[last:].translate(_ACCENTED))
    return PSEUDO_OPEN + "".join(parts) + PSEUDO_CLOSE


def _english_sources(domain: str) -> list[Path]:
    """Our English catalogue, then (for django) Django's and each installed
    app's, so their strings in our pages are transformed too."""
    from django.apps import apps

    english = translation.to_locale(settings.LANGUAGE_CODE).split("_")[0]
    ours = [locale_dir() / english / "LC_MESSAGES" / f"{domain}.po"]
    if domain != "django":
        return ours
    import django

    theirs = [Path(django.__file__).parent / "conf" / "locale"]
    theirs += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    return ours + [d / "en" / "LC_MESSAGES" / "django.po" for d in theirs]


def build_pseudo_catalogue(target: Path | None = None) -> Path:
    """The pseudo-language's catalogues, made from the English ones; returns
    the folder to put in LOCALE_PATHS."""
    from babel.messages.catalog import Catalog

    target = Path(target or settings.PSEUDO_LOCALE_PATH)
    name = translation.to_locale(settings.PSEUDO_LANGUAGE[0])
    for domain in DOMAINS:
        pseudo = Catalog(locale="en", domain=domain)
        seen = set()
        for source in _english_sources(domain):
            if not source.exists():
                continue
            for message in read_catalogue(source):
                key = (message.id, message.context)
                if not message.id or key in seen:
                    continue
                seen.add(key)
                if isinstance(message.id, tuple):
                    strings = tuple(
                        pseudo_translate(s or message.id[min(i, 1)])
                        for i, s in enumerate(message.string or ("", ""))
                    )
                else:
                    strings = pseudo_translate(message.string or message.id)
                pseudo.add(message.id, strings, context=message.context)
        write_mo(pseudo, target / name / "LC_MESSAGES" / f"{domain}.mo")
    return target
