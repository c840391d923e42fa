"""Writes docs/cost-model-example.yaml: the demo's cost model (src/mutua/demo/cost-model.yaml, which
has no tariffs) with the tariffs of 2025 that `mutua demo` computes from that year's plan, so that
the README's complete example validates and charges. Run after changing either:
``.venv/bin/python scripts/cost_model_example.py``; ``tests/unit/costing/test_model_names.py``
fails when the example and the demo part ways.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from mutua.costing.modelfile import parse_cost_model
from mutua.demo.generator import DemoBuilder

YEAR = 2025
TARGET = Path(__file__).resolve().parents[1] / "docs" / "cost-model-example.yaml"
HEADER = f"""\
# Mutua cost model: a complete example (`mutua model validate docs/cost-model-example.yaml`).
# The demo's cost model (src/mutua/demo/cost-model.yaml) with the tariffs of {YEAR} that `mutua demo`
# computes from the year's plan (written by scripts/cost_model_example.py). Every part of a cost
# model, with the names members read in Dutch and French (`names`; units are translated by Mutua's
# catalogue unless a service gives `units: {{nl, fr, en}}`). Amounts are text so that they stay exact.
"""


def demo_tariffs(year: int = YEAR) -> list[dict[str, Any]]:
    """The tariffs `mutua demo --year YEAR` gives the demo's model."""
    text = resources.files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")
    builder = DemoBuilder(year)
    builder.build(parse_cost_model(text, "demo cost-model.yaml"))
    return builder.tariffs


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return json.dumps(value) if isinstance(value, str) else str(value)


def example_text() -> str:
    demo = resources.files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")
    body = demo[demo.index("\nname:") + 1 :]
    assert body.rstrip().endswith("tariffs: []"), "the demo's model ends with its empty tariffs"
    body = body.rstrip()[: -len("tariffs: []")]
    tariffs = "".join(f"  - {_flow(t)}\n" for t in demo_tariffs())
    return HEADER + body + f"tariffs:  # {YEAR}, as `mutua demo` computes them\n" + tariffs


def main() -> None:
    TARGET.write_text(example_text(), encoding="utf-8")


if __name__ == "__main__":
    main()
