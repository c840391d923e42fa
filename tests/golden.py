"""The demo's published outputs as digests: the report, every issued document's UBL, the statement
PDFs' inputs and the FOCUS export. A refactoring must leave them byte-identical.

Regenerate (only when a change of output is intended and explained in its commit):

    MUTUA_UPDATE_GOLDEN=1 .venv/bin/pytest tests/e2e/test_billing_demo.py -k golden
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

GOLDEN = Path(__file__).parent / "e2e" / "golden" / "demo-2025.json"
UPDATE = os.environ.get("MUTUA_UPDATE_GOLDEN") == "1"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def demo_digests(cli: Callable[..., str], folder: Path) -> dict[str, str]:
    """Digests of what the demo year publishes, produced through the `mutua` command ``cli``."""
    digests = {
        "report": sha(cli("report", "2025", "--json").encode()),
        "invoices": sha(cli("invoices", "list", "--year", "2025", "--json").encode()),
    }
    focus = folder / "focus.csv"
    cli("export", "focus", "--year", "2025", "-o", str(focus))
    digests["focus"] = sha(focus.read_bytes())
    ubl = hashlib.sha256()
    for month in range(1, 13):
        out = folder / f"ubl-{month:02d}"
        cli("invoices", "export", "--period", f"2025-{month:02d}", "--no-pdf", "-o", str(out))
        for path in sorted(out.iterdir()):
            ubl.update(path.name.encode() + b"\0" + path.read_bytes())
    digests["ubl"] = ubl.hexdigest()
    return digests


def check(digests: dict[str, str]) -> dict[str, str]:
    """The stored digests (written first when UPDATE is set)."""
    if UPDATE:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    stored: dict[str, str] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return stored
