"""Translations: gettext catalogues (``locale/``) read with Babel, per session, English as the source.

Streamlit runs many sessions in threads of one process, so the language is never installed
process-wide: a ``ContextVar`` holds the current run's language. ``app.py`` sets it at the start
of every run; anything that runs outside a session (the CLI, tests) gets English.

Messages are marked with ``_()`` (translated now), ``ngettext()`` (plural forms) or ``N_()``
(marked for extraction, translated later with ``_()``), and use ``str.format`` placeholders
(``_("Total in {period}").format(period=...)``) so translators can move them. The catalogues are
``locale/messages.pot`` and ``locale/<lang>/LC_MESSAGES/messages.po``; docs/languages-and-links.md
says how to update them.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR: Final = Path(__file__).resolve().parents[2] / "locale"
DOMAIN: Final = "messages"
DEFAULT_LANGUAGE: Final = "en"
# Interface languages and the Babel locale that formats numbers, money and dates for each.
# English uses CLDR's international English ("en"): €1,234.56, "Sep 2026", week from Monday.
LANGUAGES: Final[dict[str, str]] = {"en": "en", "nl": "nl_NL"}
# Each language's own name, as the picker shows it (never translated: a reader finds their language).
LANGUAGE_NAMES: Final[dict[str, str]] = {"en": "English", "nl": "Nederlands"}

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def normalize_language(tag: str | None) -> str | None:
    """The supported language of a tag such as ``nl``, ``nl-NL``, ``nl_BE`` or ``en-US``; ``None`` if unsupported."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def set_language(language: str) -> None:
    """Make ``language`` the current run's language (unsupported tags fall back to English)."""
    _language.set(normalize_language(language) or DEFAULT_LANGUAGE)


def get_language() -> str:
    """The current run's language code (``en`` or ``nl``)."""
    return _language.get()


def current_locale() -> str:
    """The Babel locale of the current language, for numbers, money and dates."""
    return LANGUAGES[get_language()]


def cli_language() -> str:
    """The command line's language: ``AZDASH_LANG`` (``en`` or ``nl``), else English.

    The JSON output never depends on it; only the human summary does.
    """
    return normalize_language(os.environ.get("AZDASH_LANG")) or DEFAULT_LANGUAGE


@contextmanager
def language(code: str) -> Iterator[None]:
    """Run a block in ``code`` (tests, the CLI); the previous language is restored after."""
    token = _language.set(normalize_language(code) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def catalogue_path(code: str) -> Path:
    """Where the ``.po`` catalogue of ``code`` lives."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(code: str) -> Catalog | None:
    """The parsed catalogue of ``code`` (read once per process; ``None`` for English or a missing file)."""
    if code == DEFAULT_LANGUAGE:
        return None
    path = catalogue_path(code)
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=LANGUAGES[code], domain=DOMAIN)


@cache
def translations(code: str) -> gettext.NullTranslations:
    """Translations of ``code``, compiled in memory from the ``.po`` (fuzzy and empty entries are left out)."""
    found = catalogue(code)
    if found is None:
        return gettext.NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, found, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """``message`` in the current language (the English text when no translation exists)."""
    return translations(get_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the current language."""
    return translations(get_language()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - gettext convention
    """Mark ``message`` for extraction without translating it yet (for constants built at import)."""
    return message


def is_translated(text: str) -> bool:
    """Whether the current language has its own text for ``text`` (English always has)."""
    if get_language() == DEFAULT_LANGUAGE:
        return True
    found = catalogue(get_language())
    message = found.get(text) if found is not None else None
    return message is not None and bool(message.string) and not message.fuzzy


# --- keeping the catalogues up to date (``python -m lib.core.i18n``) ----------------------------------

SOURCE_GLOBS: Final = ("app.py", "lib/**/*.py", "pages/**/*.py")
KEYWORDS: Final = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def source_files(root: Path = LOCALE_DIR.parent) -> list[Path]:
    """The files whose messages the catalogues must hold."""
    return sorted({path for pattern in SOURCE_GLOBS for path in root.glob(pattern) if "__pycache__" not in path.parts})


def extract(root: Path = LOCALE_DIR.parent) -> Catalog:
    """Every message marked in the source, as a template catalogue (what ``messages.pot`` holds)."""
    from babel.messages.extract import extract_from_file

    template = Catalog(project="azure-usage-dashboard", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for path in source_files(root):
        relative = path.relative_to(root).as_posix()
        for line, message, comments, context in extract_from_file("python", path, keywords=KEYWORDS, strip_comment_tags=True):
            template.add(message, None, [(relative, line)], auto_comments=comments, context=context)
    return template


def update_catalogues(root: Path = LOCALE_DIR.parent) -> list[Path]:
    """Rewrite ``messages.pot`` from the source and merge it into every language's ``.po``.

    Existing translations are kept; new messages arrive with an empty translation (the catalogue
    test fails until someone writes it); messages gone from the source are dropped.
    """
    from babel.messages.pofile import write_po

    template = extract(root)
    written = []
    pot = root / "locale" / f"{DOMAIN}.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    with pot.open("wb") as handle:
        write_po(handle, template, width=120, omit_header=False, sort_output=False, include_lineno=False)
    written.append(pot)
    for code, locale in LANGUAGES.items():
        if code == DEFAULT_LANGUAGE:
            continue
        path = root / "locale" / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            with path.open("rb") as handle:
                existing = read_po(handle, locale=locale, domain=DOMAIN)
        else:
            existing = Catalog(locale=locale, domain=DOMAIN, project="azure-usage-dashboard", fuzzy=False)
        existing.update(template, no_fuzzy_matching=True, update_header_comment=False)
        existing.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, existing, width=120, omit_header=False, sort_output=False, include_lineno=False, ignore_obsolete=True)
        written.append(path)
    catalogue.cache_clear()
    translations.cache_clear()
    return written


if __name__ == "__main__":
    for written_path in update_catalogues():
        print(f"updated {written_path}")
