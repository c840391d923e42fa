"""Command groups imported when they run, not when ``mutua`` starts.

The composition root lists every command with its help text and the context modules that define
it (:class:`CommandSpec`); ``mutua --help`` reads that table and imports no context. A command
is imported when it is invoked (or asked for its own ``--help``). A group that several contexts
fill (``mutua import``: members from the registry, ledger from charging) merges their groups.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer import _click as click  # Typer's own Click (it vendors one): its types are these
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class CommandSpec:
    """A top-level command.

    Attributes:
        name: the command's name (``mutua NAME``).
        help: its one-line help, shown by ``mutua --help`` without importing it.
        modules: the modules whose Typer ``app`` defines ``NAME`` (a command or a group).
    """

    name: str
    help: str
    modules: tuple[str, ...]


def _load(module: str, name: str) -> click.Command:
    app = importlib.import_module(module).app
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup), f"{module}.app needs a callback, so that it is a group"
    ctx = click.Context(group)
    command = group.get_command(ctx, name)
    if command is None:
        raise LookupError(f"{module} defines no command {name!r}")
    return command


def resolve(spec: CommandSpec) -> click.Command:
    """The real command: one module's, or the groups of several merged into one."""
    commands = [_load(m, spec.name) for m in spec.modules]
    if len(commands) == 1:
        return commands[0]
    merged = TyperGroup(name=spec.name, help=spec.help, no_args_is_help=True)
    for command in commands:
        assert isinstance(command, TyperGroup), f"{spec.name} is defined by several contexts: each must be a group"
        for sub in command.list_commands(click.Context(command)):
            found = command.get_command(click.Context(command), sub)
            if found is not None:
                merged.add_command(found, sub)
    return merged


class LazyCommand(TyperCommand):
    """Stands for a command in the help listing; the real one is loaded to parse and run."""

    def __init__(self, spec: CommandSpec) -> None:
        super().__init__(spec.name, help=spec.help, short_help=spec.help)
        self.spec = spec

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        return resolve(self.spec).make_context(info_name, args, parent=parent, **extra)


def root_group(specs: Sequence[CommandSpec]) -> type[TyperGroup]:
    """A root group class that lists ``specs`` beside the commands defined on it."""
    table = {s.name: s for s in specs}

    class Root(TyperGroup):
        def list_commands(self, ctx: click.Context) -> list[str]:
            return sorted({*super().list_commands(ctx), *table})

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            if cmd_name in table:
                return LazyCommand(table[cmd_name])
            return super().get_command(ctx, cmd_name)

    return Root
