"""Closes and true-ups sent at once through the API and the portal: one succeeds, every other gets a 409
problem detail (never a 500 or a traceback), and the year still ends at zero."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient

Client = Callable[[str], TestClient]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def at_once(requests: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Send the requests from parallel threads released together; the responses by status."""
    barrier = threading.Barrier(len(requests))
    responses: list[httpx.Response] = []

    def run(send: Callable[[], httpx.Response]) -> None:
        barrier.wait()
        responses.append(send())

    threads = [threading.Thread(target=run, args=(r,)) for r in requests]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return sorted(responses, key=lambda r: r.status_code)


def assert_conflict_problem(response: httpx.Response) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 409 and body["detail"]
    for leak in ("Traceback", "<class", "Error", "SQL", "psycopg", "sqlite3"):
        assert leak not in response.text


def test_four_closes_of_a_month_at_once_give_one_200_and_three_409_problem_details(api_as: Client) -> None:
    clients = [api_as("ctrl") for _ in range(4)]
    responses = at_once([lambda c=c: c.post("/api/v1/periods/2025-02/close") for c in clients])
    assert [r.status_code for r in responses] == [200, 409, 409, 409], [r.text for r in responses]
    for r in responses[1:]:
        assert_conflict_problem(r)
    status = clients[0].get("/api/v1/years/2025/close").json()
    assert [p["status"] for p in status["periods"]][:3] == ["closed", "closed", "open"]


def test_three_true_ups_at_once_give_one_200_and_two_409_and_the_year_ends_at_zero(api_as: Client) -> None:
    client = api_as("ctrl")
    for month in range(2, 13):
        assert client.post(f"/api/v1/periods/2025-{month:02d}/close").status_code == 200
    clients = [api_as("ctrl") for _ in range(3)]
    responses = at_once([lambda c=c: c.post("/api/v1/years/2025/true-up", params={"mode": "settle"}) for c in clients])
    assert [r.status_code for r in responses] == [200, 409, 409], [r.text for r in responses]
    for r in responses[1:]:
        assert_conflict_problem(r)
    report = client.get("/api/v1/years/2025/report").json()
    assert report["zero_result"] is True and report["result"] == "0.00"


def test_a_double_click_on_the_portals_true_up_runs_it_once(api_as: Client, portal_as: Client) -> None:
    api = api_as("ctrl")
    for month in range(2, 13):
        assert api.post(f"/api/v1/periods/2025-{month:02d}/close").status_code == 200
    browsers = [portal_as("ctrl") for _ in range(2)]
    tokens = [csrf_of(b.get("/close", params={"year": 2025}).text) for b in browsers]
    responses = at_once(
        [
            lambda b=b, t=t: b.post(
                "/true-up/2025",
                data={"mode": "settle", "csrf_token": t},
                headers={"Accept-Language": "en"},
                follow_redirects=False,
            )
            for b, t in zip(browsers, tokens, strict=True)
        ]
    )
    assert [r.status_code for r in responses] == [303, 409], [r.text[:300] for r in responses]
    assert "Traceback" not in responses[1].text and "<class" not in responses[1].text
    assert "already" in responses[1].text or "same time" in responses[1].text
    report = api.get("/api/v1/years/2025/report").json()
    assert report["zero_result"] is True and report["result"] == "0.00"
