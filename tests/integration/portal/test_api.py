"""The REST API over the tiny association: amounts as strings, problem details, roles, the close."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient

from mutua.bootstrap import create_app, unit_of_work
from mutua.platform.settings import Settings
from portal_world import MEMBER_A, MEMBER_B, PASSWORD

Client = Callable[[str], TestClient]


def test_a_budget_holder_reads_its_dashboard_with_every_amount_as_an_exact_string(api_as: Client) -> None:
    data = api_as("holder-a").get(f"/api/v1/members/{MEMBER_A}/dashboard", params={"year": 2025}).json()
    assert data["spent"] == "850.00"  # 8 h x 60.00 + 4 h x 80.00 + 100 VM-hours x 0.50
    assert data["budget"] == "21000.00"
    # run rate 800.00 x 11 months + the June licence 1500.00; VMs 50.00 x 12
    assert data["projection"] == "11700.00"
    assert {s["service"]: s["amount"] for s in data["by_service"]} == {"DEV-H": "800.00", "VMAAS": "50.00"}
    assert all(isinstance(e["spent"], str) for e in data["engagements"])


def test_a_budget_holder_lists_only_its_own_member(api_as: Client) -> None:
    members = api_as("holder-a").get("/api/v1/members").json()
    assert [m["enterprise_number"] for m in members["items"]] == [MEMBER_A]
    assert members["next_cursor"] is None


def test_the_controller_lists_every_member(api_as: Client) -> None:
    members = api_as("ctrl").get("/api/v1/members").json()
    assert {m["enterprise_number"] for m in members["items"]} == {MEMBER_A, MEMBER_B}


def test_lists_are_paged_with_a_cursor_in_one_envelope(api_as: Client) -> None:
    client = api_as("ctrl")
    first = client.get("/api/v1/members", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get("/api/v1/members", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert {m["enterprise_number"] for m in first["items"] + second["items"]} == {MEMBER_A, MEMBER_B}
    forged = client.get("/api/v1/members", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert forged.status_code == 422
    assert forged.json()["type"] == "/api/v1/docs#problem-invalid-request"
    assert forged.json()["problems"][0]["field"] == "cursor"
    too_many = client.get("/api/v1/members", params={"limit": 501})
    assert too_many.status_code == 422


def test_errors_are_rfc_9457_problem_details(api_as: Client, app: FastAPI) -> None:
    client = api_as("ctrl")
    missing = client.get("/api/v1/engagements/NOPE")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json() == {
        "type": "/api/v1/docs#problem-not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "no engagement 'NOPE'",
        "instance": "/api/v1/engagements/NOPE",
    }
    bad = client.get(f"/api/v1/members/{MEMBER_A}/statements/2025-13")
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"].endswith("period")
    assert bad.json()["type"] == "/api/v1/docs#problem-invalid-request"
    anonymous = TestClient(app).get("/api/v1/members")
    assert anonymous.status_code == 401
    assert anonymous.json()["title"] == "Unauthorized"
    assert anonymous.json()["type"] == "/api/v1/docs#problem-unauthenticated"
    unknown = client.get("/api/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["status"] == 404
    assert unknown.json()["type"] == "/api/v1/docs#problem-no-such-route"
    assert client.post("/api/v1/periods/2025-01/close").json()["type"] == "/api/v1/docs#problem-conflict"
    forbidden = api_as("holder-a").post("/api/v1/periods/2025-02/close")
    assert forbidden.json()["type"] == "/api/v1/docs#problem-forbidden"
    # every kind of problem is described on the documentation page, where its type points
    docs = TestClient(app).get("/api/v1/docs").text
    for kind in ("not-found", "invalid-request", "unauthenticated", "no-such-route", "conflict", "forbidden"):
        assert f'id="problem-{kind}"' in docs


def test_the_controller_reviews_then_locks_a_close_and_the_audit_trail_names_the_controller(
    api_as: Client, world_engine: object
) -> None:
    client = api_as("ctrl")
    preview = client.get("/api/v1/periods/2025-02/preview").json()
    assert preview["can_lock"] is True
    assert preview["total_charged"] == "925.00"  # 800.00 time + 200 x 0.50 + 50 x 0.50
    assert client.get("/api/v1/years/2025/close").json()["periods"][1]["status"] == "open"  # nothing written
    locked = client.post("/api/v1/periods/2025-02/close")
    assert locked.status_code == 200, locked.text
    assert locked.json()["total_charged"] == preview["total_charged"]
    assert client.get("/api/v1/years/2025/close").json()["periods"][1]["status"] == "closed"
    again = client.post("/api/v1/periods/2025-02/close")
    assert again.status_code == 409
    audit = client.get("/api/v1/audit", params={"limit": 5}).json()
    assert any(a["action"] == "close" and a["entity_key"] == "2025-02" and a["actor"] == "ctrl" for a in audit["items"])
    # the next page goes on below the last entry read, newest first, even as the trail grows
    assert audit["next_cursor"]
    client.post("/api/v1/periods/2025-02/close")  # refused, not audited: the trail is the same
    older = client.get("/api/v1/audit", params={"limit": 5, "cursor": audit["next_cursor"]}).json()
    ids = [a["id"] for a in audit["items"] + older["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


def test_a_budget_holder_and_an_auditor_may_not_close_a_period(api_as: Client) -> None:
    for who in ("holder-a", "audit"):
        r = api_as(who).post("/api/v1/periods/2025-02/close")
        assert r.status_code == 403, who
        assert r.json()["status"] == 403


def test_a_session_write_without_the_csrf_header_is_refused(portal_as: Client) -> None:
    client = portal_as("ctrl")
    refused = client.post("/api/v1/periods/2025-02/close")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_login_is_throttled_after_five_failed_attempts(app: FastAPI) -> None:
    client = TestClient(app)
    for _ in range(5):
        assert client.post("/api/v1/token", data={"username": "ctrl", "password": "wrong!!!"}).status_code == 401
    blocked = client.post("/api/v1/token", data={"username": "ctrl", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"


def test_invoices_download_as_ubl_and_pdf_for_the_own_member(api_as: Client) -> None:
    client = api_as("holder-a")
    assert [d["number"] for d in client.get(f"/api/v1/members/{MEMBER_A}/invoices").json()["items"]] == ["INV-A-1"]
    assert client.get(f"/api/v1/members/{MEMBER_A}/invoices", params={"year": 2024}).json()["items"] == []
    ubl = client.get("/api/v1/invoices/INV-A-1/ubl")
    assert ubl.status_code == 200 and ubl.headers["content-type"].startswith("application/xml")
    assert b"INV-A-1" in ubl.content
    pdf = client.get("/api/v1/invoices/INV-A-1/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="INV-A-1.pdf"' in pdf.headers["content-disposition"]


def test_without_billing_documents_invoice_lists_are_empty_and_downloads_are_404_problems(
    world_engine: object, tmp_path: object
) -> None:
    from pathlib import Path

    from sqlalchemy import Engine

    assert isinstance(world_engine, Engine) and isinstance(tmp_path, Path)
    app = create_app(engine=world_engine, settings=Settings(data_dir=tmp_path), secret_key="s", charts=False)
    client = TestClient(app)
    token = client.post("/api/v1/token", data={"username": "holder-a", "password": PASSWORD}).json()
    client.headers["Authorization"] = f"Bearer {token['access_token']}"
    assert client.get(f"/api/v1/members/{MEMBER_A}/invoices").json() == {"items": [], "next_cursor": None}
    missing = client.get("/api/v1/invoices/INV-A-1/pdf")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_statement_downloads_as_csv(api_as: Client) -> None:
    r = api_as("holder-a").get(f"/api/v1/members/{MEMBER_A}/statements/2025-01", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].startswith("engagement,")
    assert any(line.startswith("PRJ-A,") and line.endswith(",480.00") for line in lines)


def test_the_allocation_flows_add_up_to_the_cost_of_the_closed_months(api_as: Client) -> None:
    data = api_as("ctrl").get("/api/v1/years/2025/allocation").json()
    assert data["total_cost"] == "8000.00"
    to_services = sum(float(x["amount"]) for x in data["links"] if x["target"].startswith("service:"))
    assert round(to_services, 2) == 8000.00
    assert {"source": "centre:ADM", "target": "centre:DEV", "amount": "750.00"} in data["links"]


def test_an_admin_adds_a_budget_holder_and_the_audit_trail_names_the_admin(
    api_as: Client, world_engine: object
) -> None:
    from sqlalchemy import Engine

    assert isinstance(world_engine, Engine)
    client = api_as("root")
    r = client.post(
        "/api/v1/users",
        data={"username": "new-b", "password": "long enough pw", "role": "budget_holder", "member": MEMBER_B},
    )
    assert r.status_code == 201, r.text
    refused = client.post(
        "/api/v1/users", data={"username": "x", "password": "long enough pw", "role": "budget_holder"}
    )
    assert refused.status_code == 422
    with unit_of_work(world_engine) as uow:
        entries = uow.audit.entries(10)
    assert any(e["action"] == "add" and e["entity_key"] == "new-b" and e["actor"] == "root" for e in entries)
    assert (
        api_as("ctrl")
        .post("/api/v1/users", data={"username": "y", "password": "long enough pw", "role": "auditor"})
        .status_code
        == 403
    )


def test_after_the_last_close_and_the_true_up_each_member_pays_its_actual_share_and_the_year_ends_at_zero(
    api_as: Client,
) -> None:
    client = api_as("ctrl")
    for month in range(2, 13):
        assert client.post(f"/api/v1/periods/2025-{month:02d}/close").status_code == 200
    ran = client.post("/api/v1/years/2025/true-up", params={"mode": "settle"})
    assert ran.status_code == 200, ran.text
    result = client.get("/api/v1/years/2025/true-up").json()
    assert result["run"]["by"] == "ctrl"
    assert result["actual"] == "16000.00"  # the ledger of January and February, every cent allocated
    by_member = {m["member"]: m for m in result["members"]}
    assert set(by_member) == {MEMBER_A, MEMBER_B}
    for m in by_member.values():
        assert Decimal(m["actual"]) - Decimal(m["charged"]) == Decimal(m["difference"])
    assert client.get("/api/v1/years/2025/report").json()["zero_result"] is True
    holder = api_as("holder-a").get(f"/api/v1/members/{MEMBER_A}/dashboard", params={"year": 2025}).json()
    assert holder["true_up"] == by_member[MEMBER_A]["difference"]
    assert holder["projection"] == holder["spent"] == holder["projection_low"] == holder["projection_high"]
    assert api_as("holder-a").get("/api/v1/years/2025/true-up").status_code == 403
