"""Charts rendered once between the worker processes of `mutua serve --workers`: each rendering is
kept in the data directory, named by its specification's hash."""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from mutua.platform.web import charts

SPEC = charts.spend_by_service([{"name": "HPC", "amount": "12.50"}], "Spend to date per service", "EUR")


@pytest.fixture
def fresh_process() -> Iterator[None]:
    """This process's memory of renderings forgotten, as in a worker that just started."""
    charts._svg.cache_clear()
    shared = list(charts._SHARED)
    yield
    charts._svg.cache_clear()
    charts._SHARED[:] = shared


def _no_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("rendered again")

    monkeypatch.setitem(sys.modules, "vl_convert", types.SimpleNamespace(vegalite_to_svg=refuse))


def test_a_chart_rendered_by_one_worker_is_read_by_another_without_rendering_it_again(
    tmp_path: Path, fresh_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    charts.share_renderings(tmp_path / "cache" / "charts")
    first = charts.render(SPEC, "nl")
    [kept] = (tmp_path / "cache" / "charts").glob("*.svg")
    assert first.endswith(kept.read_text(encoding="utf-8").partition(">")[2])
    charts._svg.cache_clear()  # the other worker: nothing in its memory
    _no_renderer(monkeypatch)
    assert charts.render(SPEC, "nl") == first
    with pytest.raises(AssertionError, match="rendered again"):  # another language is another chart
        charts.render(SPEC, "fr")
    assert not list((tmp_path / "cache" / "charts").glob("*.tmp"))


def test_only_the_newest_renderings_are_kept_when_the_app_starts(
    tmp_path: Path, fresh_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "charts"
    folder.mkdir()
    for i in range(12):
        (folder / f"{i:02d}.svg").write_text("<svg/>", encoding="utf-8")
        os.utime(folder / f"{i:02d}.svg", (1_000_000 + i, 1_000_000 + i))
    monkeypatch.setattr(charts, "_SHARED_KEPT", 5)
    charts.share_renderings(folder)
    assert sorted(f.name for f in folder.glob("*.svg")) == [f"{i:02d}.svg" for i in range(7, 12)]


def test_a_folder_that_cannot_be_made_leaves_each_process_rendering_for_itself(
    tmp_path: Path, fresh_process: None
) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    charts.share_renderings(tmp_path / "file" / "charts")
    assert charts._SHARED == []
    assert charts.render(SPEC, "en").startswith("<svg")
