"""``mutua`` commands of the registry context."""

from __future__ import annotations

from pathlib import Path

import typer

from mutua.platform.cli.output import JsonFlag, report_import
from mutua.platform.cli.runtime import state

app = typer.Typer(no_args_is_help=True)
import_app = typer.Typer(help="CSV imports; each file loads whole or not at all.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@app.callback()
def _group() -> None:
    """Commands of the registry context."""


@import_app.command("members")
def import_members(file: Path, as_json: JsonFlag = False) -> None:
    """Members: enterprise_number, name, category, client_group, language, joined_on[, left_on, vote_weight]."""
    from mutua.registry import service

    report_import("members", file, lambda: service.import_members(state.uow(), file), as_json)


@import_app.command("engagements")
def import_engagements(file: Path, as_json: JsonFlag = False) -> None:
    """Engagements (BSM): code, member, kind, title, service, budget, starts_on[, ends_on, buyer_reference, weight]."""
    from mutua.registry import service

    report_import("engagements", file, lambda: service.import_engagements(state.uow(), file), as_json)


@import_app.command("commitments")
def import_commitments(file: Path, as_json: JsonFlag = False) -> None:
    """Commitments: engagement, period, amount, description."""
    from mutua.registry import service

    report_import("commitments", file, lambda: service.import_commitments(state.uow(), file), as_json)
