"""Isolation: a member's budget holder reads no other member's data through any endpoint or page.

The routes are not listed by hand: every path of the OpenAPI schema and every route of the portal's
route table is requested as member A's budget holder, with member B's objects in the path (its
enterprise number, engagement, invoice). Each must be answered exactly as an unknown object is
(404 for a read, with the same body but for the id), so that the answer does not even tell that the
object exists, and no response may carry member B's data. The same walk with A's own objects
answers 200, so the walk does reach the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import purchasing_world
from mutua.bootstrap import routers
from portal_world import MEMBER_A, MEMBER_B

Client = Callable[[str], TestClient]

OTHER = {
    "enterprise_number": MEMBER_B,
    "code": "SVC-B",
    "number": "INV-B-1",
    "order": purchasing_world.ORDER_B,
    "period": "2025-01",
    "year": "2025",
}
OWN = {**OTHER, "enterprise_number": MEMBER_A, "code": "SVC-A", "number": "INV-A-1", "order": purchasing_world.ORDER_A}
UNKNOWN = {
    **OTHER,
    "enterprise_number": "0123456749",
    "code": "SVC-Z",
    "number": "INV-Z-1",
    "order": purchasing_world.ORDER_Z,
}
OBJECT_PARAMS = {"enterprise_number", "code", "number", "order"}
# Member B's data: its name, an engagement title, a buyer reference, the content of its invoice.
SECRETS = ("Member B institute", "VMs of B", "PO-B-1", f"<Buyer>{MEMBER_B}")
# They end the session and the token the walk runs in; they read nothing.
SKIPPED = {("POST", "/logout"), ("POST", "/api/v1/logout")}


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "pdf" if m.group(1) == "fmt" else "x"), path)


def _routes(app: FastAPI) -> Iterator[tuple[str, str, bool]]:
    """(method, path template, is API) for every API operation and every portal route."""
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            yield method.upper(), path, True
    for route in (r for router in routers() for r in router.routes):
        if isinstance(route, APIRoute) and not route.include_in_schema:
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path, False


def _request(client: TestClient, method: str, url: str, csrf: str) -> tuple[int, str]:
    if method == "GET":
        r = client.get(url, follow_redirects=False)
    else:
        r = client.request(method, url, data={"csrf_token": csrf}, headers={"X-CSRF-Token": csrf})
    return r.status_code, r.text


def test_a_budget_holder_gets_nothing_of_another_member_from_any_route(
    app: FastAPI, api_as: Client, portal_as: Client
) -> None:
    api = api_as("holder-a")
    portal = portal_as("holder-a")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', portal.get("/tariffs").text)
    assert csrf is not None
    walked = []
    for method, template, is_api in _routes(app):
        if (method, template) in SKIPPED:
            continue
        client = api if is_api else portal
        params = set(re.findall(r"\{(\w+)\}", template))
        url = _fill(template, OTHER)
        status, body = _request(client, method, url, csrf.group(1))
        walked.append((method, template))
        assert status < 500, (method, url, status, body[:300])
        if params & OBJECT_PARAMS:
            unknown = _fill(template, UNKNOWN)
            unknown_status, unknown_body = _request(client, method, unknown, csrf.group(1))
            assert status == unknown_status, (method, url, status, unknown_status)
            if method == "GET":
                assert status == 404, (method, url, status)
            same = body
            for key in OBJECT_PARAMS:
                same = same.replace(OTHER[key], UNKNOWN[key])
            assert same == unknown_body, (method, url, body[:300], unknown_body[:300])
        else:
            assert MEMBER_B not in body, (method, url)
        for secret in SECRETS:
            assert secret not in body, (method, url, secret)
    api_paths = {t for m, t in walked if t.startswith("/api/")}
    assert "/api/v1/members/{enterprise_number}/dashboard" in api_paths
    assert "/api/v1/invoices/{number}/pdf" in api_paths
    assert ("GET", "/members/{enterprise_number}") in walked
    assert ("GET", "/invoices/{number}/{fmt}") in walked
    assert ("GET", "/invoices/{number}") in walked  # an invoice's page
    assert len(walked) >= 40


def test_the_same_walk_with_the_holders_own_objects_reaches_the_data(
    app: FastAPI, api_as: Client, portal_as: Client
) -> None:
    api = api_as("holder-a")
    portal = portal_as("holder-a")
    reached = 0
    for method, template, is_api in _routes(app):
        params = set(re.findall(r"\{(\w+)\}", template))
        if method != "GET" or not params & OBJECT_PARAMS:
            continue
        r = (api if is_api else portal).get(_fill(template, OWN), follow_redirects=False)
        assert r.status_code == 200, (template, r.status_code, r.text[:300])
        reached += 1
    assert reached >= 15


def test_a_budget_holder_cannot_write_anything(app: FastAPI, api_as: Client, portal_as: Client) -> None:
    api = api_as("holder-a")
    for method, template, is_api in _routes(app):
        if method == "GET" or not is_api or template in ("/api/v1/token", "/api/v1/logout"):
            continue
        assert api.request(method, _fill(template, OWN)).status_code in (403, 422), template
    status = api_as("ctrl").get("/api/v1/years/2025/close").json()
    assert [p["status"] for p in status["periods"][:2]] == ["closed", "open"]
    assert status["true_up"] is None


# Routes that serve no use case of a context: logging in and out, the language, the API's docs and
# the home page's redirect. Every other route must name the use case it runs and so its permission.
PUBLIC = {
    ("POST", "/api/v1/token"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/language"),
    ("GET", "/api/v1/docs"),
    ("GET", "/"),
}


def _permissions(route: APIRoute) -> list[object]:
    found = []
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if hasattr(dependency.call, "permission"):
            found.append(dependency.call.permission)  # type: ignore[union-attr]
        stack.extend(dependency.dependencies)
    return found


def test_every_route_and_page_declares_the_permission_of_its_use_case() -> None:
    undeclared = []
    routes = 0
    for route in (r for router in routers() for r in router.routes):
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            routes += 1
            if (method, route.path) not in PUBLIC and len(_permissions(route)) != 1:
                undeclared.append((method, route.path))
    assert routes >= 45
    assert undeclared == []
