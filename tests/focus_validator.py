"""The FinOps Foundation's focus-validator (PyPI), run in its own Python 3.12 environment
(``.venv-focus``, built by ``make focus``), on a FOCUS CSV file; its console report read back.

The validator exits 0 even when rules fail, so the report is parsed. A rule that fails as one
alternative of an OR rule that passes (InvoiceId-C-004-C "MUST be null" beside InvoiceId-C-005-C
"MUST NOT be null") is not a failure of the dataset: the OR is the requirement.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOCUS_VENV = ROOT / ".venv-focus"
VERSION = "1.2"
MUTUA_CRITERIA = ("UNIT_PRICING_SUPPORTED", "USAGE_MEASUREMENT_SUPPORTED", "PUBLIC_PRICE_LIST_SUPPORTED")
"""What Mutua is, as the validator's applicability criteria: it publishes unit prices (the tariffs,
a public price list) and measures usage; the rules that apply to such a provider are checked."""
_LINE = re.compile(r"^\S+\s+([A-Za-z]+-[A-Z]-\d{3}-[A-Z]): (PASS|FAIL|SKIPPED)\b", re.M)


@dataclass(frozen=True)
class FocusReport:
    status: dict[str, str]  # rule -> PASS | FAIL | SKIPPED
    output: str

    def failed(self, alternatives: dict[str, list[str]]) -> list[str]:
        """Failed rules, not counting the failed alternatives of an OR rule that passed."""
        excused = {
            child
            for parent, children in alternatives.items()
            if self.status.get(parent) == "PASS"
            for child in children
        }
        return sorted(r for r, s in self.status.items() if s == "FAIL" and r not in excused)


def _site_packages() -> Path:
    out = subprocess.run(
        [
            str(FOCUS_VENV / "bin/python"),
            "-c",
            "import focus_validator, os; print(os.path.dirname(os.path.dirname(focus_validator.__file__)))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def or_alternatives() -> dict[str, list[str]]:
    """OR rules of the validator's FOCUS model and the rules they choose between."""
    model = next((_site_packages() / "focus_validator/rules").glob(f"model-{VERSION}*.json"))
    rules = json.loads(model.read_text(encoding="utf-8"))["ModelRules"]
    result: dict[str, list[str]] = {}
    for rule_id, rule in rules.items():
        requirement = rule.get("ValidationCriteria", {}).get("Requirement", {})
        if requirement.get("CheckFunction") == "OR":
            children = [
                i["ModelRuleId"] for i in requirement.get("Items", []) if i.get("CheckFunction") == "CheckModelRule"
            ]
            if children:
                result[rule_id] = children
    return result


def validate(csv_file: Path, criteria: tuple[str, ...] = ()) -> FocusReport:
    """The validator's report on a FOCUS CSV file, declared with the applicability ``criteria``."""
    # The validator reads its currency list by a path relative to its package's parent folder.
    proc = subprocess.run(
        [
            str(FOCUS_VENV / "bin/focus-validator"),
            "--data-file",
            str(csv_file.resolve()),
            "--validate-version",
            VERSION,
            "--block-download",
            *(["--applicability-criteria", ",".join(criteria)] if criteria else []),
        ],
        cwd=_site_packages(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise RuntimeError(f"focus-validator exited {proc.returncode}:\n{output[-3000:]}")
    return FocusReport(dict(_LINE.findall(output)), output)
