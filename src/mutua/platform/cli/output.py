"""What every context's commands share: the consoles, ``--json``, error reporting, argument parsing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from mutua.kernel.periods import Period, PeriodError
from mutua.kernel.problems import MutuaError, Rejected
from mutua.platform.cli.runtime import state
from mutua.platform.i18n import problem_text, translate_message

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def language() -> str:
    settings = getattr(state, "settings", None)
    return settings.language if settings is not None else "en"


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
        raise typer.BadParameter(str(exc)) from None


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
    """A tariff in words with its meaningful decimals: ``0.50 EUR``, ``markup 5.25 %``,
    ``1,440,000.00 EUR a year (120,000.00 a month)``, ``senior 80.00, medior 60.00 EUR/h``."""
    t = tariff or {}
    if t.get("price") is not None:
        return f"{decimal_text(t['price'], 2)} EUR"
    if t.get("markup") is not None:
        return f"markup {decimal_text(Decimal(t['markup']) * 100)} %"
    if t.get("annual") is not None:
        annual = Decimal(t["annual"])
        monthly = (annual / 12).quantize(Decimal("0.01"))
        return f"{decimal_text(annual, 2)} EUR a year ({decimal_text(monthly, 2)} a month)"
    if t.get("grades"):
        return ", ".join(f"{g} {decimal_text(v, 2)}" for g, v in t["grades"].items()) + " EUR/h"
    return "none"


def nothing(message: str) -> None:
    """Say why a table is empty (instead of printing an empty one)."""
    out.print(f"[yellow]{message}[/]", highlight=False, soft_wrap=True)


def report_import(kind: str, file: object, action: Callable[[], Any], as_json: bool) -> None:
    """Run an import of ``file`` and say what it took (rows, batch)."""
    result = run(action)
    if as_json:
        print_json(result.as_dict())
    else:
        out.print(
            f"{plural(result.rows, kind + ' row')} imported from {file}"
            + (f" (batch {result.batch_id})" if result.batch_id else "")
        )
