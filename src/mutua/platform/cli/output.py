"""What every context's commands share: the consoles, ``--json``, error reporting, argument parsing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from mutua.kernel.periods import Period, PeriodError
from mutua.kernel.problems import MutuaError, Rejected

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def run(action: Callable[[], T]) -> T:
    """Run an action; user-facing errors print plainly and exit non-zero (2: the input is refused)."""
    try:
        return action()
    except Rejected as exc:
        err.print(f"[bold red]{exc.message}[/]", soft_wrap=True)
        for p in exc.problems[:200]:
            err.print(f"  {p}", markup=False, highlight=False, soft_wrap=True)
        if len(exc.problems) > 200:
            err.print(f"  ... and {len(exc.problems) - 200} more")
        raise typer.Exit(2) from None
    except MutuaError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
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


def report_import(kind: str, file: object, action: Callable[[], Any], as_json: bool) -> None:
    """Run an import of ``file`` and say what it took (rows, batch)."""
    result = run(action)
    if as_json:
        print_json(result.as_dict())
    else:
        out.print(
            f"{result.rows} {kind} rows imported from {file}"
            + (f" (batch {result.batch_id})" if result.batch_id else "")
        )
