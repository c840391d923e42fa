"""The examples written in the package's docstrings (``>>>``) are run: an example that no longer
holds is a failing test, not a lie in the documentation."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mutua


def _modules_with_examples() -> list[str]:
    found = []
    for info in pkgutil.walk_packages(mutua.__path__, "mutua."):
        if ".migrations" in info.name:  # Alembic's scripts run only under Alembic
            continue
        module = importlib.import_module(info.name)
        if any(t.examples for t in doctest.DocTestFinder().find(module)):
            found.append(info.name)
    return found


MODULES = _modules_with_examples()


def test_the_package_has_examples_to_run() -> None:
    assert len(MODULES) >= 10, MODULES


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of_a_module_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} fail (see the output)"
