"""The ``mutua`` command as a person reads it (issue 14, item 11): tables, not Python values;
plurals; names never cut; flags without a ``<bool>``; an empty table says why; a statement of a
month not closed says so and fails. Over the portal tests' small association (January closed)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import open_engine
from mutua.platform.cli.lazy import LazyCommand, resolve
from mutua.platform.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import portal_world as world

runner = CliRunner()


@pytest.fixture(scope="module")
def options(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``--data-dir`` of a SQLite database holding the small association, January invoiced."""
    folder = tmp_path_factory.mktemp("cli")
    engine = open_engine(Settings(data_dir=folder / "data"))
    world.build(engine, folder / "input", users=False)
    engine.dispose()
    opts = ["--data-dir", str(folder / "data")]
    issued = runner.invoke(app, [*opts, "invoices", "issue", "2025-01"])
    assert issued.exit_code == 0, issued.output
    assert "2 documents issued" in issued.output and "2 invoices, 0 credit notes" in issued.output
    return opts


def mutua(options: list[str], *args: str, width: int = 200) -> tuple[int, str]:
    result = runner.invoke(app, [*options, *args], terminal_width=width, env={"COLUMNS": str(width)})
    return result.exit_code, result.output


def test_status_prints_a_table_and_a_sentence_not_a_python_value(options: list[str]) -> None:
    code, output = mutua(options, "status", "2025")
    assert code == 0, output
    assert "2025-01" in output and "closed" in output and "2025-12" in output
    assert "1 of 12 months closed; true-up: not run" in output
    assert "{" not in output and "None" not in output
    code, output = mutua(options, "status", "2025", "--json")
    assert code == 0 and json.loads(output)["periods"][0] == {"period": "2025-01", "status": "closed"}


def test_a_count_of_one_is_singular(options: list[str]) -> None:
    code, output = mutua(options, "invoices", "list", "--period", "2025-01", "--member", world.MEMBER_A)
    assert code == 0, output
    assert "1 document;" in output and "1 documents" not in output


def test_invoices_list_never_cuts_a_name_in_a_narrow_terminal(options: list[str]) -> None:
    code, output = mutua(options, "invoices", "list", "--period", "2025-01", width=90)
    assert code == 0, output
    words = re.findall(r"[A-Za-z]+", output)
    for name in ("Member A agency", "Member B institute"):
        for word in name.split():
            assert word in words, (word, output)  # each word whole, perhaps on the next line


def test_tariffs_show_their_meaningful_decimals_and_a_year_without_tariffs_says_so(options: list[str]) -> None:
    code, output = mutua(options, "tariffs", "list", "2025")
    assert code == 0, output
    assert "0.50 EUR" in output and "medior 60.00" in output and "0.500000" not in output
    code, output = mutua(options, "tariffs", "list", "2026")
    assert code == 0 and "no tariffs for 2026" in output


def test_a_statement_of_a_month_not_closed_says_so_and_fails(options: list[str]) -> None:
    code, output = mutua(options, "statement", "--member", world.MEMBER_A, "--period", "2031-05")
    assert code == 1 and "period 2031-05 is in the future: nothing is charged yet" in output
    code, output = mutua(options, "statement", "--member", world.MEMBER_A, "--period", "2025-02")
    assert code == 1 and "period 2025-02 is not closed yet" in output
    code, output = mutua(options, "statement", "--member", world.MEMBER_A, "--period", "2025-01")
    assert code == 0 and "Case system A" in output


def test_an_empty_usage_table_says_why(options: list[str]) -> None:
    code, output = mutua(options, "metering", "usage", "--period", "2025-01")
    assert code == 0, output
    assert "no usage events metered for 2025-01" in output
    assert "┃" not in output  # no empty table


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under ``command`` (lazy ones loaded), with its path."""
    if isinstance(command, LazyCommand):
        command = resolve(command.spec)
    yield path, command
    if hasattr(command, "list_commands"):
        ctx = command.context_class(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from _commands(sub, (*path, name))


def test_no_flag_takes_a_bool_value_and_no_help_shows_a_bool_metavar() -> None:
    root = typer.main.get_command(app)
    flags = 0
    walked = 0
    for path, command in _commands(root):
        walked += 1
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option" and param.type.name == "boolean":
                assert param.is_flag, (path, param.name)
                flags += 1
        if path and not hasattr(command, "list_commands"):
            result = runner.invoke(app, [*path, "--help"], terminal_width=200)
            assert result.exit_code == 0, (path, result.output)
            assert "<bool>" not in result.output.lower() and "boolean" not in result.output.lower(), path
    assert walked > 30 and flags > 20
