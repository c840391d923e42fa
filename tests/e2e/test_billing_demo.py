"""The demo year's documents, as `mutua demo` issues them: every invoice and credit note through the
official EN 16931 and Peppol BIS 3 rules, the members' net billing against their actual cost, the
FOCUS export through the FinOps validator, and the `mutua invoices` / `mutua export` commands."""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from mutua.billing import db as tb
from mutua.bootstrap import cli as app
from mutua.charging import db as charging_db
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url
from mutua.registry import db as registry_db
from tests import focus_validator
from tests.conftest import IN_CI, SHARED
from tests.einvoice import Validator

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("billing-demo")
    result = runner.invoke(app, ["--data-dir", str(data_dir), "demo", "--json"])
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture(scope="module")
def demo_engine(demo_dir: Path) -> Iterator[Engine]:
    engine = make_engine(sqlite_url(demo_dir))
    yield engine
    engine.dispose()


def cli(demo_dir: Path, *args: str) -> str:
    result = runner.invoke(app, ["--data-dir", str(demo_dir), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_issues_a_monthly_invoice_per_charged_member_and_the_true_up_documents(demo_dir: Path) -> None:
    documents = json.loads(cli(demo_dir, "invoices", "list", "--year", "2025", "--json"))
    purposes = {(d["purpose"], d["kind"]) for d in documents}
    assert purposes == {("period", "invoice"), ("true_up", "invoice"), ("true_up", "credit_note")}
    monthly = [d for d in documents if d["purpose"] == "period"]
    assert {d["period"] for d in monthly} == {f"2025-{m:02d}" for m in range(1, 13)}
    assert len({(d["member"], d["period"]) for d in monthly}) == len(monthly)


def test_every_document_the_demo_issues_passes_en16931_and_peppol_bis3(demo_engine: Engine) -> None:
    if not SHARED.is_dir():
        message = f"{SHARED} is absent (it is beside the repository in CI, not on a user's clone)"
        (pytest.fail if IN_CI else pytest.skip)(message)
    validator = Validator(SHARED)
    with demo_engine.connect() as c:
        rows = c.execute(select(tb.billing_documents.c.number, tb.billing_documents.c.ubl)).all()
    assert len(rows) > 2000
    start = time.perf_counter()
    failures = {number: validator.failures(xml) for number, xml in rows}
    failures = {k: [str(f) for f in v] for k, v in failures.items() if v}
    elapsed = time.perf_counter() - start
    assert failures == {}, f"{len(failures)} documents fail; first: {next(iter(failures.items()))}"
    print(f"{len(rows)} documents validated against both rule sets in {elapsed:.1f} s")


def test_for_each_member_invoices_minus_credit_notes_equal_its_actual_cost_share(
    demo_dir: Path, demo_engine: Engine
) -> None:
    documents = json.loads(cli(demo_dir, "invoices", "list", "--year", "2025", "--json"))
    net: dict[str, Decimal] = {}
    for d in documents:
        net[d["member"]] = net.get(d["member"], Decimal("0.00")) + Decimal(d["signed_total"])
    with demo_engine.connect() as c:
        actual = dict(
            c.execute(
                select(registry_db.members.c.enterprise_number, func.sum(charging_db.true_up_shares.c.actual))
                .join(registry_db.members, registry_db.members.c.id == charging_db.true_up_shares.c.member_id)
                .where(charging_db.true_up_shares.c.year == 2025)
                .group_by(registry_db.members.c.enterprise_number)
            ).all()
        )
    actual = {m: a for m, a in actual.items() if a != 0 or m in net}
    assert net == actual


def test_the_focus_export_passes_the_finops_validator_and_totals_the_close(demo_dir: Path, demo_engine: Engine) -> None:
    output = demo_dir / "focus-2025.csv"
    summary = json.loads(cli(demo_dir, "export", "focus", "--year", "2025", "--output", str(output), "--json"))
    with demo_engine.connect() as c:
        charged = c.execute(select(func.sum(charging_db.charges.c.amount))).scalar_one()
        cost = c.execute(select(func.sum(charging_db.true_up_shares.c.actual))).scalar_one()
    assert Decimal(summary["billed_total"]) == charged == cost
    header = output.read_text(encoding="utf-8").splitlines()[0].split(",")
    mandatory = {
        "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
        "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
        "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity",
        "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
    }  # fmt: skip
    assert mandatory <= set(header)
    if not (focus_validator.FOCUS_VENV / "bin/focus-validator").exists():
        message = f"{focus_validator.FOCUS_VENV} is absent: `make focus` builds it (Python 3.12)"
        (pytest.fail if IN_CI or os.environ.get("CI") else pytest.skip)(message)
    report = focus_validator.validate(output)
    assert report.status, report.output[-2000:]
    assert report.failed(focus_validator.or_alternatives()) == [], report.output[-4000:]
    assert all(report.status.get(f"CostAndUsage-D-{n:03d}-M") != "FAIL" for n in range(70))


def test_the_focus_export_passes_the_validator_declared_with_unit_prices_usage_and_a_public_price_list(
    demo_dir: Path,
) -> None:
    output = demo_dir / "focus-2025-priced.csv"
    cli(demo_dir, "export", "focus", "--year", "2025", "--output", str(output))
    with output.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    priced = [r for r in rows if r["ChargeClass"] != "Correction"]
    assert priced and all(r["SkuId"] and r["SkuPriceId"] and r["SkuMeter"] and r["ListUnitPrice"] for r in priced)
    for r in priced:  # list cost = unit price x pricing quantity, exactly; billed = that, to the cent
        assert Decimal(r["ListCost"]) == Decimal(r["ListUnitPrice"]) * Decimal(r["PricingQuantity"])
        assert Decimal(r["ContractedCost"]) == Decimal(r["ContractedUnitPrice"]) * Decimal(r["PricingQuantity"])
        assert abs(Decimal(r["ListCost"]) - Decimal(r["BilledCost"])) < Decimal("0.01")  # the rounding
        assert json.loads(r["SkuPriceDetails"])["x_TariffYear"] == 2025
    corrections = [r for r in rows if r["ChargeClass"] == "Correction"]
    assert corrections and not any(r["SkuPriceId"] or r["ListUnitPrice"] for r in corrections)
    if not (focus_validator.FOCUS_VENV / "bin/focus-validator").exists():
        (pytest.fail if IN_CI else pytest.skip)(f"{focus_validator.FOCUS_VENV} is absent: `make focus` builds it")
    report = focus_validator.validate(output, focus_validator.MUTUA_CRITERIA)
    assert report.failed(focus_validator.or_alternatives()) == [], report.output[-4000:]
    # the rules of a priced, metered provider were checked (not skipped as not applicable)
    for rule in ("SkuId-C-005-C", "SkuPriceId-C-005-C", "SkuPriceId-C-008-M", "SkuMeter-C-004-C",
                 "SkuPriceDetails-C-001-M", "ListUnitPrice-C-010-C", "ListCost-C-009-C",
                 "PricingCurrencyListUnitPrice-C-008-M"):  # fmt: skip
        assert report.status.get(rule) == "PASS", (rule, report.status.get(rule))


def test_the_focus_validator_sees_a_broken_export(demo_dir: Path, tmp_path: Path) -> None:
    if not (focus_validator.FOCUS_VENV / "bin/focus-validator").exists():
        (pytest.fail if IN_CI else pytest.skip)(f"{focus_validator.FOCUS_VENV} is absent: `make focus` builds it")
    good = demo_dir / "focus-2025-02.csv"
    cli(demo_dir, "export", "focus", "--period", "2025-02", "--output", str(good))
    lines = good.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.csv"
    header = lines[0].replace("BillingCurrency", "Currency")
    broken.write_text("\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")
    report = focus_validator.validate(broken)
    assert "CostAndUsage-D-035-M" in report.failed(focus_validator.or_alternatives())


def test_invoices_show_and_export_write_the_ubl_as_issued_and_a_pdf(demo_dir: Path, tmp_path: Path) -> None:
    shown = json.loads(cli(demo_dir, "invoices", "show", "2025-000001", "--json"))
    assert shown["number"] == "2025-000001" and shown["lines"]
    xml = cli(demo_dir, "invoices", "show", "2025-000001", "--xml")
    assert "<cbc:ID>2025-000001</cbc:ID>" in xml
    out = tmp_path / "out"
    cli(demo_dir, "invoices", "export", "--number", "2025-000001", "--pdf", "--output", str(out))
    assert (out / "2025-000001.xml").read_text(encoding="utf-8") == xml
    assert (out / "2025-000001.pdf").read_bytes().startswith(b"%PDF")
    statement = tmp_path / "statement.pdf"
    cli(demo_dir, "invoices", "statement", "--member", shown["member"], "--period", "2025-12", "-o", str(statement))
    assert statement.read_bytes().startswith(b"%PDF")


def test_issuing_an_invoiced_period_again_is_refused_and_a_correction_is_a_new_credit_note(demo_dir: Path) -> None:
    again = runner.invoke(app, ["--data-dir", str(demo_dir), "invoices", "issue", "2025-01", "--date", "2026-02-01"])
    assert again.exit_code == 1 and "already issued" in again.output
    before = cli(demo_dir, "invoices", "show", "2025-000002", "--xml")
    result = json.loads(
        cli(
            demo_dir,
            "invoices",
            "correct",
            "2025-000002",
            "--note",
            "wrong engagement",
            "--date",
            "2026-12-01",
            "--json",
        )
    )
    assert result["credit_notes"] == 1 and result["first"].startswith("2026-")
    correction = json.loads(cli(demo_dir, "invoices", "show", result["first"], "--json"))
    assert correction["refers_to"] == ["2025-000002"] and correction["kind"] == "credit_note"
    assert cli(demo_dir, "invoices", "show", "2025-000002", "--xml") == before
    audit = json.loads(cli(demo_dir, "audit", "--limit", "5", "--json"))
    assert any(a["action"] == "issue" and a["entity_key"] == result["first"] for a in audit)
