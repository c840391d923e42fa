"""OpenID Connect: the identity provider's claims decide the role; a first login creates the account.

The logins run against a real OpenID provider (``oidc-provider-mock``) served over HTTP on a free
localhost port: discovery, the authorization request, the code exchange (with the PKCE verifier),
the signed ID token and the end-session endpoint are the provider's own. The browser is a real
HTTP client talking to the provider, and the portal's test client on the portal's side.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
import werkzeug.serving
from fastapi import FastAPI
from fastapi.testclient import TestClient
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import app as provider_app
from sqlalchemy import Engine
from werkzeug.wrappers import Request as WsgiRequest

from mutua.bootstrap import create_app, unit_of_work
from mutua.kernel.access import Forbidden, Role
from mutua.platform.settings import Settings
from mutua.platform.web.oidc import OidcSettings, identity_from_claims
from portal_world import MEMBER_A, MEMBER_B

# the provider (oidc-provider-mock) still uses authlib's older signing hooks: its warning, not ours
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

SETTINGS = OidcSettings("https://idp.example/realms/mutua", "mutua-portal", "secret")

HOLDER = ProviderUser(
    sub="kc-123",
    claims={
        "preferred_username": "kc-holder",
        "name": "KC Holder",
        "resource_access": {"mutua-portal": {"roles": ["budget_holder"]}},
        "mutua_member": MEMBER_B,
    },
)


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


@dataclass
class Provider:
    """A running OpenID provider and the token requests it received."""

    issuer: str
    token_requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain HTTP on localhost
    flask_app = provider_app(require_nonce=True, user_claims=[HOLDER])
    inner = flask_app.wsgi_app
    recorded: list[dict[str, str]] = []

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/oauth2/token":
            body = WsgiRequest(environ).get_data()
            environ["wsgi.input"] = io.BytesIO(body)  # the provider reads the body again
            recorded.append({k: v[0] for k, v in parse_qs(body.decode()).items()})
        return inner(environ, start_response)

    flask_app.wsgi_app = recording
    server = werkzeug.serving.make_server("localhost", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Provider(f"http://localhost:{server.server_port}", recorded)
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def oidc_app(world_engine: Engine, tmp_path: Path, provider: Provider) -> FastAPI:
    settings = OidcSettings(provider.issuer, "mutua-portal", "secret")
    return create_app(
        engine=world_engine, settings=Settings(data_dir=tmp_path), secret_key="s", charts=False, oidc=settings
    )


def _authorize(client: TestClient) -> tuple[str, dict[str, str]]:
    """Start a login: the provider's authorization URL and its parameters."""
    r = client.get("/login/oidc", follow_redirects=False)
    assert r.status_code == 302
    location = r.headers["location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _sign_in_at_provider(authorization_url: str, subject: str = "kc-123") -> str:
    """The user signs in at the provider (a real HTTP request): the callback URL it sends back."""
    r = httpx.post(authorization_url, data={"sub": subject}, follow_redirects=False)
    assert r.status_code == 302, r.text
    callback = urlsplit(r.headers["location"])
    assert callback.path == "/login/oidc/callback"
    return f"{callback.path}?{callback.query}"


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def _claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_an_oidc_login_with_pkce_creates_the_account_with_the_claimed_role_and_reads_only_its_member(
    oidc_app: FastAPI, provider: Provider, world_engine: Engine
) -> None:
    client = TestClient(oidc_app, headers={"Accept-Language": "en"})
    assert "/login/oidc" in client.get("/login").text
    url, params = _authorize(client)
    assert url.startswith(f"{provider.issuer}/oauth2/authorize?")
    assert params["code_challenge_method"] == "S256"
    assert params["state"] and params["nonce"] and params["response_type"] == "code"
    r = client.get(_sign_in_at_provider(url), follow_redirects=False)
    assert r.status_code == 303
    # the code went back with the verifier whose S256 hash is the challenge sent with the request
    (exchange,) = provider.token_requests
    digest = hashlib.sha256(exchange["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == params["code_challenge"]
    assert client.get("/", follow_redirects=False).headers["location"] == f"/members/{MEMBER_B}"
    assert client.get(f"/api/v1/members/{MEMBER_B}").status_code == 200
    assert client.get(f"/api/v1/members/{MEMBER_A}").status_code == 404  # another member's: as an unknown one
    with unit_of_work(world_engine) as uow:
        entries = uow.audit.entries(5)
    assert any(
        e["action"] == "add" and e["entity_key"] == "kc-holder" and e["actor"] == "oidc:kc-holder" for e in entries
    )


def test_an_answer_with_a_tampered_state_logs_nobody_in(oidc_app: FastAPI) -> None:
    client = TestClient(oidc_app, headers={"Accept-Language": "en"})
    url, _ = _authorize(client)
    callback = _sign_in_at_provider(url)
    r = client.get(_with_query(callback, state="forged-state"), follow_redirects=False)
    assert r.status_code == 401
    assert client.get(f"/api/v1/members/{MEMBER_B}").status_code == 401


def test_an_id_token_for_another_nonce_logs_nobody_in(oidc_app: FastAPI) -> None:
    client = TestClient(oidc_app, headers={"Accept-Language": "en"})
    url, _ = _authorize(client)
    callback = _sign_in_at_provider(_with_query(url, nonce="someone-elses-nonce"))
    r = client.get(callback, follow_redirects=False)
    assert r.status_code == 401
    assert client.get(f"/api/v1/members/{MEMBER_B}").status_code == 401


def test_logout_of_an_oidc_login_ends_the_session_here_and_at_the_provider(
    oidc_app: FastAPI, provider: Provider
) -> None:
    client = TestClient(oidc_app, headers={"Accept-Language": "en"})
    url, _ = _authorize(client)
    assert client.get(_sign_in_at_provider(url), follow_redirects=False).status_code == 303
    copied = TestClient(oidc_app, cookies=dict(client.cookies))
    assert copied.get(f"/api/v1/members/{MEMBER_B}").status_code == 200
    token = csrf_of(client.get(f"/members/{MEMBER_B}").text)
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    end_session = httpx.get(f"{provider.issuer}/.well-known/openid-configuration").json()["end_session_endpoint"]
    location = r.headers["location"]
    assert location.startswith(f"{end_session}?")
    # the browser may follow the form's redirect to the provider, and to no other origin
    sources = re.search(r"form-action ([^;]+)", r.headers["content-security-policy"])
    assert sources is not None and sources.group(1).split() == ["'self'", provider.issuer.rstrip("/")]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["post_logout_redirect_uri"] == "http://testserver/login"
    hint = _claims(query["id_token_hint"])
    assert (hint["sub"], hint["iss"]) == ("kc-123", provider.issuer)
    assert hint["aud"] in ("mutua-portal", ["mutua-portal"])
    # the provider takes the logout and sends the browser back to the portal's login page
    form = httpx.get(location)
    assert form.status_code == 200
    back = httpx.post(
        f"{provider.issuer}/oauth2/end_session/confirm",
        data={"redirect_uri": query["post_logout_redirect_uri"]},
        follow_redirects=False,
    )
    assert back.headers["location"] == "http://testserver/login"
    # the session is revoked: this browser's and a copied cookie alike
    assert client.get(f"/api/v1/members/{MEMBER_B}").status_code == 401
    assert copied.get(f"/api/v1/members/{MEMBER_B}").status_code == 401


def test_logout_of_a_password_login_stays_in_the_portal(portal_as: Any) -> None:
    client = portal_as("ctrl")
    token = csrf_of(client.get("/").text)
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login")
