"""Languages (NL/FR/EN) with Babel: message catalogues per domain, and locale-aware formatting.

Catalogues are gettext ``.po`` files under ``mutua/locale/<lang>/LC_MESSAGES/<domain>.po`` (one
domain per adapter: ``billing``, ``portal`` ...), read directly with Babel, so no compile step is
needed. A message missing from a catalogue falls back to the English text given in the code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources

from babel import Locale
from babel.dates import format_date as _format_date
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LANGUAGES = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "nl"
_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}


def normalise(language: str | None) -> str:
    """One of ``nl``, ``fr``, ``en`` (the default for anything else)."""
    code = (language or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def locale(language: str) -> Locale:
    return Locale.parse(_LOCALES[normalise(language)])


@cache
def _catalogue(language: str, domain: str) -> dict[str, str]:
    path = resources.files("mutua").joinpath(f"locale/{language}/LC_MESSAGES/{domain}.po")
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=_LOCALES[language])
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def translator(language: str, domain: str) -> Callable[[str], str]:
    """``_`` for a language and domain: returns the translation, or the message itself."""
    messages = _catalogue(normalise(language), domain)

    def gettext(message: str) -> str:
        return messages.get(message, message)

    return gettext


def format_money(amount: Decimal, language: str, currency: str = "EUR") -> str:
    return str(format_currency(amount, currency, locale=locale(language)))


def format_number(value: Decimal, language: str, places: int | None = None) -> str:
    pattern = None if places is None else "#,##0." + "0" * places if places else "#,##0"
    return str(format_decimal(value, format=pattern, locale=locale(language)))


def format_day(day: date | datetime, language: str, style: str = "medium") -> str:
    return str(_format_date(day, format=style, locale=locale(language)))


def preferred_language(accept_language: str | None) -> str:
    """The first of NL/FR/EN in an HTTP ``Accept-Language`` header, by quality; default NL."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked = []
    for part in accept_language.split(","):
        piece = part.strip().split(";q=")
        try:
            quality = float(piece[1]) if len(piece) > 1 else 1.0
        except ValueError:
            quality = 0.0
        ranked.append((quality, piece[0].strip().lower()[:2]))
    for _, code in sorted(ranked, key=lambda x: -x[0]):
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
