"""OpenID Connect login against the association's identity provider (Keycloak is the common one).

Configured by environment variables (nothing happens without them)::

    MUTUA_OIDC_ISSUER         https://idp.example/realms/mutua   (discovery: ISSUER/.well-known/openid-configuration)
    MUTUA_OIDC_CLIENT_ID      mutua-portal
    MUTUA_OIDC_CLIENT_SECRET  ...
    MUTUA_OIDC_ROLE_CLAIM     mutua_role     (optional; else Keycloak's realm or client roles named mutua-<role>)
    MUTUA_OIDC_MEMBER_CLAIM   mutua_member   (the enterprise number of a budget holder)

The role comes from the identity provider's claims at every login; a first login creates the local
account (written in the audit trail), bound to the member the claim names.

The login is the authorization code flow with PKCE (an S256 ``code_challenge``; the verifier stays
in the signed session cookie and goes only to the token endpoint), and a ``state`` and ``nonce``
checked on the way back: an answer whose state is not the one this browser was sent with, or whose
ID token does not carry the nonce, is refused (401) and logs nobody in. Logging out of a session that
came through OpenID Connect ends every session and token of the account here, then sends the browser
to the provider's ``end_session_endpoint`` (from discovery) with ``id_token_hint`` and
``post_logout_redirect_uri`` (this portal's ``/login``), so the provider's session ends too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mutua.kernel.access import MEMBER_ROLES, Forbidden, Role, Unauthenticated

LOGOUT_KEY = "oidc_logout"  # session key: the provider's end-session URL of an OpenID Connect login

_PRIORITY = (
    Role.ADMIN,
    Role.CONTROLLER,
    Role.AUDITOR,
    Role.PURCHASING_OFFICER,
    Role.SERVICE_OWNER,
    Role.BUDGET_HOLDER,
    Role.BUYER,
)


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """Where the identity provider is and how its claims name roles and members."""

    issuer: str
    client_id: str
    client_secret: str
    role_claim: str = "mutua_role"
    member_claim: str = "mutua_member"
    scope: str = "openid profile email"

    @classmethod
    def from_env(cls) -> OidcSettings | None:
        env = os.environ
        issuer, client = env.get("MUTUA_OIDC_ISSUER"), env.get("MUTUA_OIDC_CLIENT_ID")
        if not issuer or not client:
            return None
        return cls(
            issuer.rstrip("/"),
            client,
            env.get("MUTUA_OIDC_CLIENT_SECRET", ""),
            env.get("MUTUA_OIDC_ROLE_CLAIM", "mutua_role"),
            env.get("MUTUA_OIDC_MEMBER_CLAIM", "mutua_member"),
        )


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    username: str
    role: Role
    member: str | None
    name: str


def _roles(claims: Mapping[str, Any], settings: OidcSettings) -> set[str]:
    found: set[str] = set()
    direct = claims.get(settings.role_claim)
    if isinstance(direct, str):
        found.add(direct)
    elif isinstance(direct, list):
        found.update(str(x) for x in direct)
    realm = claims.get("realm_access")
    if isinstance(realm, Mapping):
        found.update(str(r).removeprefix("mutua-") for r in realm.get("roles", []) if str(r).startswith("mutua-"))
    client = claims.get("resource_access")
    if isinstance(client, Mapping) and isinstance(client.get(settings.client_id), Mapping):
        found.update(str(r).removeprefix("mutua-") for r in client[settings.client_id].get("roles", []))
    return {r.replace("-", "_") for r in found}


def identity_from_claims(claims: Mapping[str, Any], settings: OidcSettings) -> Identity:
    """The Mutua identity of an ID token's claims: the most privileged role they grant."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("the identity provider sent no subject")
    granted = _roles(claims, settings)
    role = next((r for r in _PRIORITY if r.value in granted), None)
    if role is None:
        raise Forbidden("your account has no Mutua role at the identity provider")
    member = None
    if role in MEMBER_ROLES:
        value = str(claims.get(settings.member_claim, ""))
        digits = re.sub(r"\D", "", value)
        if len(digits) != 10:
            raise Forbidden(
                f"a budget holder needs the claim {settings.member_claim} with a member's enterprise number"
            )
        member = digits
    username = str(claims.get("preferred_username") or claims.get("email") or subject)[:100]
    return Identity(subject, username, role, member, str(claims.get("name") or username))


def provider_logout(request: Request) -> str | None:
    """Where the browser goes after a logout: the provider's end-session URL when the session came
    through OpenID Connect (kept in the signed session at login, so it cannot be altered), else None."""
    url = request.session.get(LOGOUT_KEY)
    return url if isinstance(url, str) and url else None


def router(settings: OidcSettings) -> APIRouter:
    """/login/oidc (to the identity provider) and /login/oidc/callback (back, logged in)."""
    from authlib.integrations.starlette_client import OAuth, OAuthError
    from joserfc.errors import JoseError

    from mutua.platform.web.auth import login_session
    from mutua.platform.web.context import context
    from mutua.platform.web.pages import error_page

    oauth = OAuth()
    oauth.register(
        "idp",
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.scope, "code_challenge_method": "S256"},
    )
    r = APIRouter(include_in_schema=False)

    @r.get("/login/oidc")
    async def start(request: Request) -> Response:
        redirect_uri = str(request.url_for("oidc_callback"))
        response: Response = await oauth.idp.authorize_redirect(request, redirect_uri)
        return response

    @r.get("/login/oidc/callback", name="oidc_callback")
    async def callback(request: Request) -> Response:
        try:  # checks the state (this browser's), exchanges the code with the PKCE verifier, checks the nonce
            token = await oauth.idp.authorize_access_token(request)
        except (OAuthError, JoseError):  # a page with the reason, not a detour through /login?next=...
            return error_page(request, 401, "the identity provider's answer does not belong to this login", ())
        claims = token.get("userinfo")
        if not claims or not token.get("id_token"):
            return error_page(request, 401, "the identity provider sent no ID token", ())
        who = identity_from_claims(claims, settings)
        ctx = context(request)
        user = await run_in_threadpool(
            ctx.accounts.from_identity, who.subject, who.username, who.role, who.member, who.name
        )
        login_session(request, user)
        metadata = await oauth.idp.load_server_metadata()
        end = metadata.get("end_session_endpoint")
        if isinstance(end, str) and end:
            query = {"id_token_hint": token["id_token"], "post_logout_redirect_uri": f"{request.base_url}login"}
            separator = "&" if "?" in end else "?"
            request.session[LOGOUT_KEY] = f"{end}{separator}{urlencode(query)}"
        return RedirectResponse("/", status_code=303)

    return r
