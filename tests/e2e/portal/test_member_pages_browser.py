"""A member's pages in Chromium (issue 14): the dashboard, usage, invoices, an invoice, a statement
and the controller's issued invoices, in Dutch and French, with axe-core finding no violation and
each page under 3,000 px tall at 1,280 px wide. Chromium comes from the system; nothing is downloaded.

The same server as :mod:`tests.e2e.portal.test_browser` (the portal's tiny association with
January's invoices issued); ``MUTUA_BROWSER_DATA_DIR`` points the height check at another data
directory (the demo's: ``mutua demo``) with its largest member.
"""

from __future__ import annotations

import os
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


@pytest.mark.skipif(not os.environ.get("MUTUA_BROWSER_DATA_DIR"), reason="set MUTUA_BROWSER_DATA_DIR to a demo")
def test_the_largest_demo_members_pages_stay_under_3000_px(browser: object) -> None:
    """Against a running demo: ``MUTUA_BROWSER_URL`` (a ``mutua serve`` over ``mutua demo``),
    ``MUTUA_BROWSER_MEMBER`` (its largest member) and the demo's budget holder of that member."""
    url = os.environ.get("MUTUA_BROWSER_URL", "http://127.0.0.1:8000")
    member = os.environ["MUTUA_BROWSER_MEMBER"]
    user, password = os.environ["MUTUA_BROWSER_USER"], os.environ.get("MUTUA_BROWSER_PASSWORD", "mutua-demo")
    assert Path(os.environ["MUTUA_BROWSER_DATA_DIR"]).exists()
    page = _logged_in(browser, url, user, password, "nl")
    heights = {}
    for path in (f"/members/{member}", f"/members/{member}/usage", f"/members/{member}/documents"):
        heights[path] = _check(page, url + path)[1]
    assert all(h < MAX_HEIGHT for h in heights.values()), heights
