"""OpenID Connect: the identity provider's claims decide the role; a first login creates the account.

The identity provider is not reached: its two network calls (the redirect and the code exchange)
are replaced by what Keycloak would answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from mutua.bootstrap import create_app, unit_of_work
from mutua.kernel.access import Forbidden, Role
from mutua.platform.settings import Settings
from mutua.platform.web.oidc import OidcSettings, identity_from_claims
from portal_world import MEMBER_A, MEMBER_B

SETTINGS = OidcSettings("https://idp.example/realms/mutua", "mutua-portal", "secret")


def test_keycloak_realm_roles_give_the_most_privileged_mutua_role() -> None:
    claims = {
        "sub": "s1",
        "preferred_username": "eva",
        "realm_access": {"roles": ["mutua-auditor", "mutua-controller"]},
    }
    who = identity_from_claims(claims, SETTINGS)
    assert (who.username, who.role, who.member) == ("eva", Role.CONTROLLER, None)


def test_a_budget_holder_claim_binds_the_account_to_the_member_it_names() -> None:
    claims = {"sub": "s2", "preferred_username": "jan", "mutua_role": "budget_holder", "mutua_member": "0200.000.043"}
    assert identity_from_claims(claims, SETTINGS).member == MEMBER_A


def test_claims_without_a_mutua_role_or_member_are_refused() -> None:
    with pytest.raises(Forbidden):
        identity_from_claims({"sub": "s3", "realm_access": {"roles": ["offline_access"]}}, SETTINGS)
    with pytest.raises(Forbidden):
        identity_from_claims({"sub": "s4", "mutua_role": "budget_holder"}, SETTINGS)


def test_an_oidc_login_creates_the_account_logs_in_and_reads_only_its_member(
    world_engine: Engine, tmp_path: Path
) -> None:
    app = create_app(
        engine=world_engine, settings=Settings(data_dir=tmp_path), secret_key="s", charts=False, oidc=SETTINGS
    )
    oauth = next(r for r in _routers(app) if hasattr(r, "state_oauth")).state_oauth

    async def exchange(request: Any, **_: Any) -> dict[str, Any]:
        return {
            "userinfo": {
                "sub": "kc-123",
                "preferred_username": "kc-holder",
                "name": "KC Holder",
                "resource_access": {"mutua-portal": {"roles": ["budget_holder"]}},
                "mutua_member": MEMBER_B,
            }
        }

    oauth.idp.authorize_access_token = exchange
    client = TestClient(app, headers={"Accept-Language": "en"})
    assert "/login/oidc" in client.get("/login").text
    r = client.get("/login/oidc/callback", follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"] == f"/members/{MEMBER_B}"
    assert client.get(f"/api/v1/members/{MEMBER_A}").status_code == 404  # another member's: as an unknown one
    with unit_of_work(world_engine) as uow:
        entries = uow.audit.entries(5)
    assert any(
        e["action"] == "add" and e["entity_key"] == "kc-holder" and e["actor"] == "oidc:kc-holder" for e in entries
    )


def _routers(app: Any) -> list[Any]:
    """The routers included in the app (FastAPI keeps them on the included-router wrappers)."""
    found = []
    for route in app.routes:
        for attr in ("router", "original_router", "_router"):
            if hasattr(route, attr):
                found.append(getattr(route, attr))
    return found
