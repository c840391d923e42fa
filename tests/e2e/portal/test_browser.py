"""Browser tests: Playwright drives Debian's Chromium against a real server (uvicorn on 127.0.0.1).

As a member's budget holder: log in, see the dashboard, download an invoice (the billing context's
real PDF), switch language. As the controller: run, review and lock a close. Chromium comes from
the system (``SYSTEM_PACKAGES`` in the Makefile); nothing is downloaded.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mutua.bootstrap import create_app, migrate
from mutua.kernel.periods import Period
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import Settings
from portal_world import MEMBER_A, PASSWORD, build

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from mutua.billing.service import issue_period_invoices
    from mutua.bootstrap import unit_of_work

    folder = tmp_path_factory.mktemp("browser")
    engine = make_engine(f"sqlite:///{folder / 'mutua.sqlite'}")
    migrate(engine)
    build(engine, folder / "input")
    issue_period_invoices(unit_of_work(engine, "test"), Period(2025, 1), date(2025, 2, 1))
    app = create_app(engine=engine, settings=Settings(data_dir=folder), secret_key="browser", charts=True)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is absent: install the Makefile's SYSTEM_PACKAGES (make system)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _login(browser: object, server: str, username: str) -> object:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def test_a_budget_holder_logs_in_sees_the_dashboard_downloads_an_invoice_and_switches_language(
    browser: object, server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, expect

    page = _login(browser, server, "holder-a")
    assert isinstance(page, Page)
    expect(page).to_have_url(f"{server}/members/{MEMBER_A}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Member A agency")
    expect(page.get_by_text("Projection to year end").first).to_be_visible()
    expect(page.locator("figure.chart svg").first).to_be_visible()

    page.get_by_role("link", name="Invoices and statements").first.click()
    link = page.locator("a[href$='/pdf']").first
    with page.expect_download() as info:
        link.click()
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF")

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Factures et relevés")).to_be_visible()
    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_text("Projection à la fin de l'année").first).to_be_visible()
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_text("Prognose tot jaareinde").first).to_be_visible()
    page.context.close()


def test_the_controller_runs_reviews_and_locks_a_close(browser: object, server: str) -> None:
    from playwright.sync_api import Page, expect

    page = _login(browser, server, "ctrl")
    assert isinstance(page, Page)
    expect(page).to_have_url(f"{server}/association")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Close", exact=True).click()
    page.get_by_role("link", name="Run and review 2025-02").click()
    expect(page.get_by_text("Nothing has been written yet.")).to_be_visible()
    expect(page.get_by_text("€925.00")).to_be_visible()
    page.get_by_role("button", name="Lock 2025-02").click()
    expect(page.get_by_role("status")).to_contain_text("Period 2025-02 is closed and locked.")
    expect(page.get_by_role("link", name="Run and review 2025-03")).to_be_visible()
    page.context.close()


def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_the_content(browser: object, server: str) -> None:
    from playwright.sync_api import Page, expect

    page = _login(browser, server, "holder-a")
    assert isinstance(page, Page)
    expect(page).to_have_url(f"{server}/members/{MEMBER_A}")
    page.goto(f"{server}/tariffs")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.context.close()
