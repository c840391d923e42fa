"""A member's pages in Chromium (issue 14): the dashboard, usage, invoices, an invoice, a statement
and the controller's issued invoices, in Dutch and French, with axe-core finding no violation and
each page under 3,000 px tall at 1,280 px wide. Chromium comes from the system; nothing is downloaded.

The same server as :mod:`tests.e2e.portal.test_browser` (the portal's tiny association with
January's invoices issued); ``MUTUA_BROWSER_DATA_DIR`` points the height check at another data
directory (the demo's: ``mutua demo``) with its largest member.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import ARGS, CHROMIUM, IN_CI, server  # noqa: F401 - the server fixture; puts tests/ on the path

from portal_world import MEMBER_A, PASSWORD

WIDTH, MAX_HEIGHT = 1280, 3000


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is absent: install the Makefile's SYSTEM_PACKAGES (make system)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("axe_playwright_python")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _logged_in(browser: object, base: str, username: str, password: str, lang: str) -> object:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(locale=lang, viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    return page


def _check(page: object, url: str) -> tuple[list[str], int]:
    """The axe-core violations of a page and its height at 1,280 px wide."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    answer = page.goto(url)
    assert answer is not None and answer.status == 200, url
    results = Axe().run(page)
    violations = [f"{v['id']}: {len(v['nodes'])} ({v['help']})" for v in results.response["violations"]]
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    return violations, height


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_member_pages_pass_axe_and_stay_under_3000_px(browser: object, server: str, lang: str) -> None:  # noqa: F811
    holder = _logged_in(browser, server, "holder-a", PASSWORD, lang)
    pages = [
        f"/members/{MEMBER_A}?year=2025",
        f"/members/{MEMBER_A}?year=2025&sort=spent&order=desc&show=all",
        f"/members/{MEMBER_A}/usage?year=2025",
        f"/members/{MEMBER_A}/documents?year=2025",
        f"/members/{MEMBER_A}/statements/2025-01",
    ]
    found: dict[str, tuple[list[str], int]] = {}
    for path in pages:
        found[path] = _check(holder, server + path)
    from playwright.sync_api import Page

    assert isinstance(holder, Page)
    holder.goto(f"{server}/members/{MEMBER_A}/documents?year=2025")
    first = holder.locator("table.invoices a[href^='/invoices/']").first.get_attribute("href")
    assert first is not None
    found[first] = _check(holder, server + first)
    controller = _logged_in(browser, server, "ctrl", PASSWORD, lang)
    found["/invoices"] = _check(controller, f"{server}/invoices?year=2025")
    problems = {p: (v, h) for p, (v, h) in found.items() if v or h >= MAX_HEIGHT}
    assert problems == {}, problems


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``mutua demo`` built in a fresh data dir and served by ``mutua serve`` (one worker)."""
    folder = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "MUTUA_DATA_DIR": str(folder)}
    env.pop("MUTUA_DATABASE_URL", None)
    mutua = Path(sys.executable).with_name("mutua")
    subprocess.run([str(mutua), "demo"], env=env, check=True, capture_output=True, timeout=900)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    process = subprocess.Popen(
        [str(mutua), "serve", "--workers", "1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_largest_demo_members_pages_pass_axe_and_stay_under_3000_px(
    browser: object, demo_server: str, lang: str
) -> None:
    """The demo's budget holder (``member``) is bound to its largest member (65 engagements)."""
    from playwright.sync_api import Page

    page = _logged_in(browser, demo_server, "member", "mutua-demo", lang)
    assert isinstance(page, Page)
    member = page.url.rstrip("/").split("/members/")[-1].split("?")[0]
    assert member.isdigit(), page.url
    found = {}
    for path in (
        f"/members/{member}?year=2025",
        f"/members/{member}/usage?year=2025",
        f"/members/{member}/documents?year=2025",
        f"/members/{member}/statements/2025-12",
    ):
        found[path] = _check(page, demo_server + path)
    page.goto(f"{demo_server}/members/{member}/documents?year=2025")
    first = page.locator("table.invoices a[href^='/invoices/']").first.get_attribute("href")
    assert first is not None
    found[first] = _check(page, demo_server + first)
    problems = {p: (v, h) for p, (v, h) in found.items() if v or h >= MAX_HEIGHT}
    assert problems == {}, problems
