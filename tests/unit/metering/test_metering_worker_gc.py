"""A metering worker (``mutua metering serve``'s app) sets its garbage collector for batches."""

import json
import os
import subprocess
import sys
from pathlib import Path

from mutua.metering.http import GC_THRESHOLDS, UNIT_OF_WORK_VARIABLE

WORKER = """
import gc, json
from mutua.metering.http import app_from_env
before = (gc.get_freeze_count(), gc.get_threshold())
app = app_from_env()
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold(),
                  "routes": sorted(r.path for r in app.routes)}))
"""


def test_a_worker_freezes_the_objects_of_its_startup_and_collects_the_young_less_often(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MUTUA_DATA_DIR": str(tmp_path / "data"),
        UNIT_OF_WORK_VARIABLE: "mutua.bootstrap:unit_of_work",
    }
    env.pop("MUTUA_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == [0, [700, 10, 10]]  # Python's own, before the worker's app is made
    assert seen["frozen"] > 10_000  # the imported modules' objects
    assert tuple(seen["thresholds"]) == GC_THRESHOLDS
    assert "/events" in seen["routes"]
