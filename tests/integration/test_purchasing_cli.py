"""``mutua purchasing ...`` on the embedded SQLite default: an agreement file loaded, a bad price
list refused with every line named (exit code 2), an order through its life, and the alerts as
JSON for a cron job."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import migrate, unit_of_work
from mutua.costing.service import import_cost_model
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url
from mutua.registry import service as registry_service
from tests.small_model import MODEL, A
from tests.unit.purchasing.world import AGREEMENT, ENGAGEMENTS_CSV, LAPTOPS, MEMBERS_CSV, REF, SPECIFICATION, write


def test_the_purchasing_commands_load_refuse_order_and_alert(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    uow = unit_of_work(engine)
    import_cost_model(uow, write(tmp_path, "model.yaml", MODEL))
    registry_service.import_members(uow, write(tmp_path, "members.csv", MEMBERS_CSV))
    registry_service.import_engagements(uow, write(tmp_path, "engagements.csv", ENGAGEMENTS_CSV))
    write(tmp_path, "bestek.pdf", SPECIFICATION)
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "purchasing"]

    def mutua(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [*base, *args])
        return result.exit_code, result.output

    assert mutua("load", str(write(tmp_path, "agreement.yaml", AGREEMENT)))[0] == 0
    bad = write(tmp_path, "bad.csv", LAPTOPS + "X,30213100,Fout,Faux,PCS,-1,\n")
    code, output = mutua("price-list", REF, "1", "acme", str(bad), "--valid-from", "2025-01-01")
    assert code == 2 and ":5: unit: unknown unit code 'PCS'" in output and ":5: price: negative price -1" in output
    result = runner.invoke(
        app, ["--lang", "fr", *base, "price-list", REF, "1", "acme", str(bad), "--valid-from", "2025-01-01"]
    )
    assert result.exit_code == 2  # the same refusal, in French
    assert "(liste de prix) refusé(e) : 2 erreurs, rien n'est enregistré" in result.output
    # the field is the file's column, named as the file names it
    assert ":5 : unit : code d'unité 'PCS' inconnu" in result.output
    assert ":5 : price : prix négatif -1" in result.output
    good = write(tmp_path, "acme.csv", LAPTOPS)
    assert mutua("price-list", REF, "1", "ACME", str(good), "--valid-from", "2025-01-01")[0] == 0
    code, output = mutua("join", A, REF, "--decided-on", "2025-01-10", "--decision", "CR-1")
    assert code == 0, output
    code, output = mutua("order", A, REF, "1", "ACME", "LT-14=2", "DOCK=1", "--on", "2025-02-03", "--json")
    assert code == 0, output
    number = json.loads(output)["number"]
    for step in ("approve", "place"):
        assert mutua(step, A, number, "--on", "2025-02-04")[0] == 0
    code, output = mutua("consumption", "--json")
    assert code == 0 and json.loads(output)[0]["consumed"] == "1950.00"
    code, output = mutua("alerts", "--json", "--on", "2025-10-01")
    assert code == 0
    assert [(a["kind"], a["agreement"], a["due"]) for a in json.loads(output)] == [("renewal", REF, "2025-12-31")]
    code, output = mutua("order", A, REF, "1", "ACME", "LT-14=1", "--on", "2026-01-05")
    assert code == 2 and "no order after its term" in output
