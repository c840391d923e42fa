"""The passive rules of OWASP ZAP's baseline scan, written as tests, on every response of every route.

ZAP cannot be installed here, so its baseline (passive) rules that concern the application are
checked in the tests instead: the security headers (Content-Security-Policy without 'unsafe-eval',
'unsafe-inline' or wildcard script sources and with the directives that do not fall back to
default-src; X-Content-Type-Options; framing; Referrer-Policy; HSTS when behind TLS), caching
(no-store on everything but /static), banners (no Server or X-Powered-By), cookies (HttpOnly,
SameSite, Secure behind TLS), the charset of text responses, no stack trace or Python class name in
any body, and a CSRF token in every POST form.

The routes are not listed by hand: every path of the OpenAPI document and every page of the
portal's route table is requested as an anonymous visitor, a budget holder and the controller, with
known and unknown objects in the path, writes with and without a CSRF token, so that the walk meets
successes, redirects, file downloads (PDF, UBL, CSV) and every error (401, 403, 404, 409, 422).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.integration.portal.conftest import FakeInvoices, csrf_of
from typer.testing import CliRunner

import portal_world as world
from mutua.bootstrap import create_app, routers
from mutua.platform.settings import Settings

OWN = {"enterprise_number": world.MEMBER_A, "code": "SVC-A", "number": "INV-A-1", "period": "2025-01", "year": "2025"}
UNKNOWN = {**OWN, "enterprise_number": "0123456749", "code": "SVC-Z", "number": "INV-Z-1", "username": "nobody"}
FORMATS = ("pdf", "ubl", "csv", "xml")
# They end the session or the token the walk runs in; they are requested last, once.
LAST = {("POST", "/logout"), ("POST", "/api/v1/logout")}
# Routes outside the routers: the OpenAPI document, a static file, paths that do not exist.
EXTRA = [
    ("GET", "/api/v1/openapi.json", True),
    ("GET", "/static/portal.css", False),
    ("GET", "/no-such-page", False),
    ("GET", "/api/v1/no-such-route", True),
]
# Banners that name a product (and often its version).
BANNERS = ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version", "x-generator")
DEBUG_HEADERS = ("x-debug-token", "x-debug-token-link", "x-chromelogger-data", "x-chromephp-data")
ISOLATION = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
}
# Scripts, styles or frames loaded from another origin, and comments that talk too much (ZAP 10017, 10027).
FOREIGN_SOURCE = re.compile(r"<(?:script|link|iframe|img)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.IGNORECASE)
SUSPICIOUS_COMMENT = re.compile(
    r"<!--(?:(?!-->).)*\b(?:TODO|FIXME|BUG|XXX|DEBUG|password|passwd|secret|admin|query|select|where)\b",
    re.IGNORECASE | re.DOTALL,
)
SAFE_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
# A stack trace, a Python class or module: what an error shown to a user must never contain.
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|<class '|File \"[^\"]+\.py\"|\bsqlalchemy\b|\bpsycopg|"
    r"\b(?:[A-Z][a-z]+)+(?:Error|Exception)\b|\bdecimal\.\w+|\bbuiltins\.|\bmutua\.\w+\."
)


@dataclass
class Walk:
    """What the walk met: the statuses and content types, and every rule broken."""

    statuses: set[int] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    findings: list[str] = field(default_factory=list)
    requests: int = 0


class _Forms(HTMLParser):
    """The POST forms of a page, each with the names and values of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._inputs: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form" and found.get("method", "get").lower() == "post":
            self._inputs = {"action": found.get("action", "")}
            self.forms.append(self._inputs)
        elif tag == "input" and self._inputs is not None and "name" in found:
            self._inputs[found["name"]] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inputs = None


def _csp_findings(csp: str) -> list[str]:
    directives = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    found = []
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        found.append("CSP: no script-src or default-src")
    else:
        for source in scripts:
            if source in ("'unsafe-eval'", "'unsafe-inline'", "data:", "http:", "https:") or "*" in source:
                found.append(f"CSP: script source {source}")
    if "'unsafe-eval'" in csp.lower():
        found.append("CSP: 'unsafe-eval'")
    # The directives that do not fall back to default-src (ZAP rule 10055).
    for directive in ("frame-ancestors", "base-uri", "object-src", "form-action"):
        if directive not in directives and not (directive == "object-src" and "default-src" in directives):
            found.append(f"CSP: no {directive}")
    for directive, sources in directives.items():
        if "*" in sources:
            found.append(f"CSP: wildcard in {directive}")
    return found


def _check(walk: Walk, who: str, method: str, url: str, r: Any, secure: bool) -> None:
    """Every rule on ``r`` (an httpx response, or httpx2's from the test client)."""
    walk.requests += 1
    walk.statuses.add(r.status_code)
    where = f"{who} {method} {url} -> {r.status_code}"
    findings: list[str] = []
    headers = r.headers
    csp = headers.get("content-security-policy")
    if csp is None:
        findings.append("no Content-Security-Policy")
    else:
        findings += _csp_findings(csp)
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        findings.append("X-Content-Type-Options is not nosniff")
    if headers.get("x-frame-options", "").upper() not in ("DENY", "SAMEORIGIN") and "frame-ancestors" not in (
        csp or ""
    ):
        findings.append("framing allowed (no X-Frame-Options DENY nor CSP frame-ancestors)")
    if headers.get("referrer-policy", "").lower() not in SAFE_REFERRER:
        findings.append(f"Referrer-Policy {headers.get('referrer-policy')!r}")
    if not headers.get("permissions-policy"):
        findings.append("no Permissions-Policy")
    for isolation, value in ISOLATION.items():
        if headers.get(isolation, "").lower() != value:
            findings.append(f"{isolation} {headers.get(isolation)!r} (site isolation against Spectre)")
    if headers.get("access-control-allow-origin") == "*":
        findings.append("Access-Control-Allow-Origin: *")
    findings += [f"debug header {name}" for name in DEBUG_HEADERS if name in headers]
    path = httpx.URL(url).path
    if not path.startswith("/static/") and "no-store" not in headers.get("cache-control", ""):
        findings.append(f"Cache-Control {headers.get('cache-control')!r}")
    findings += [f"banner {name}: {headers[name]}" for name in BANNERS if name in headers]
    hsts = headers.get("strict-transport-security", "")
    if secure:
        age = re.search(r"max-age=(\d+)", hsts)
        if age is None or int(age.group(1)) < 31536000:
            findings.append(f"HSTS {hsts!r}")
    elif hsts:
        findings.append(f"HSTS over plain HTTP {hsts!r}")
    for cookie in headers.get_list("set-cookie"):
        flags = {f.strip().split("=")[0].lower(): f.strip() for f in cookie.split(";")[1:]}
        name = cookie.split("=", 1)[0]
        if "httponly" not in flags:
            findings.append(f"cookie {name} not HttpOnly")
        if flags.get("samesite", "").lower() not in ("samesite=lax", "samesite=strict"):
            findings.append(f"cookie {name} {flags.get('samesite', 'without SameSite')}")
        if secure and "secure" not in flags:
            findings.append(f"cookie {name} not Secure")
    content_type = headers.get("content-type", "")
    if r.content and not content_type:
        findings.append("no Content-Type")
    media = content_type.split(";")[0].strip().lower()
    walk.types.add(media)
    if media.startswith("text/") and "charset=" not in content_type.lower():
        findings.append(f"Content-Type without charset: {content_type}")
    textual = media.startswith("text/") or media.endswith(("json", "xml"))
    if textual and path != "/api/v1/openapi.json":  # the document names its schemas' classes
        leak = LEAKS.search(r.text)
        if leak:
            findings.append(f"leak {leak.group(0)!r} in {r.text[max(0, leak.start() - 80) : leak.end() + 80]!r}")
    if media == "text/html":
        if foreign := FOREIGN_SOURCE.search(r.text):
            findings.append(f"resource from another origin: {foreign.group(0)!r}")
        if comment := SUSPICIOUS_COMMENT.search(r.text):
            findings.append(f"suspicious comment {comment.group(0)[:120]!r}")
        parser = _Forms()
        parser.feed(r.text)
        for form in parser.forms:
            if not form.get("csrf_token"):
                findings.append(f"POST form to {form['action']!r} without a csrf_token")
    walk.findings += [f"{where}: {f}" for f in findings]


def _fill(path: str, values: dict[str, str], fmt: str = "pdf") -> str:
    return re.sub(r"\{(\w+)\}", lambda m: fmt if m.group(1) == "fmt" else values.get(m.group(1), "x"), path)


def _routes(app: FastAPI) -> Iterator[tuple[str, str, bool]]:
    """(method, path template, is API) for every API operation, every page, and the extras."""
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            yield method.upper(), path, True
    for route in (r for router in routers() for r in router.routes):
        if isinstance(route, APIRoute) and not route.include_in_schema:
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, route.path, False
    yield from EXTRA


def _urls(template: str) -> list[str]:
    formats = FORMATS if "{fmt}" in template else ("pdf",)
    urls = [_fill(template, OWN, fmt) for fmt in formats]
    if "{" in template:
        urls.append(_fill(template, UNKNOWN))
    return urls


def _walk(app: FastAPI, walk: Walk, who: str, secure: bool) -> None:
    """Every route as ``who`` (anonymous, or a user of the world): a browser for the pages (logged
    in through the form), a bearer token for the API; writes with and without a CSRF token."""
    base = "https://testserver" if secure else "http://testserver"
    portal = TestClient(app, base_url=base)
    api = TestClient(app, base_url=base)
    with portal, api:
        r = portal.get("/login")
        _check(walk, who, "GET", "/login", r, secure)
        csrf = csrf_of(r.text)
        if who != "anonymous":
            r = portal.post(
                "/login",
                data={"username": who, "password": world.PASSWORD, "csrf_token": csrf, "next": "/"},
                follow_redirects=False,
            )
            _check(walk, who, "POST", "/login", r, secure)
            assert r.status_code == 303, r.text
            csrf = csrf_of(portal.get("/").text)
            r = api.post("/api/v1/token", data={"username": who, "password": world.PASSWORD})
            _check(walk, who, "POST", "/api/v1/token", r, secure)
            api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        last = []
        for method, template, is_api in _routes(app):
            if (method, template) in LAST:
                last.append((method, template, is_api))
                continue
            client = api if is_api else portal
            for url in _urls(template):
                if method == "GET":
                    _check(walk, who, method, url, client.get(url, follow_redirects=False), secure)
                    continue
                if not is_api:  # a form sent without its token, then with it
                    r = client.request(method, url, data={}, follow_redirects=False)
                    _check(walk, who, method, url, r, secure)
                r = client.request(
                    method, url, data={"csrf_token": csrf}, headers={"X-CSRF-Token": csrf}, follow_redirects=False
                )
                _check(walk, who, method, url, r, secure)
                if is_api:  # a JSON body that is not what the operation reads
                    r = client.request(method, url, json={"unexpected": ["x"]}, follow_redirects=False)
                    _check(walk, who, method, url, r, secure)
        for method, template, is_api in last:
            client = api if is_api else portal
            r = client.request(
                method, template, data={"csrf_token": csrf}, headers={"X-CSRF-Token": csrf}, follow_redirects=False
            )
            _check(walk, who, method, template, r, secure)


def _app(engine: Engine, tmp_path: Path, secure: bool) -> FastAPI:
    return create_app(
        engine=engine,
        settings=Settings(data_dir=tmp_path),
        secret_key="test-secret",
        invoices=FakeInvoices(),
        charts=False,
        secure_cookies=secure,
    )


@pytest.mark.parametrize("secure", [False, True], ids=["plain-http", "behind-tls"])
def test_every_response_of_every_route_passes_the_baseline_rules_for_every_visitor(
    world_engine: Engine, tmp_path: Path, secure: bool
) -> None:
    app = _app(world_engine, tmp_path, secure)
    walk = Walk()
    for who in ("anonymous", "holder-a", "ctrl"):
        _walk(app, walk, who, secure)
    assert walk.findings == [], "\n".join(walk.findings[:40]) + f"\n... {len(walk.findings)} findings"
    # The walk met what the rules are about: successes, redirects, every error and the downloads.
    assert {200, 303, 401, 403, 404, 409, 422} <= walk.statuses, walk.statuses
    assert {"text/html", "application/json", "application/problem+json", "application/pdf", "text/csv"} <= (
        walk.types
    ), walk.types
    assert walk.types & {"application/xml", "text/xml"}, walk.types
    assert walk.requests >= 300


def test_the_session_cookie_is_secure_only_behind_tls(world_engine: Engine, tmp_path: Path) -> None:
    for secure in (False, True):
        client = TestClient(_app(world_engine, tmp_path, secure), base_url="https://testserver")
        with client:
            client.get("/login")
            token = csrf_of(client.get("/login").text)
            r = client.post(
                "/login",
                data={"username": "ctrl", "password": world.PASSWORD, "csrf_token": token, "next": "/"},
                follow_redirects=False,
            )
        cookie = r.headers["set-cookie"].lower()
        assert cookie.startswith("mutua_session=")
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert ("; secure" in cookie) is secure


def test_the_rules_catch_what_they_are_written_for() -> None:
    """The checks themselves: a response breaking every rule yields a finding for each."""
    bad = httpx.Response(
        500,
        headers={
            "content-type": "text/html",
            "content-security-policy": "default-src *; script-src 'self' 'unsafe-eval' https:",
            "server": "uvicorn/0.30",
            "x-powered-by": "Python 3.12",
            "set-cookie": "mutua_session=abc; path=/",
            "access-control-allow-origin": "*",
            "x-debug-token": "1",
        },
        text='<script src="https://cdn.example/x.js"></script><!-- TODO: remove the admin password -->'
        '<form method="post" action="/x"><input name="a"></form> Traceback (most recent call last): '
        "KeyError <class 'decimal.InvalidOperation'>",
        request=httpx.Request("GET", "https://testserver/members"),
    )
    walk = Walk()
    _check(walk, "anonymous", "GET", "/members", bad, secure=True)
    text = "\n".join(walk.findings)
    for expected in (
        "'unsafe-eval'",
        "script source https:",
        "wildcard in default-src",
        "no frame-ancestors",
        "nosniff",
        "framing allowed",
        "Referrer-Policy",
        "Cache-Control",
        "banner server",
        "banner x-powered-by",
        "HSTS",
        "not HttpOnly",
        "without SameSite",
        "not Secure",
        "without charset",
        "leak",
        "without a csrf_token",
        "no Permissions-Policy",
        "cross-origin-opener-policy",
        "Access-Control-Allow-Origin",
        "debug header",
        "another origin",
        "suspicious comment",
    ):
        assert expected in text, expected


def test_the_metering_endpoint_is_served_without_a_server_banner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from mutua.bootstrap import cli
    from mutua.metering.http import UNIT_OF_WORK_VARIABLE

    for name in ("MUTUA_DATA_DIR", "MUTUA_ACTOR", "MUTUA_METERING_FLUSH_EVENTS", "MUTUA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)  # serve sets them for its workers; put back after
    monkeypatch.delenv(UNIT_OF_WORK_VARIABLE, raising=False)
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(options))
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "metering", "serve", "--workers", "1"])
    assert result.exit_code == 0, result.output
    [options] = started
    assert options["server_header"] is False
