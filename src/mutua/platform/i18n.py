"""Languages (NL/FR/EN) with Babel: message catalogues per domain, and locale-aware formatting.

Catalogues are gettext ``.po`` files under ``mutua/locale/<lang>/LC_MESSAGES/<domain>.po`` (one
domain per adapter: ``billing``, ``portal`` ...), read directly with Babel, so no compile step is
needed. A message missing from a catalogue falls back to the English text given in the code.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import cache
from importlib import resources

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from mutua.kernel.problems import Problem

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
def _read_catalog(language: str, domain: str) -> Catalog | None:
    """A domain's ``.po`` file in ``language``, read once; None when there is none."""
    path = resources.files("mutua").joinpath(f"locale/{language}/LC_MESSAGES/{domain}.po")
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=_LOCALES[language])


@cache
def _catalogue(language: str, domain: str) -> dict[str, str]:
    catalog = _read_catalog(language, domain)
    if catalog is None:
        return {}
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy and not m.pluralizable}


def _english_plural(n: int) -> int:
    return 0 if n == 1 else 1


@cache
def _plural_catalogue(language: str, domain: str) -> tuple[dict[str, tuple[str, ...]], Callable[[int], int]]:
    """The catalogue's messages with plural forms (``msgid_plural``, ``msgstr[i]``), by singular,
    and which form a number takes (the catalogue's ``Plural-Forms``)."""
    catalog = _read_catalog(language, domain)
    if catalog is None:
        return {}, _english_plural
    forms = {
        str(m.id[0]): tuple(str(s) for s in m.string)
        for m in catalog
        if m.pluralizable and not m.fuzzy and isinstance(m.string, tuple) and all(m.string)
    }
    return forms, gettext.c2py(catalog.plural_expr)


def plural_translator(language: str, domain: str) -> Callable[[str, str, int], str]:
    """``ngettext`` for a language and domain: the form of ``singular`` (or ``plural``, their
    English) that the number ``n`` takes in the language: French writes ``0 refusé``, ``1 refusé``,
    ``2 refusés``; Dutch and English ``1`` alone in the singular. A message missing from the
    catalogue falls back to the English forms.

    >>> plural_translator("fr", "messages")("{n} rejected", "{n} rejected", 0).format(n=0)
    '0 refusé'
    """
    forms, choose = _plural_catalogue(normalise(language), domain)

    def ngettext(singular: str, plural: str, n: int) -> str:
        found = forms.get(singular)
        if not found:
            return singular if n == 1 else plural
        return found[min(choose(n), len(found) - 1)]

    return ngettext


def translator(language: str, domain: str) -> Callable[[str], str]:
    """``_`` for a language and domain: returns the translation, or the message itself."""
    messages = _catalogue(normalise(language), domain)

    def gettext(message: str) -> str:
        return messages.get(message, message)

    return gettext


@cache
def _patterns(language: str, domain: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The catalogue's messages with ``{placeholders}`` as patterns that match a whole text."""
    found = []
    for msgid, text in _catalogue(language, domain).items():
        if "{" not in msgid:
            continue
        parts = re.split(r"\{(\w+)\}", msgid)
        pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        try:
            found.append((re.compile(pattern + r"\Z", re.DOTALL), text))
        except re.error:  # a placeholder used twice: not a pattern
            continue
    found.sort(key=lambda x: -len(x[0].pattern))  # the most specific first
    return tuple(found)


def translate_message(
    message: str, language: str, domain: str = "messages", label: Callable[[str], str] | None = None
) -> str:
    """A message built from a template (a problem, an error: ``no 2026 tariff for VMAAS``) in
    ``language``: the catalogue's text for the whole message, else for the template it matches
    (``no {year} tariff for {service}``, its values put back in), else the message itself. A
    message of several parts (``cost model: tariffs: ...``) is translated part by part; ``label``
    (:func:`labeller`) shows a value that no message matches (a service's name)."""
    lang = normalise(language)
    messages = _catalogue(lang, domain)
    if message in messages:
        return messages[message]
    for pattern, text in _patterns(lang, domain):
        hit = pattern.match(message)
        if hit is not None:
            values = {k: _value(v, lang, domain, label) for k, v in hit.groupdict().items()}
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                return message
    head, sep, tail = message.partition(": ")
    if sep and tail:
        between = colon(lang)
        return f"{translate_message(head, lang, domain, label)}{between}{translate_message(tail, lang, domain, label)}"
    return label(message) if label is not None else message


def colon(language: str) -> str:
    """A colon as the language writes it: French puts a space before it."""
    return " : " if language == "fr" else ": "


def semicolon(language: str) -> str:
    """A semicolon as the language writes it: French puts a space before it."""
    return " ; " if language == "fr" else "; "


_DECIMAL = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+\.\d+")
"""A number as the code writes it with a decimal point (``1950.00``, ``100,000,000.00``): an
amount, a price, a rate. Integers (a line, a year, a CPV code) are not."""


def _value(text: str, language: str, domain: str, label: Callable[[str], str] | None) -> str:
    """A value put back into a translated template: a decimal number in the language's format
    (``1.950,00`` in Dutch, ``1 950,00`` in French), else the value translated as a message."""
    if language != "en" and _DECIMAL.fullmatch(text):
        number = Decimal(text.replace(",", ""))
        return format_number(number, language, len(text.partition(".")[2]))
    return translate_message(text, language, domain, label)


def problem_text(problem: Problem, language: str, label: Callable[[str], str] | None = None) -> str:
    """A problem as a reader reads it in ``language``: ``file:line: field: message`` with the
    source, field and message translated (``translate_message``), French spacing before a colon.

    >>> problem_text(Problem("list.csv", 5, "period", "not a period (YYYY-MM): 2025-13"), "fr")
    'list.csv:5 : période : pas une période (AAAA-MM) : 2025-13'
    """
    lang = normalise(language)
    between = colon(lang)
    where = translate_message(problem.source, lang, label=label)
    if problem.line is not None:
        where += f":{problem.line}"
    if problem.field:
        where += between + translate_message(problem.field, lang, label=label)
    return where + between + translate_message(problem.message, lang, label=label)


def catalogued(code: str | None, language: str) -> str | None:
    """A code of the ``messages`` catalogue (a role, a method, a mode) in ``language``, else None."""
    return None if code is None else _catalogue(normalise(language), "messages").get(str(code))


def labeller(language: str, glossary: Mapping[str, str] | None = None) -> Callable[[str | None], str]:
    """How a name a member reads is shown in ``language``: a name from the cost model (service,
    centre, account, unit) through ``glossary`` (:meth:`CostModel.glossary`), else a unit or a
    code (role, method, status) through the ``units`` and ``messages`` catalogues, else as it is."""
    lang = normalise(language)
    known = glossary or {}
    units = _catalogue(lang, "units")
    messages = _catalogue(lang, "messages")

    def label(text: str | None) -> str:
        if text is None:
            return ""
        key = str(text)
        found = known.get(key) or units.get(key) or messages.get(key)
        if found:
            return found
        code, space, name = key.partition(" ")  # "61 Services", "ADM Administration": a code and a name
        if space and name in known:
            return f"{code} {known[name]}"
        name, bracket, detail = key.partition(" (")  # "Development (senior)": a name and its detail
        if bracket and name in known:
            return f"{known[name]} ({detail}"
        return key

    return label


def format_money(amount: Decimal, language: str, currency: str = "EUR") -> str:
    return str(format_currency(amount, currency, locale=locale(language)))


def format_number(value: Decimal, language: str, places: int | None = None) -> str:
    pattern = None if places is None else "#,##0." + "0" * places if places else "#,##0"
    return str(format_decimal(value, format=pattern, locale=locale(language)))


def format_percent(value: Decimal | str, language: str, places: int = 2) -> str:
    """A percentage (``47.62`` is 47.62 %) in the language's format: ``47,62 %`` in NL and FR,
    the sign after a non-breaking space."""
    return f"{format_number(Decimal(value), language, places)}\u00a0%"


def format_fraction_as_percent(value: Decimal | str, language: str) -> str:
    """A fraction (a markup of ``0.0525``) as a percentage with its meaningful decimals: ``5,25 %``."""
    d = (Decimal(value) * 100).normalize()
    exponent = d.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_percent(d, language, places)


def format_day(day: date | datetime, language: str, style: str = "medium") -> str:
    return str(_format_date(day, format=style, locale=locale(language)))


def format_moment(moment: datetime, language: str, zone: tzinfo, style: str = "medium") -> str:
    """A moment (an aware datetime) as the language writes a day and a time in ``zone``:
    ``3 feb 2025, 14:05:09`` (Dutch), ``3 févr. 2025, 14:05:09`` (French)."""
    return str(_format_datetime(moment, format=style, tzinfo=zone, locale=locale(language)))


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
