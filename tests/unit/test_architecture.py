"""The domain core imports no framework: only the standard library, stdnum and itself."""

import ast
from pathlib import Path

import mutua.domain

ALLOWED = {"stdnum", "mutua"}
DOMAIN = Path(mutua.domain.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_core_imports_only_the_standard_library_and_itself() -> None:
    import sys

    offenders = {}
    for path in sorted(DOMAIN.glob("*.py")):
        foreign = {n for n in _imports(path) if n not in ALLOWED and n not in sys.stdlib_module_names}
        if foreign:
            offenders[path.name] = sorted(foreign)
    assert offenders == {}


def test_the_domain_core_never_imports_an_adapter_or_a_service() -> None:
    for path in DOMAIN.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("mutua.adapters", "mutua.services")), (path.name, node.module)
