"""A closed month and a trued-up year publish from the cost model version they used: importing a
different model afterwards (another method, other keys, names, tariffs, another association name)
changes none of the closed year's figures, in the report, the API, the portal, statements, PDFs and
FOCUS (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from mutua.access.service import add_user
from mutua.billing.service import focus_export, issue_year, list_documents
from mutua.bootstrap import create_app, unit_of_work
from mutua.charging.service.close import close_period, true_up
from mutua.charging.service.reporting import association_report
from mutua.costing.service import import_cost_model
from mutua.kernel.access import Role
from mutua.kernel.periods import months_of
from mutua.platform.settings import Settings
from tests.integration import small
from tests.integration.small import A, B
from tests.small_model import MODEL

PASSWORD = "a long test password 1"
CSRF = re.compile(rb'name="csrf_token" value="[^"]*"')

# Next year's model: another association name, other names, keys, method and tariffs.
OTHER = (
    MODEL.replace('version: "1"', 'version: "2"')
    .replace("name: Small association", "name: Renamed association")
    .replace("{method: step_down, order: [HR]}", "{method: direct}")
    .replace("{DEV: 3, SEC: 1, VM: 1}", "{DEV: 1, SEC: 1, VM: 5}")
    .replace("name: VM hours", "name: Virtual machine hours")
    .replace("name: Development, centre: DEV", "name: Software development, centre: DEV")
    .replace('{year: 2025, service: VMH, price: "0.5"}', '{year: 2025, service: VMH, price: "0.9"}')
    + '  - {year: 2026, service: VMH, price: "0.7"}\n'
)


def published(engine: Engine, tmp_path: Path) -> dict[str, bytes]:
    """Everything the closed year 2025 publishes, read through a new app (no cache carried over)."""
    uow = unit_of_work(engine)
    figures: dict[str, bytes] = {
        "report": json.dumps(association_report(uow, 2025).as_json()).encode(),
        "focus": focus_export(uow, 2025).to_csv().encode(),
        "focus-12": focus_export(uow, 2025, months_of(2025)[11]).to_csv().encode(),
    }
    app = create_app(engine=engine, settings=Settings(data_dir=tmp_path), secret_key="s", charts=False)
    with TestClient(app, headers={"Accept-Language": "en"}) as api:
        token = api.post("/api/v1/token", data={"username": "ctrl", "password": PASSWORD}).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        for path in (
            "/api/v1/years/2025/report",
            "/api/v1/years/2025/allocation",
            "/api/v1/years/2025/true-up",
            f"/api/v1/members/{A}/dashboard?year=2025",
            f"/api/v1/members/{A}/statements/2025-06",
            f"/api/v1/members/{B}/statements/2025-12?format=csv",
            "/association?year=2025",
            "/allocation?year=2025",
            f"/members/{A}/statements/2025-12",
            f"/members/{A}/statements/2025-12/csv",
            f"/members/{A}/statements/2025-12/pdf",
            f"/members/{B}/statements/2025-03/pdf",
        ):
            r = api.get(path)
            assert r.status_code == 200, (path, r.text[:300])
            figures[path] = CSRF.sub(b"", r.content)  # the session's token, not a figure
        for doc in list_documents(uow, year=2025)[:3] + list_documents(uow, year=2025)[-2:]:
            r = api.get(f"/invoices/{doc.number}/pdf")
            assert r.status_code == 200, r.text[:300]
            figures[doc.number] = r.content
    return figures


def test_importing_another_model_after_the_true_up_leaves_every_figure_of_the_year_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    small.registry(engine, tmp_path)
    for p in months_of(2025):
        small.month(engine, tmp_path, str(p))
        close_period(unit_of_work(engine), p)
    true_up(unit_of_work(engine), 2025)
    issue_year(unit_of_work(engine), 2025)
    add_user(unit_of_work(engine), "ctrl", Role.CONTROLLER, password=PASSWORD)
    before = published(engine, tmp_path / "before")
    assert b"Small association" in before["report"] and b"VM hours" in before["/association?year=2025"]

    import_cost_model(unit_of_work(engine), small.write(tmp_path, "next.yaml", OTHER))
    after = published(engine, tmp_path / "after")

    changed = [k for k in before if before[k] != after[k]]
    assert changed == []
    # the model in force is the new one: what is not closed follows it
    uow = unit_of_work(engine)
    assert association_report(uow, 2026).association == "Renamed association"
