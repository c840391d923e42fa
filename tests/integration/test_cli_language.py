"""The ``mutua`` command says what went wrong in the reader's language: ``--lang``, else
``MUTUA_LANG``, else the system's locale (``LANG``), else English; the exit codes stay the same."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mutua.bootstrap import cli as app

runner = CliRunner()


def _close(tmp_path: Path, *options: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), *options, "close", "2026-01"], env=env)
    return result.exit_code, result.output


def test_a_refusal_is_said_in_the_language_chosen_by_flag_or_variable(tmp_path: Path) -> None:
    code, output = _close(tmp_path, "--lang", "fr")
    assert code == 1
    assert "aucun modèle de coûts n'a encore été importé" in output
    assert "no cost model" not in output
    code, output = _close(tmp_path, env={"MUTUA_LANG": "nl"})
    assert code == 1
    assert "er is nog geen kostenmodel ingelezen" in output
    code, output = _close(tmp_path, "--lang", "en", env={"MUTUA_LANG": "nl"})  # the flag wins
    assert code == 1 and "no cost model has been imported yet" in output


def test_without_a_choice_the_system_locale_is_used_and_else_english(tmp_path: Path) -> None:
    code, output = _close(
        tmp_path, env={"MUTUA_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "fr_BE.UTF-8"}
    )
    assert code == 1 and "aucun modèle de coûts" in output
    code, output = _close(tmp_path, env={"MUTUA_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"})
    assert code == 1 and "no cost model has been imported yet" in output


def test_an_unknown_language_is_refused_as_a_bad_option(tmp_path: Path) -> None:
    code, output = _close(tmp_path, "--lang", "de")
    assert code == 2
    assert "--lang" in output and "nl, fr, en" in output


def test_an_empty_language_variable_is_as_good_as_none(tmp_path: Path) -> None:
    code, output = _close(tmp_path, env={"MUTUA_LANG": "", "LC_ALL": None, "LC_MESSAGES": None, "LANG": "nl_BE.UTF-8"})
    assert code == 1 and "er is nog geen kostenmodel ingelezen" in output
