"""Benchmark: the demo year's documents. Builds the demo (which issues every invoice and credit
note), then times the FOCUS export, one PDF rendering, and - where ../shared/validation is present -
the EN 16931 + Peppol BIS 3 validation of every document. Prints one JSON object on its last line.

    .venv/bin/python bench/bench_billing.py [--year 2025] [--validate N]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from mutua.billing import db as tb
from mutua.billing import service as billing
from mutua.bootstrap import open_engine, unit_of_work
from mutua.demo.service import run_demo
from mutua.platform.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--validate", type=int, default=300, help="documents to validate (0: none, -1: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(Settings(Path(tmp), os.environ.get("MUTUA_DATABASE_URL"), "bench"))
        steps: dict[str, float] = {}
        last = [time.perf_counter()]

        def progress(what: str, _done: int) -> None:
            now = time.perf_counter()
            steps[what] = now - last[0]
            last[0] = now

        start = time.perf_counter()
        result = run_demo(unit_of_work(engine, "bench"), Path(tmp) / "input", args.year, progress)
        demo_seconds = time.perf_counter() - start
        documents = sum(d["documents"] for d in result["documents"])
        t = time.perf_counter()
        export = billing.focus_export(unit_of_work(engine, "bench"), args.year)
        export.to_csv()
        focus_seconds = time.perf_counter() - t
        t = time.perf_counter()
        billing.invoice_pdf(unit_of_work(engine, "bench"), f"{args.year}-000001")
        pdf_seconds = time.perf_counter() - t
        report: dict[str, object] = {
            "documents": documents,
            "demo_seconds": round(demo_seconds, 1),
            "issue_seconds": round(steps.get("invoices and credit notes", 0.0), 2),
            "focus_rows": len(export.rows),
            "focus_seconds": round(focus_seconds, 2),
            "pdf_seconds": round(pdf_seconds, 2),
        }
        if args.validate and SHARED.is_dir():
            import sys

            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
            from tests.einvoice import Validator

            with engine.connect() as c:
                rows = c.execute(select(tb.billing_documents.c.ubl).order_by(tb.billing_documents.c.id)).scalars().all()
            if args.validate > 0:
                rows = rows[: args.validate]
            t = time.perf_counter()
            validator = Validator(SHARED)
            compiled = time.perf_counter() - t
            failing = sum(1 for xml in rows if validator.failures(xml))
            elapsed = time.perf_counter() - t - compiled
            report.update(
                validated=len(rows),
                failing=failing,
                compile_seconds=round(compiled, 2),
                validate_ms_per_document=round(1000 * elapsed / max(1, len(rows)), 1),
            )
        engine.dispose()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
