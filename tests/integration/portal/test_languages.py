"""No English on a Dutch or French page or PDF.

Every portal page (every GET route of the portal's route table, for every role of the world, in
Dutch and in French), the 403 and 404 pages, a refused request, and the invoice and statement
PDFs of both members (member A reads Dutch, member B French) are rendered; their visible text must
hold no English message of the catalogues (an msgid whose translation differs) and none of the
English words that a name, a unit, a code or a problem would leak (``month``, ``EUR at cost``,
``step_down``, ``budget_holder``, ``tariff`` ...). What the members typed themselves (their names,
engagement titles) is data, not checked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources

import pytest
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine

import portal_world as world
from mutua.bootstrap import routers

Client = Callable[[str], TestClient]

# English that a page must not show in NL/FR: units, codes, ledger and model words, problems.
ENGLISH = (
    r"\bmonths?\b",
    r"\bhours?\b",
    r"\bVM-hour\b",
    r"\bGB-month\b",
    r"EUR at cost",
    r"\bstep_down\b",
    r"\bstep-down\b",
    r"\bbudget_holder\b",
    r"\bservice_owner\b",
    r"\bcarry_forward\b",
    r"\breal_cost\b",
    r"\bfixed_share\b",
    r"\beven_split\b",
    r"\breserved_capacity\b",
    r"\bsocial_security\b",
    r"\bcredit_note\b",
    r"\btariffs?\b",
    r"\bcost model\b",
    r"\brejected\b",
    r"\bnothing written\b",
    r"\bproblems?\b",
    r"\bNot Found\b",
    r"\bForbidden\b",
    r"\bnot found\b",
    r"\bno (member|engagement|invoice|statement)\b",
    r"\bLedger\b",
    # words of English sentences (a problem, a refusal), in no Dutch or French sentence
    r"\b[Tt]he\b",
    r"\band\b",
    r"\bnot\b",
    r"\bwith\b",
    r"\bfirst\b",
    r"\balready\b",
    r"\bmarkup\b",
    r"\bper year\b",
    r"\bInvoice\b",
    r"\bStatement\b",
)
_ENGLISH = re.compile("|".join(ENGLISH))
# The members' own data (names, titles, descriptions) and the product's name are not translated.
DATA = ("Member A agency", "Member B institute", "Case system A", "VMs of A", "VMs of B", "Licence purchase")


@cache
def english_messages(lang: str) -> frozenset[str]:
    """Every English message of the catalogues whose translation in ``lang`` differs from it (a
    word that a catalogue keeps as it is, ``Engagement`` in Dutch, is Dutch too)."""
    found: set[str] = set()
    kept: set[str] = set()
    for domain in ("portal", "billing", "units", "messages"):
        path = resources.files("mutua").joinpath(f"locale/{lang}/LC_MESSAGES/{domain}.po")
        if not path.is_file():
            continue
        with path.open("rb") as fh:
            for m in read_po(fh):
                if m.id and m.string and isinstance(m.id, str) and "{" not in m.id:
                    (found if m.string != m.id else kept).add(m.id)
    return frozenset(found - kept)


def visible_text(page: str) -> list[str]:
    """The text nodes (and the labels a reader hears: aria-label, title, alt) of an HTML page."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    said = [html.unescape(v) for v in re.findall(r'\b(?:aria-label|title|alt)="([^"]*)"', page)]
    body = re.sub(r"<svg\b.*?</svg>", lambda m: " ".join(re.findall(r">([^<]+)<", m.group(0))), page, flags=re.S)
    nodes = [html.unescape(t).strip() for t in re.split(r"<[^>]+>", body)]
    return [t for t in (*nodes, *said) if t]


@cache
def english_names(lang: str) -> re.Pattern[str]:
    """The world's cost model's names (services, centres, accounts) in English, where ``lang``
    says them otherwise."""
    from mutua.costing.modelfile import parse_cost_model

    glossary = parse_cost_model(world.COST_MODEL, "world").glossary(lang)
    names = [re.escape(k) for k, v in glossary.items() if k not in v]
    return re.compile(r"\b(" + "|".join(names) + r")\b")


def english_in(page: str, lang: str) -> list[str]:
    """What in ``page`` (in ``lang``) is English."""
    found = []
    messages = english_messages(lang)
    names = english_names(lang)
    for node in visible_text(page):
        text = node
        for data in DATA:
            text = text.replace(data, " ")
        if text.strip() in messages:
            found.append(text.strip())
            continue
        for piece in re.split(r"\s*[·:()\-–/|,]\s+|\s+[·–]\s*", text):
            if piece.strip() in messages and len(piece.strip()) > 3:
                found.append(piece.strip())
        hit = _ENGLISH.search(text) or names.search(text)
        if hit:
            found.append(f"{hit.group(0)!r} in {node[:120]!r}")
    return found


def _pages() -> Iterator[str]:
    """Every GET page of the portal, with member A's objects in its path."""
    values = {
        "enterprise_number": world.MEMBER_A,
        "code": "PRJ-A",
        "number": "INV-A-1",
        "period": "2025-01",
        "year": "2025",
        "fmt": "ubl",
    }
    for route in (r for router in routers() for r in router.routes):
        if isinstance(route, APIRoute) and not route.include_in_schema and "GET" in route.methods:
            path = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), route.path)
            # /api/v1/docs is the integrators' page: the OpenAPI schema's own English
            if path.endswith(("/csv", "/pdf", "/ubl")) or path.startswith(("/login/oidc", "/logout", "/api/")):
                continue
            yield path


EXTRA = (
    "/members/0123456749",  # 404: no such member
    "/engagements/SVC-Z",  # 404: no such engagement
    "/no-such-page",  # 404 of the router
    "/members/{own}/statements/2031-05",  # a period in the future
    "/members/{own}/usage?year=2031",  # an empty year
    "/members/{own}?year=2031",
    "/engagements/SVC-A?year=2025",
    "/close/2025-02/review",
    "/close/2026-01/review",  # a year without tariffs
    "/close/2025-01/review",  # blocked: already closed
    "/close/2025-03/review",  # blocked: February first
    "/members/12345",  # a refused request and its problem
    "/tariffs?year=2026",  # a year without tariffs
    "/association?year=2031",
    "/allocation?year=2031",
    "/members/{other}",  # 404 (another member's) for a budget holder, a page for the others
    "/association",  # 403 for a budget holder
)


@pytest.fixture
def backend() -> str:
    """The language of a page does not depend on the database: SQLite only (fast)."""
    return "sqlite"


def _choose(client: TestClient, lang: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/tariffs").text)
    assert token is not None
    client.post("/language", data={"lang": lang, "csrf_token": token.group(1), "next": "/"})


def test_no_english_on_any_page_for_any_role_in_dutch_and_french(app: FastAPI, portal_as: Client) -> None:
    leaks: dict[str, list[str]] = {}
    shown = 0
    paths = (*_pages(), *(p.format(own=world.MEMBER_A, other=world.MEMBER_B) for p in EXTRA))
    # a budget holder and the controller read every page; the auditor and the administrator differ
    # in their header, buttons and the users page only
    others = ("/", "/close", "/users", f"/members/{world.MEMBER_A}", "/association")
    for username, walk in (("holder-a", paths), ("ctrl", paths), ("audit", others), ("root", others)):
        client = portal_as(username)
        for lang in ("nl", "fr"):
            _choose(client, lang)
            for path in walk:
                r = client.get(path, follow_redirects=True)
                assert r.status_code < 500, (username, path, r.status_code)
                if "text/html" not in r.headers.get("content-type", ""):
                    continue
                assert f'<html lang="{lang}">' in r.text, (username, path)
                shown += 1
                found = english_in(r.text, lang)
                if found:
                    leaks[f"{username} {lang} {path} ({r.status_code})"] = found
    assert shown > 120
    assert leaks == {}, "\n".join(f"{k}: {v}" for k, v in leaks.items())
    # the check does find English: the same pages in English are full of it
    client = portal_as("ctrl")
    _choose(client, "en")
    assert english_in(client.get("/tariffs?year=2025").text, "nl")
    assert english_in(client.get("/members/0123456749").text, "fr")
    assert english_in(client.get("/association?year=2025").text, "fr")


@pytest.fixture
def issued(world_engine: Engine) -> Engine:
    """January's invoices issued for both members (A reads Dutch, B French)."""
    from mutua.billing import service as billing
    from mutua.bootstrap import unit_of_work
    from mutua.kernel.periods import Period

    billing.issue_period_invoices(unit_of_work(world_engine, "test"), Period(2025, 1))
    return world_engine


def test_no_english_in_the_pdfs_of_a_dutch_and_a_french_member(issued: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The invoices and statements of both members, through billing's use cases, as the HTML that
    WeasyPrint prints (captured in place of the PDF: the words are the same, and it is fast)."""
    from mutua.billing import service as billing
    from mutua.billing.documents import pdf
    from mutua.bootstrap import unit_of_work
    from mutua.charging.service.reporting import member_statement
    from mutua.kernel.periods import Period

    monkeypatch.setattr(pdf, "_pdf", lambda html, *_, **__: html.encode("utf-8"))
    for member, lang in ((world.MEMBER_A, "nl"), (world.MEMBER_B, "fr")):
        uow = unit_of_work(issued, "test")
        numbers = [d.number for d in billing.member_documents(uow, member)]
        assert numbers
        pages = [billing.invoice_pdf(uow, n).decode("utf-8") for n in numbers]
        month = Period(2025, 1)
        pages.append(billing.statement_pdf(uow, member, month, member_statement(uow, member, month)).decode("utf-8"))
        for page in pages:
            assert f'<html lang="{lang}">' in page
            assert english_in(page, lang) == [], (lang, page)
        text = "".join(pages).replace("\u00a0", " ")
        assert re.search(r'class="ogm">\+\+\+\d{3}/\d{4}/\d{5}\+\+\+<', text)  # kept on one line
        assert not re.search(r"\d,\d{3,} €", text)  # amounts in cents
        assert re.search(r"\(\d+,\d\d %\)", text)  # the share of the budget spent, with a decimal comma
