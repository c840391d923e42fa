"""The scenarios' pages (issue 13, items 3 and 4): the controller computes, saves and adopts; the
board (the auditor here) reads; a budget holder sees nothing; next year's tariffs next to this
year's with the effect per member, saved as a scenario; in NL, FR and EN."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

import portal_world as world
from mutua.bootstrap import unit_of_work
from mutua.charging.service.close import close_period
from mutua.kernel.periods import Period

Client = Callable[[str], TestClient]
OTHER_KEYS = world.COST_MODEL.replace("weights: {DEV: 3, VM: 1}", "weights: {DEV: 1, VM: 1}").replace(
    'version: "t1"', 'version: "t1-keys"'
)


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_the_controller_computes_saves_and_adopts_and_the_board_reads(portal_as: Client) -> None:
    ctrl = portal_as("ctrl")
    ctrl.headers["Accept-Language"] = "en"
    page = ctrl.get("/scenarios")
    assert page.status_code == 200 and 'action="/scenarios"' in page.text
    token = csrf(page.text)
    computed = ctrl.post(
        "/scenarios",
        data={"csrf_token": token, "year": "2025", "basis": "model"},
        files={"model": ("keys.yaml", OTHER_KEYS.encode(), "application/yaml")},
    )
    assert computed.status_code == 200, computed.text
    assert "Scenario (not saved)" in computed.text and "t1-keys" in computed.text
    assert "No difference" not in computed.text
    same = ctrl.post("/scenarios", data={"csrf_token": token, "year": "2025", "basis": "reciprocal"})
    assert same.status_code == 200 and "No difference" in same.text  # one support centre: any method
    saved = ctrl.post(
        "/scenarios",
        data={"csrf_token": token, "year": "2025", "basis": "model", "name": "ADM 1:1", "description": "by headcount"},
        files={"model": ("keys.yaml", OTHER_KEYS.encode(), "application/yaml")},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/scenarios/ADM%201%3A1"

    board = portal_as("audit")
    board.headers["Accept-Language"] = "en"
    shown = board.get("/scenarios/ADM 1:1", headers={"Accept-Language": "en"})
    assert shown.status_code == 200 and "by headcount" in shown.text and "Adopt this scenario" not in shown.text
    assert board.post("/scenarios/ADM 1:1/adopt", data={"csrf_token": csrf(shown.text)}).status_code == 403
    assert "ADM 1:1" in board.get("/scenarios").text

    page = ctrl.get("/scenarios/ADM 1:1", headers={"Accept-Language": "en"})
    assert "Adopt this scenario" in page.text
    refused = ctrl.post(
        "/scenarios/ADM 1:1/adopt",
        data={"csrf_token": csrf(page.text), "in_force_from": "2025-01-01", "decision": "CA 2025/7"},
    )
    assert refused.status_code == 409  # January is closed
    adopted = ctrl.post(
        "/scenarios/ADM 1:1/adopt",
        data={"csrf_token": csrf(page.text), "in_force_from": "2025-03-01", "decision": "CA 2025/7"},
        follow_redirects=False,
    )
    assert adopted.status_code == 303
    after = board.get("/scenarios/ADM 1:1", headers={"Accept-Language": "en"})
    assert "Adopted: the model in force from" in after.text and "CA 2025/7" in after.text


def test_a_budget_holder_sees_no_scenario(portal_as: Client) -> None:
    holder = portal_as("holder-a")
    assert holder.get("/scenarios").status_code in (403, 404)
    assert holder.get("/tariffs/proposal?year=2025").status_code in (403, 404)


def test_the_pages_speak_dutch_and_french(portal_as: Client) -> None:
    ctrl = portal_as("ctrl")
    token = csrf(ctrl.get("/scenarios").text)
    ctrl.post("/language", data={"lang": "nl", "csrf_token": token, "next": "/scenarios"})
    nl = ctrl.get("/scenarios").text
    assert "Een scenario berekenen" in nl and "Wat het verandert" in nl
    ctrl.post("/language", data={"lang": "fr", "csrf_token": csrf(nl), "next": "/scenarios"})
    fr = ctrl.post("/scenarios", data={"csrf_token": csrf(nl), "year": "2025", "basis": "direct"}).text
    assert "Contrôle du résultat nul" in fr and "Part réelle par membre" in fr


def test_next_years_tariffs_next_to_this_years_with_the_effect_per_member(
    portal_as: Client, world_engine: Engine
) -> None:
    for month in range(2, 13):
        close_period(unit_of_work(world_engine, "ctrl"), Period(2025, month))
    board = portal_as("audit")
    board.headers["Accept-Language"] = "en"
    page = board.get("/tariffs/proposal?year=2025", headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.text
    assert "Tariffs proposed for 2026" in page.text and "Effect per member" in page.text
    assert "VMAAS" in page.text and "medior" in page.text
    assert "Save as a scenario" not in page.text  # the board reads; the controller saves
    ctrl = portal_as("ctrl")
    ctrl.headers["Accept-Language"] = "en"
    page = ctrl.get("/tariffs/proposal?year=2025")
    saved = ctrl.post(
        "/scenarios",
        data={"csrf_token": csrf(page.text), "year": "2025", "basis": "tariffs", "name": "Tariffs 2026"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = ctrl.get("/scenarios/Tariffs 2026", headers={"Accept-Language": "en"}).text
    assert "(tariffs 2026)" in shown and "Charges per member at the tariffs" in shown
