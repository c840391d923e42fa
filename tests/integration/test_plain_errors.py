"""Bad numbers fed to every import and to the APIs: each refusal names the file, line and field in
plain words, never a Python class, a library's error text or a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import create_app, migrate
from mutua.kernel.problems import Problem
from mutua.metering.domain import to_micro
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import Settings, sqlite_url
from mutua.platform.web.app import problem
from tests.integration import small
from tests.integration.small import A, B

# numbers Decimal reads but cannot quantize or multiply, numbers it cannot read, and near misses
BAD_NUMBERS = ["1e999999999", "-1E+999999999", "1e-999999999", "1" * 40 + ".123", "NaN", "Infinity", "12.3.4", "0x10"]
LEAKS = ("<class", "Traceback", "decimal.", "InvalidOperation", "Overflow", "Error:")


def assert_plain(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} in:\n{text}"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    (tmp_path / "input").mkdir()
    small.registry(engine, tmp_path / "input")
    engine.dispose()
    return tmp_path


IMPORTS = {
    # command: (file text with {x} where the bad number goes, the field named)
    "ledger": (
        "entry_id,period,account,centre,amount,nd_vat,engagement,description\nX1,2025-01,620000,HR,{x},,,t\n",
        "amount",
    ),
    "ledger-vat": (
        "entry_id,period,account,centre,amount,nd_vat,engagement,description\nX2,2025-01,611000,VM,1.00,{x},,t\n",
        "nd_vat",
    ),
    "time": ("person,grade,engagement,date,hours\nann,senior,P1,2025-01-02,{x}\n", "hours"),
    "usage": (f"member,engagement,service,period,quantity\n{A},C1,VMH,2025-01,{{x}}\n", "quantity"),
    "members": (
        "enterprise_number,name,category,client_group,language,joined_on,left_on,vote_weight\n"
        "0200000043,M,A,other,nl,2001-01-01,,{x}\n",
        "vote_weight",
    ),
    "engagements": (
        "code,member,kind,title,service,budget,starts_on,ends_on,buyer_reference,weight\n"
        f"Z1,{B},service,T,,{{x}},2025-01-01,,,\n",
        "budget",
    ),
    "engagements-weight": (
        "code,member,kind,title,service,budget,starts_on,ends_on,buyer_reference,weight\n"
        f"Z2,{B},service,T,,10.00,2025-01-01,,,{{x}}\n",
        "weight",
    ),
    "commitments": ("engagement,period,amount,description\nP1,2025-06,{x},Licence\n", "amount"),
}


@pytest.mark.parametrize("bad", BAD_NUMBERS)
@pytest.mark.parametrize("what", sorted(IMPORTS))
def test_a_bad_number_in_any_import_is_refused_naming_file_line_and_field_in_plain_words(
    data_dir: Path, what: str, bad: str
) -> None:
    template, field = IMPORTS[what]
    path = data_dir / f"{what}.csv"
    path.write_text(template.replace("{x}", bad), encoding="utf-8")
    command = what.split("-")[0]
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "import", command, str(path)])
    assert result.exit_code == 2, result.output  # refused, nothing written
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert_plain(result.output)
    assert f"{what}.csv:2: {field}: " in result.output.replace("\n", ""), result.output


@pytest.mark.parametrize("bad", ["1e999999999", "1" * 40, "NaN"])
def test_a_bad_number_in_the_cost_model_is_refused_naming_its_field_in_plain_words(data_dir: Path, bad: str) -> None:
    path = data_dir / "model.yaml"
    path.write_text(small.MODEL.replace('price: "0.5"', f'price: "{bad}"'), encoding="utf-8")
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "model", "validate", str(path)])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert_plain(result.output)
    assert "price" in result.output


def test_bad_numbers_in_the_apis_paths_and_queries_answer_plain_problem_details(data_dir: Path) -> None:
    engine = make_engine(sqlite_url(data_dir))
    client = TestClient(create_app(engine=engine, settings=Settings(data_dir=data_dir), secret_key="k", charts=False))
    for url in [
        "/api/v1/years/1e999999999/close",
        "/api/v1/years/NaN/report",
        f"/api/v1/members/{A}/dashboard?year=99999999999999999999999999",
        "/api/v1/periods/2025-1e999/preview",
    ]:
        r = client.get(url)
        assert r.status_code in (401, 404, 422), (url, r.status_code, r.text)
        assert_plain(r.text)
    engine.dispose()


def test_a_meter_value_too_large_for_decimal_arithmetic_is_not_a_number_rather_than_an_error() -> None:
    assert to_micro("1e999999999") is None
    assert to_micro("1.5") == 1_500_000


def test_the_apis_problem_details_speak_the_language_asked_and_english_when_none_is(data_dir: Path) -> None:
    engine = make_engine(sqlite_url(data_dir))
    client = TestClient(create_app(engine=engine, settings=Settings(data_dir=data_dir), secret_key="k", charts=False))
    url = "/api/v1/periods/2025-13/preview"
    english = client.get(url)
    french = client.get(url, headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    dutch = client.get(url, headers={"Accept-Language": "nl"})
    assert english.status_code == french.status_code == dutch.status_code
    assert english.headers["content-language"] == "en"
    assert french.headers["content-language"] == "fr" and dutch.headers["content-language"] == "nl"
    assert english.json()["type"] == french.json()["type"]  # what programs read stays the same
    assert (english.json()["detail"], french.json()["detail"], dutch.json()["detail"]) == (
        "log in first",
        "connectez-vous d'abord",
        "meld u eerst aan",
    )
    wrong = client.post(
        "/api/v1/token", data={"username": "x", "password": "y" * 12}, headers={"Accept-Language": "nl"}
    )
    assert wrong.status_code == 401 and wrong.json()["detail"] == "verkeerde gebruikersnaam of wachtwoord"
    engine.dispose()


def test_a_problem_details_problems_are_in_its_language_their_sources_and_fields_as_they_are() -> None:
    found = Problem("request", None, "period", "not a period (YYYY-MM): 2025-13")
    body = json.loads(problem(422, "request rejected: 1 problem, nothing written", "/x", (found,), language="fr").body)
    assert body["detail"] == "requête refusé(e) : 1 erreur, rien n'est enregistré"
    assert body["problems"] == [
        {"source": "request", "line": None, "field": "period", "message": "pas une période (AAAA-MM) : 2025-13"}
    ]
