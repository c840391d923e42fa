"""The account life cycle over HTTP: a copied session cookie or bearer token stops working once the
user logs out, changes its password, is disabled or gets another role; the administrator's page and
API; the login throttle per (username, address); the hardening headers."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from tests.integration.portal.conftest import csrf_of

from portal_world import MEMBER_A, PASSWORD

Client = Callable[[str], TestClient]


def copy_of(client: TestClient, app: FastAPI) -> TestClient:
    """Another browser holding a copy of the client's cookie (or token)."""
    thief = TestClient(app)
    thief.cookies.update(dict(client.cookies))
    if "Authorization" in client.headers:
        thief.headers["Authorization"] = client.headers["Authorization"]
    return thief


def logged_in(thief: TestClient) -> bool:
    status = thief.get("/api/v1/me").status_code
    assert status in (200, 401)
    return status == 200


def test_a_copied_cookie_and_a_copied_token_stop_working_after_logout(
    app: FastAPI, portal_as: Client, api_as: Client
) -> None:
    browser = portal_as("ctrl")
    api = api_as("ctrl")
    cookie, token = copy_of(browser, app), copy_of(api, app)
    assert logged_in(cookie) and logged_in(token)
    csrf = csrf_of(browser.get("/tariffs").text)
    assert browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert not logged_in(cookie) and not logged_in(token)
    assert cookie.get("/association", follow_redirects=False).headers["location"].startswith("/login")
    again = api_as("ctrl")  # logging in again works
    assert logged_in(again)
    assert again.post("/api/v1/logout").status_code == 204  # the API's logout ends them too
    assert not logged_in(again)


def test_a_password_change_ends_every_other_session_and_token_but_keeps_this_browser(
    app: FastAPI, portal_as: Client, api_as: Client, world_engine: Engine
) -> None:
    browser = portal_as("holder-a")
    token = copy_of(api_as("holder-a"), app)
    cookie = copy_of(browser, app)
    csrf = csrf_of(browser.get("/account/password").text)
    weak = browser.post(
        "/account/password",
        data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "password1234"},
    )
    assert weak.status_code == 422 and "common" in weak.text
    assert logged_in(cookie)  # nothing changed
    changed = browser.post(
        "/account/password",
        data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "a brand new phrase"},
    )
    assert changed.status_code == 200, changed.text
    assert not logged_in(cookie) and not logged_in(token)
    assert browser.get(f"/members/{MEMBER_A}").status_code == 200  # this browser got a new session
    refused = TestClient(app).post("/api/v1/token", data={"username": "holder-a", "password": PASSWORD})
    assert refused.status_code == 401
    with world_engine.connect() as c:
        actions = [r[0] for r in c.execute(text("SELECT action FROM audit_log WHERE entity_key = 'holder-a'"))]
    assert "change_password" in actions


def test_the_api_changes_the_own_password_and_answers_a_new_token(app: FastAPI, api_as: Client) -> None:
    api = api_as("audit")
    old = copy_of(api, app)
    wrong = api.post("/api/v1/me/password", data={"current_password": "nope", "new_password": "a brand new phrase"})
    assert wrong.status_code == 422
    r = api.post("/api/v1/me/password", data={"current_password": PASSWORD, "new_password": "a brand new phrase"})
    assert r.status_code == 200, r.text
    assert not logged_in(old)
    fresh = TestClient(app, headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert fresh.get("/api/v1/me").json()["username"] == "audit"


def test_disabling_or_a_role_change_by_the_admin_ends_the_users_sessions_and_tokens(
    app: FastAPI, portal_as: Client, api_as: Client, world_engine: Engine
) -> None:
    admin = api_as("root")
    victim_cookie = copy_of(portal_as("holder-b"), app)
    victim_token = copy_of(api_as("holder-b"), app)
    assert admin.post("/api/v1/users/holder-b/active", data={"active": "false"}).status_code == 204
    assert not logged_in(victim_cookie) and not logged_in(victim_token)
    assert TestClient(app).post("/api/v1/token", data={"username": "holder-b", "password": PASSWORD}).status_code == 401
    assert admin.post("/api/v1/users/holder-b/active", data={"active": "true"}).status_code == 204
    auditor = copy_of(api_as("audit"), app)
    assert admin.post("/api/v1/users/audit/role", data={"role": "service_owner"}).status_code == 204
    assert not logged_in(auditor)
    assert api_as("audit").get("/api/v1/me").json()["role"] == "service_owner"
    missing = admin.post("/api/v1/users/audit/role", data={"role": "budget_holder"})
    assert missing.status_code == 422  # a budget holder needs a member
    assert admin.post("/api/v1/users/holder-b/password", data={"password": "qwerty123456"}).status_code == 422
    assert admin.post("/api/v1/users/holder-b/password", data={"password": "reset by root 2025"}).status_code == 204
    assert {u["username"]: u["active"] for u in admin.get("/api/v1/users").json()["items"]}["holder-b"] is True
    assert api_as("ctrl").post("/api/v1/users/audit/active", data={"active": "false"}).status_code == 403
    with world_engine.connect() as c:
        trail = [
            tuple(r) for r in c.execute(text("SELECT actor, action, entity_key FROM audit_log WHERE entity = 'user'"))
        ]
    assert ("root", "disable", "holder-b") in trail and ("root", "enable", "holder-b") in trail
    assert ("root", "change_role", "audit") in trail and ("root", "set_password", "holder-b") in trail


def test_the_admins_page_lists_the_accounts_and_disables_one(app: FastAPI, portal_as: Client) -> None:
    admin = portal_as("root")
    page = admin.get("/users")
    assert page.status_code == 200 and "holder-a" in page.text
    victim = copy_of(portal_as("holder-a"), app)
    r = admin.post("/users/holder-a/active", data={"csrf_token": csrf_of(page.text), "active": "false"})
    assert r.status_code == 200 and "holder-a" in r.text  # back on the list
    assert not logged_in(victim)
    assert portal_as("ctrl").get("/users").status_code == 403


def test_the_login_throttle_delays_a_pair_and_not_the_real_user_at_another_address(app: FastAPI) -> None:
    attacker = TestClient(app, client=("203.0.113.9", 4000))
    for _ in range(5):
        r = attacker.post("/api/v1/token", data={"username": "ctrl", "password": "wrong password!"})
        assert r.status_code == 401
    blocked = attacker.post("/api/v1/token", data={"username": "ctrl", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    forged = TestClient(app, client=("203.0.113.9", 4000), headers={"X-Forwarded-For": "192.0.2.77"})
    assert forged.post("/api/v1/token", data={"username": "ctrl", "password": PASSWORD}).status_code == 429
    office = TestClient(app, client=("192.0.2.10", 4000))
    assert office.post("/api/v1/token", data={"username": "ctrl", "password": PASSWORD}).status_code == 200
    long_name = attacker.post("/api/v1/token", data={"username": "x" * 100_000, "password": "p"})
    assert long_name.status_code == 422
    assert len(app.state.ctx.throttle) == 1


def test_thirty_simultaneous_guesses_over_http_get_at_most_five_password_checks(app: FastAPI) -> None:
    from mutua.access import service

    checks: list[int] = []
    real = service.sign_in

    def counting(*args: object) -> object:
        checks.append(1)
        return real(*args)  # type: ignore[arg-type]

    service.sign_in = counting  # type: ignore[assignment]
    try:
        start = threading.Barrier(30)
        answers: list[int] = []

        def guess() -> None:
            with TestClient(app, client=("203.0.113.9", 4000)) as client:
                start.wait()
                answers.append(
                    client.post("/api/v1/token", data={"username": "ctrl", "password": "guess!!"}).status_code
                )

        threads = [threading.Thread(target=guess) for _ in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        service.sign_in = real
    assert len(checks) <= 5
    assert sorted(set(answers)) == [401, 429] and answers.count(401) == len(checks)


def test_authenticated_answers_are_not_cached_and_carry_no_server_banner(api_as: Client, portal_as: Client) -> None:
    api = api_as("holder-a")
    for r in (
        portal_as("holder-a").get(f"/members/{MEMBER_A}"),
        api.get(f"/api/v1/members/{MEMBER_A}/dashboard"),
        api.get(f"/api/v1/members/{MEMBER_A}/statements/2025-01", params={"format": "csv"}),
        api.get("/api/v1/invoices/INV-A-1/pdf"),
        api.get("/api/v1/invoices/INV-A-1/ubl"),
    ):
        assert r.status_code == 200, r.url
        assert r.headers["cache-control"] == "no-store", r.url
        assert "server" not in r.headers
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
        assert "script-src" not in r.headers["content-security-policy"]  # default-src 'self': no inline script
