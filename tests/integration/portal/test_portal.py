"""The server-rendered portal: pages without JavaScript, three languages, forms with CSRF, the close."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from mutua.bootstrap import create_app
from mutua.platform.settings import Settings
from portal_world import MEMBER_A, PASSWORD

Client = Callable[[str], TestClient]


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_an_anonymous_visitor_is_sent_to_the_login_page(app: FastAPI) -> None:
    r = TestClient(app).get(f"/members/{MEMBER_A}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=/members/{MEMBER_A}"


def test_a_wrong_password_shows_the_login_page_again_with_an_alert(app: FastAPI) -> None:
    client = TestClient(app, headers={"Accept-Language": "en"})
    token = csrf(client.get("/login").text)
    r = client.post("/login", data={"username": "holder-a", "password": "nope-nope", "csrf_token": token})
    assert r.status_code == 401
    assert 'role="alert"' in r.text and "Wrong username or password." in r.text


def test_a_login_form_without_the_csrf_token_is_refused(app: FastAPI) -> None:
    client = TestClient(app)
    client.get("/login")
    r = client.post("/login", data={"username": "holder-a", "password": PASSWORD})
    assert r.status_code == 403


def test_a_budget_holder_lands_on_its_dashboard_with_budget_projection_and_engagements(portal_as: Client) -> None:
    client = portal_as("holder-a")
    r = client.get("/", headers={"Accept-Language": "en"})
    assert r.url.path == f"/members/{MEMBER_A}"
    page = r.text
    assert "Member A agency" in page
    assert "€21,000.00" in page  # budget
    assert "€850.00" in page  # spent to date
    assert "€11,700.00" in page  # projection
    assert 'href="/engagements/PRJ-A?year=2025"' in page
    assert "<table" in page and "<script" not in page  # works without JavaScript


def test_the_browser_language_is_the_default_and_the_users_choice_wins(portal_as: Client) -> None:
    client = portal_as("holder-a")
    dutch = client.get(f"/members/{MEMBER_A}", headers={"Accept-Language": "nl-BE,nl;q=0.9"}).text
    assert '<html lang="nl">' in dutch and "Prognose tot jaareinde" in dutch and "€\xa021.000,00" in dutch
    french = client.get(f"/members/{MEMBER_A}", headers={"Accept-Language": "fr-BE"}).text
    assert '<html lang="fr">' in french and "Projection à la fin de l&#39;année" in french
    r = client.post("/language", data={"lang": "en", "csrf_token": csrf(french), "next": f"/members/{MEMBER_A}"})
    assert r.status_code == 200
    english = client.get(f"/members/{MEMBER_A}", headers={"Accept-Language": "fr-BE"}).text
    assert '<html lang="en">' in english and "Projection to year end" in english


def test_a_budget_holder_sees_engagement_usage_documents_and_a_statement(portal_as: Client) -> None:
    client = portal_as("holder-a")
    engagement = client.get("/engagements/SVC-A")
    assert engagement.status_code == 200 and "VMs of A" in engagement.text
    assert client.get(f"/members/{MEMBER_A}/usage").status_code == 200
    documents = client.get(f"/members/{MEMBER_A}/documents", headers={"Accept-Language": "en"}).text
    assert 'href="/invoices/INV-A-1/pdf"' in documents
    assert f'href="/members/{MEMBER_A}/statements/2025-01/csv"' in documents
    pdf = client.get("/invoices/INV-A-1/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    statement = client.get(f"/members/{MEMBER_A}/statements/2025-01")
    assert statement.status_code == 200 and "PRJ-A" in statement.text


def test_the_controller_runs_reviews_and_locks_a_close_from_the_pages(portal_as: Client) -> None:
    client = portal_as("ctrl")
    close = client.get("/close?year=2025", headers={"Accept-Language": "en"}).text
    assert 'href="/close/2025-02/review"' in close
    review = client.get("/close/2025-02/review", headers={"Accept-Language": "en"})
    assert "Nothing has been written yet." in review.text
    assert "€925.00" in review.text
    assert "/close/2025-02/lock" in review.text
    no_token = client.post("/close/2025-02/lock")
    assert no_token.status_code == 403
    locked = client.post(
        "/close/2025-02/lock", data={"csrf_token": csrf(review.text)}, headers={"Accept-Language": "en"}
    )
    assert locked.status_code == 200
    assert "Period 2025-02 is closed and locked." in locked.text
    assert 'href="/close/2025-03/review"' in locked.text


def test_the_controller_sees_the_allocation_as_a_sankey_with_a_table_of_every_flow(
    world_engine: Engine, tmp_path: Path
) -> None:
    app = create_app(engine=world_engine, settings=Settings(data_dir=tmp_path), secret_key="s", charts=True)
    client = TestClient(app, headers={"Accept-Language": "en"})
    token = csrf(client.get("/login").text)
    client.post("/login", data={"username": "ctrl", "password": PASSWORD, "csrf_token": token})
    page = client.get("/allocation?year=2025").text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert "<title>ADM Administration → DEV Development: €750.00</title>" in page
    assert "Every flow of the allocation" in page
    dashboard = client.get(f"/members/{MEMBER_A}?year=2025").text
    assert dashboard.count("<svg") >= 3  # Vega-Lite charts rendered on the server


def test_the_association_page_shows_the_zero_result_check_and_the_tariffs_page_the_tariffs(portal_as: Client) -> None:
    client = portal_as("audit")
    page = client.get("/association?year=2025", headers={"Accept-Language": "en"}).text
    assert "Zero-result check" in page and "Zero result: not (yet)" in page
    tariffs = client.get("/tariffs?year=2025", headers={"Accept-Language": "en"}).text
    assert "VMAAS" in tariffs and "0.50" in tariffs


def test_a_budget_holder_is_refused_the_association_pages(portal_as: Client) -> None:
    client = portal_as("holder-a")
    for path in ("/association", "/members", "/close", "/allocation", "/close/2025-02/review"):
        assert client.get(path).status_code == 403, path


def test_the_api_documentation_page_lists_every_operation_without_loading_anything_from_elsewhere(app: FastAPI) -> None:
    page = TestClient(app).get("/api/v1/docs").text
    for path in app.openapi()["paths"]:
        assert f"<code>{path}</code>" in page
    assert "<script" not in page and "https://" not in page
