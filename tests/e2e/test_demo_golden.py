"""The demo year's published outputs are byte-identical to the stored digests: a refactoring that
changes a report, a document or the FOCUS export fails here (see tests/golden.py to regenerate)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from tests import golden

runner = CliRunner()


def test_the_demo_publishes_byte_identical_reports_documents_and_focus(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    def cli(*args: str) -> str:
        result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
        assert result.exit_code == 0, result.output
        return result.output

    cli("demo", "--json")
    digests = golden.demo_digests(cli, tmp_path)
    assert digests == golden.check(digests)
