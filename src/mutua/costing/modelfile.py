"""The cost model as a YAML file: read with exact numbers and line numbers, written back canonically."""

from __future__ import annotations

import functools
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from mutua.costing.domain.model import CostModel, build_cost_model, cost_model_to_data
from mutua.kernel.problems import Problem, Rejected


class _ExactLoader(yaml.SafeLoader):
    """A safe loader that reads numbers with a fraction as ``Decimal``, never ``float``."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def _line_map(text: str) -> dict[str, int]:
    """Map every field path (``centres[2].kind``) to its 1-based line in the YAML text."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        lines.setdefault(path or "(top)", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = f"{path}.{key}" if path else key
                lines[child] = key_node.start_mark.line + 1
                walk(value_node, child)
                lines[child] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, "")
    return lines


def _line_of(path: str | None, lines: dict[str, int]) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def parse_cost_model(text: str, source: str) -> CostModel:
    """Parse and validate a cost model; raise :class:`Rejected` naming file, line and field."""
    try:
        data: Any = yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise Rejected(
            [Problem(source, line, None, f"not valid YAML: {getattr(exc, 'problem', exc)}")], "cost model"
        ) from exc
    model, problems = build_cost_model(data, source)
    if problems or model is None:
        lines = _line_map(text)
        raise Rejected([Problem(source, _line_of(p.field, lines), p.field, p.message) for p in problems], "cost model")
    return model


def read_cost_model(path: Path) -> tuple[CostModel, str]:
    """The model in ``path`` and its text."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Rejected([Problem(str(path), None, None, f"cannot read: {exc}")], "cost model") from exc
    return parse_cost_model(text, str(path)), text


def dump_cost_model(model: CostModel) -> str:
    header = "# Mutua cost model. Amounts are text so that they stay exact.\n"
    return header + yaml.safe_dump(cost_model_to_data(model), sort_keys=False, allow_unicode=True, width=100)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=8)
def parsed_cost_model(sha: str, text: str, source: str) -> CostModel:
    """:func:`parse_cost_model`, once per content (models are immutable; the key is their SHA-256)."""
    return parse_cost_model(text, source)
