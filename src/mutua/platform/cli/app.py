"""The ``mutua`` command (Typer + Rich): the global options, the platform's own ``audit``, and the
contexts' commands, listed by the composition root and imported only when they run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mutua.platform.audit import audit_trail
from mutua.platform.cli.lazy import CommandSpec, root_group
from mutua.platform.cli.output import JsonFlag, coded, counted, moment, nothing, out, print_json, refused_for, say
from mutua.platform.cli.runtime import Runtime, state
from mutua.platform.settings import Settings, command_language


def build(specs: Sequence[CommandSpec], runtime: Runtime) -> typer.Typer:
    """The root command over the contexts' ``specs``; ``runtime`` comes from the composition root."""
    app = typer.Typer(
        name="mutua",
        help="Mutua: the cost-sharing close of an ICT association.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        cls=root_group(specs),
    )

    @app.callback()
    def main_options(
        ctx: typer.Context,
        data_dir: Annotated[
            Path | None,
            typer.Option("--data-dir", envvar="MUTUA_DATA_DIR", help="Folder of the embedded files (SQLite, Parquet)."),
        ] = None,
        database_url: Annotated[
            str | None,
            typer.Option(
                "--database-url", envvar="MUTUA_DATABASE_URL", help="PostgreSQL URL; default: SQLite in the data dir."
            ),
        ] = None,
        actor: Annotated[
            str | None, typer.Option("--actor", envvar="MUTUA_ACTOR", help="Name written in the audit trail.")
        ] = None,
        language: Annotated[
            str | None,
            typer.Option(
                "--lang",
                envvar="MUTUA_LANG",
                help="Language of the messages: nl, fr or en; default: the system's (LANG), else en.",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        try:
            state.settings = Settings.from_env(data_dir, database_url, actor, language)
        except ValueError as exc:  # said in the system's language (LANG), the one asked for being none
            raise refused_for(exc, "--lang", command_language(None, os.environ)) from None
        state.runtime = runtime
        state._engine = None
        ctx.call_on_close(state.close)

    app.command("audit")(audit)
    return app


def audit(limit: int = 50, as_json: JsonFlag = False) -> None:
    """The newest entries of the audit trail (the times in Brussels time)."""
    entries = audit_trail(state.uow(), limit)
    if as_json:
        print_json(
            [
                {
                    "id": e.id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "entity": e.entity,
                    "entity_key": e.key,
                    "detail": e.detail,
                }
                for e in entries
            ]
        )
        return
    if not entries:
        nothing(say("the audit trail holds no entry yet"))
        return
    table = Table(title=say("Audit trail (Brussels time)"))
    for header in (say("When"), say("Who"), say("Action"), say("Object"), say("Reference")):
        table.add_column(header)
    for e in entries:
        action = coded("audit action", e.action)
        table.add_row(moment(e.at), e.actor, action, coded("audit entity", e.entity), e.key)
    out.print(table)
    said = counted(len(entries), "{n} entry, the newest first", "{n} entries, the newest first")
    if len(entries) == limit:
        said += " " + say("(--limit {more} shows older ones)", more=limit * 2)
    out.print(said, markup=False, highlight=False)
