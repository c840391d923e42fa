"""What every context's commands share: the consoles, ``--json``, error reporting, argument parsing."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from mutua.kernel.periods import Period, PeriodError
from mutua.kernel.problems import MutuaError, Rejected
from mutua.platform.cli.runtime import state
from mutua.platform.i18n import (
    catalogued,
    colon,
    format_day,
    format_moment,
    format_number,
    format_percent,
    labeller,
    plural_translator,
    problem_text,
    translate_message,
    translator,
)

out = Console()
err = Console(stderr=True)
T = TypeVar("T")
BRUSSELS = ZoneInfo("Europe/Brussels")
"""The time zone a person reads a moment in (the association's: Belgium)."""
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def language() -> str:
    settings = getattr(state, "settings", None)
    return settings.language if settings is not None else "en"


def say(message: str, **values: object) -> str:
    """A line a person reads, in the command's language: ``message`` (the English text, the
    ``messages`` catalogue's id) with ``values`` put in. In English it is the message itself."""
    return translator(language(), "messages")(message).format(**values)


def counted(count: int, singular: str, plural_form: str, **values: object) -> str:
    """``1 document``, ``2 documents`` in the command's language, in the form the number takes there
    (French: ``0 document``); ``{n}`` in the messages is the number as the language writes it."""
    form = plural_translator(language(), "messages")(singular, plural_form, count)
    return form.format(n=whole(count), **values)


def whole(number: int) -> str:
    """A whole number as the command's language groups its digits (1,234 / 1.234 / 1 234)."""
    return format_number(Decimal(number), language(), 0)


def between() -> str:
    """A colon between two parts of a line in the command's language (French spaces it)."""
    return colon(language())


def amount(value: str | Decimal) -> str:
    """An amount in euro cents as the command's language writes it: 1,234.56 / 1.234,56 / 1 234,56."""
    lang = language()
    return eur(value) if lang == "en" else format_number(Decimal(value), lang, 2)


def money(value: str | Decimal) -> str:
    """An amount with its currency as the command's language writes it: EUR 1,234.56 (English),
    EUR 1.234,56 (Dutch), 1 234,56 EUR (French)."""
    return f"{amount(value)}\u00a0EUR" if language() == "fr" else f"EUR {amount(value)}"


def signed(value: str | Decimal) -> str:
    """An amount with its sign (a change): +1,234.56 / +1.234,56 / +1 234,56."""
    d = Decimal(value)
    return f"{'+' if d >= 0 else ''}{amount(d)}"


def figure(value: str | Decimal | None, at_least: int = 0) -> str:
    """A number with its meaningful decimals (:func:`decimal_text`) as the command's language
    writes it: 0.5 / 0,5; 1,440,000.00 / 1.440.000,00 / 1 440 000,00."""
    lang = language()
    if value is None or lang == "en":
        return decimal_text(value, at_least)
    d = Decimal(value)
    places = len(format(d.normalize(), "f").partition(".")[2])
    return format_number(d, lang, max(places, at_least))


def percent(value: str | Decimal, sign: bool = False) -> str:
    """A percentage (``47.62`` is 47.62 %) with its decimals: ``47.62 %`` in English as the code
    writes it, ``47,62 %`` in Dutch and French; ``+`` before a rise with ``sign``."""
    d = Decimal(value)
    lang = language()
    if lang == "en":
        return f"{d:+} %" if sign else f"{value} %"
    places = len(format(d, "f").partition(".")[2])
    return f"{'+' if sign and d >= 0 else ''}{format_percent(d, lang, places)}"


def date_text(value: date | datetime) -> str:
    """A day as the command's language writes it: 2025-03-01 in English (ISO), 1 mrt 2025, 1 mars 2025."""
    lang = language()
    return value.isoformat()[:10] if lang == "en" else format_day(value, lang)


def moment(value: datetime) -> str:
    """A moment (UTC when naive, as the database keeps it) as a reader in Belgium reads it, in
    Brussels time: ``2025-02-03 14:05:09+01:00`` in English (ISO, with its offset), ``3 feb 2025,
    14:05:09`` in Dutch, ``3 févr. 2025, 14:05:09`` in French."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    lang = language()
    if lang == "en":
        return aware.astimezone(BRUSSELS).isoformat(sep=" ", timespec="seconds")
    return format_moment(aware, lang, BRUSSELS)


def told(message: str) -> str:
    """A message the code built from a template (an alert: ``CSMART ends on 2027-12-31 (90 days)
    ...``) in the command's language (:func:`translate_message`), the days in it as the language
    writes them (``31 déc. 2027``)."""

    def day(text: str) -> str:
        if _ISO_DAY.fullmatch(text):
            try:
                return date_text(date.fromisoformat(text))
            except ValueError:  # 2025-02-30: not a day, quoted as it is
                return text
        return text

    return translate_message(message, language(), label=day)


class Refusal(typer.BadParameter):
    """A bad parameter said in a language, its ``Invalid value`` too (Click's own words are English)."""

    def __init__(self, message: str, hint: str | None = None, lang: str | None = None) -> None:
        super().__init__(message, param_hint=hint)
        self.language = lang or language()

    def format_message(self) -> str:
        said = translator(self.language, "messages")
        hint: Any = self.param_hint
        if hint is None and self.param is not None and self.ctx is not None:
            hint = self.param.get_error_hint(self.ctx)
        if hint is None:
            return said("Invalid value: {message}").format(message=self.message)
        if isinstance(hint, tuple | list):  # as Click joins them
            hint = " / ".join(repr(h) for h in hint)
        return said("Invalid value for {option}: {message}").format(option=hint, message=self.message)


def refused(message: str, hint: str | None = None, **values: object) -> Refusal:
    """A parameter refused in the command's language (``raise refused(...)``): ``message`` (the
    ``messages`` catalogue's id) with ``values`` put in. Option names and what to type (``--period
    YYYY-MM``) stay as they are."""
    return Refusal(say(message, **values), hint)


def refused_for(reason: object, hint: str | None = None, lang: str | None = None) -> Refusal:
    """A parameter refused for the reason the code gives (a ``ValueError``: ``not a valid Belgian
    enterprise number: '123' (...)``), in the command's language (:func:`translate_message`), or
    in ``lang``."""
    chosen = lang or language()
    return Refusal(translate_message(str(reason), chosen), hint, chosen)


def names() -> Callable[[str | None], str]:
    """How a report shows a name (a service, a centre, a unit) or a code (a method, a status, a
    role) in the command's language: the cost model's names in it, else the catalogues'
    (:func:`mutua.platform.i18n.labeller`); in English, as it is."""
    lang = language()
    if lang == "en":
        return lambda text: "" if text is None else str(text)
    glossary = state.runtime.glossary
    return labeller(lang, glossary(state.uow(), lang) if glossary is not None else None)


def coded(kind: str, code: str) -> str:
    """A code of a kind (``activity``, ``client group``, ``centre kind``) as the command's language
    names it: the ``messages`` catalogue's ``"{kind} {code}"`` (``client group social_security``:
    ``sociale zekerheid``), else the code; in English, the code as it is. (A plain word as an id,
    ``Development``, would also translate a service of that name quoted in a problem.)"""
    lang = language()
    return code if lang == "en" else catalogued(f"{kind} {code}", lang) or code


def run(action: Callable[[], T]) -> T:
    """Run an action; user-facing errors print plainly, in the settings' language, and exit
    non-zero (2: the input is refused, nothing written; 1: the operation is refused)."""
    try:
        return action()
    except Rejected as exc:
        lang = language()
        err.print(escape(translate_message(exc.message, lang)), style="bold red", soft_wrap=True)
        for p in exc.problems[:200]:
            err.print(f"  {problem_text(p, lang)}", markup=False, highlight=False, soft_wrap=True)
        if len(exc.problems) > 200:
            err.print(f"  ... {translate_message(f'and {len(exc.problems) - 200} more', lang)}")
        raise typer.Exit(2) from None
    except MutuaError as exc:
        lang = language()
        head = translate_message("error", lang)
        err.print(
            f"[bold red]{escape(head)}:[/] {escape(translate_message(exc.message, lang))}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def period_arg(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise refused_for(exc) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def eur(value: str | Decimal) -> str:
    return f"{Decimal(value):,.2f}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 document``, ``2 documents``, ``0 entries`` (with ``plural_form``)."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def decimal_text(value: str | Decimal | None, at_least: int = 0) -> str:
    """A number with its meaningful decimals only (``0.500000000`` is ``0.5``), at least ``at_least``
    of them (2 for a price: ``0.50``), never in exponent notation."""
    if value is None:
        return ""
    d = Decimal(value)
    text = format(d.normalize(), "f")
    places = len(text.partition(".")[2])
    return format(d, f",.{max(places, at_least)}f")


def tariff_text(tariff: Mapping[str, Any] | None) -> str:
    """A tariff in words in the command's language, with its meaningful decimals: ``0.50 EUR``,
    ``markup 5.25 %``, ``1,440,000.00 EUR a year (120,000.00 a month)``, ``senior 80.00, medior
    60.00 EUR/h`` (French: ``0,50 EUR``, ``majoration 5,25 %``...)."""
    t = tariff or {}
    unit = "\u00a0EUR" if language() == "fr" else " EUR"
    if t.get("price") is not None:
        return f"{figure(t['price'], 2)}{unit}"
    if t.get("markup") is not None:
        rate = Decimal(t["markup"]) * 100
        return say("markup {rate}", rate=figure(rate) + (" %" if language() == "en" else "\u00a0%"))
    if t.get("annual") is not None:
        annual = Decimal(t["annual"])
        monthly = (annual / 12).quantize(Decimal("0.01"))
        return say("{annual} EUR a year ({monthly} a month)", annual=figure(annual, 2), monthly=figure(monthly, 2))
    if t.get("grades"):
        return ", ".join(f"{g} {figure(v, 2)}" for g, v in t["grades"].items()) + f"{unit}/h"
    return say("No tariff")


def nothing(message: str) -> None:
    """Say why a table is empty (instead of printing an empty one)."""
    out.print(f"[yellow]{message}[/]", highlight=False, soft_wrap=True)


IMPORTED = {
    "ledger": ("{n} ledger row imported from {file}", "{n} ledger rows imported from {file}"),
    "time": ("{n} time row imported from {file}", "{n} time rows imported from {file}"),
    "usage": ("{n} usage row imported from {file}", "{n} usage rows imported from {file}"),
    "members": ("{n} member row imported from {file}", "{n} member rows imported from {file}"),
    "engagements": ("{n} engagement row imported from {file}", "{n} engagement rows imported from {file}"),
    "commitments": ("{n} commitment row imported from {file}", "{n} commitment rows imported from {file}"),
}
"""What an import of each kind says it took (the ``messages`` catalogue's ids, with plural forms)."""


def report_import(kind: str, file: object, action: Callable[[], Any], as_json: bool) -> None:
    """Run an import of ``file`` and say what it took (rows, batch) in the command's language."""
    result = run(action)
    if as_json:
        print_json(result.as_dict())
    else:
        singular, plural_form = IMPORTED[kind]
        said = counted(result.rows, singular, plural_form, file=file)
        if result.batch_id:
            said += " " + say("(batch {batch})", batch=result.batch_id)
        out.print(said, markup=False, highlight=False)
