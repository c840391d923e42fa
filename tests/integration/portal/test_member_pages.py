"""A member's pages as finance people read them (issue 14): the dashboard's engagements sorted,
filtered and summed with a summary line, usage per service and unit against last year, invoices
with due date, payment reference, kind and status, an invoice's own page, the controller's list of
issued invoices, and a statement with its total on top, folded detail and a PDF beside the CSV."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from portal_world import MEMBER_A, MEMBER_B

Client = Callable[[str], TestClient]


def _in(client: TestClient, lang: str) -> TestClient:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/tariffs").text)
    assert token is not None
    client.post("/language", data={"lang": lang, "csrf_token": token.group(1), "next": "/"})
    return client


def _engagements(page: str) -> list[str]:
    """The engagement codes of the dashboard's table, in the order shown."""
    table = page[page.index('<table class="engagements">') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<th scope="row"><a href="/engagements/([^?]+)\?', table)


def test_the_dashboard_sums_sorts_and_filters_its_engagements(portal_as: Client) -> None:
    client = _in(portal_as("holder-a"), "nl")
    page = client.get(f"/members/{MEMBER_A}?year=2025").text
    # January: PRJ-A 800.00 of 20,000.00, SVC-A 50.00 of 1,000.00; projections 11,100.00 and 600.00
    assert "0 van 2 engagementen boven budget" in page
    assert _engagements(page) == ["PRJ-A", "SVC-A"]
    foot = page[page.index("<tfoot>", page.index('<table class="engagements">')) :]
    assert "€\xa021.000,00" in foot[:400] and "€\xa0850,00" in foot[:400]  # budget and spent, summed
    by_spent = client.get(f"/members/{MEMBER_A}?year=2025&sort=spent&order=asc").text
    assert _engagements(by_spent) == ["SVC-A", "PRJ-A"]
    assert 'aria-sort="ascending"' in by_spent
    assert _engagements(client.get(f"/members/{MEMBER_A}?year=2025&sort=spent&order=desc").text) == ["PRJ-A", "SVC-A"]
    assert _engagements(client.get(f"/members/{MEMBER_A}?year=2025&kind=service").text) == ["SVC-A"]
    assert _engagements(client.get(f"/members/{MEMBER_A}?year=2025&kind=").text) == ["PRJ-A", "SVC-A"]
    over = client.get(f"/members/{MEMBER_A}?year=2025&show=over").text
    assert _engagements(over) == []  # none is over budget
    assert client.get(f"/members/{MEMBER_A}?sort=nonsense").status_code == 422


def test_the_dashboard_counts_the_engagements_over_budget_in_french(portal_as: Client, app: object) -> None:
    client = _in(portal_as("holder-b"), "fr")
    page = client.get(f"/members/{MEMBER_B}?year=2025").text
    # SVC-B: 50 VM-hours a month at 0.50 = 25.00 a month, 300.00 projected of 800.00
    assert "0 sur 1 engagements au-dessus du budget" in page
    assert _engagements(page) == ["SVC-B"]


def test_usage_is_per_service_in_its_unit_with_the_change_against_last_year(portal_as: Client) -> None:
    client = _in(portal_as("holder-a"), "nl")
    page = client.get(f"/members/{MEMBER_A}/usage?year=2025").text
    table = page[page.index('<table class="usage">') :]
    assert "Virtuele machines" in table and "VM-hour" not in table.split("<tbody>")[0]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S)
    assert len(rows) == 1  # one service with usage (VMAAS), not one row per month and engagement
    assert "2025-01" in table and "2025-02" in table
    assert re.search(r'<td class="num">100<br><small class="trend">–', rows[0])  # January: nothing in 2024
    assert "<strong>300</strong>" in rows[0]  # 100 in January, 200 in February
    fr = _in(client, "fr").get(f"/members/{MEMBER_A}/usage?year=2025").text
    assert "Machines virtuelles" in fr and "Utilisation par service et par mois" in fr


def test_the_invoice_list_shows_kind_due_date_payment_reference_status_and_total(portal_as: Client) -> None:
    client = _in(portal_as("holder-a"), "nl")
    page = client.get(f"/members/{MEMBER_A}/documents?year=2025").text
    row = re.search(r"<tr><td><a href=\"/invoices/INV-A-1\">INV-A-1</a></td>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert cells[0] == "Factuur"
    assert cells[3] == "3 mrt 2025" or "2025" in cells[3]  # the due date, in Dutch
    assert cells[4] == "+++025/0000/00197+++"
    assert cells[5] in ("Vervaldag verstreken", "Open")
    assert "€\xa0850,00" in cells[6]
    assert "INV-B-1" not in page


def test_an_invoice_has_its_own_page_with_lines_totals_and_payment_details(portal_as: Client) -> None:
    client = _in(portal_as("holder-a"), "fr")
    page = client.get("/invoices/INV-A-1").text
    assert "<h1>Facture INV-A-1</h1>" in page
    assert "+++025/0000/00197+++" in page
    assert "BE71 0961 2345 6769" in page or "BE71096123456769" in page  # the association's IBAN
    lines = page[page.index("<tbody>") : page.index("</tbody>")]
    assert lines.count("<tr>") == 3 and "Développement" in lines and "Machines virtuelles" in lines
    assert "850,00\xa0€" in page[page.index("<tfoot>") :]  # the lines add up to the total
    assert 'href="/invoices/INV-A-1/pdf"' in page and 'href="/invoices/INV-A-1/ubl"' in page
    other = client.get("/invoices/INV-B-1")
    unknown = client.get("/invoices/INV-Z-1")
    assert other.status_code == unknown.status_code == 404
    assert other.text.replace("INV-B-1", "INV-Z-1") == unknown.text


@pytest.fixture
def issued(world_engine: Engine) -> Engine:
    from mutua.billing import service as billing
    from mutua.bootstrap import unit_of_work
    from mutua.kernel.periods import Period

    billing.issue_period_invoices(unit_of_work(world_engine, "test"), Period(2025, 1), date(2025, 2, 3))
    billing.set_channel(unit_of_work(world_engine, "test"), MEMBER_B, "pdf")
    return world_engine


def test_the_controller_sees_every_issued_invoice_with_member_and_channel(issued: Engine, portal_as: Client) -> None:
    client = _in(portal_as("ctrl"), "nl")
    page = client.get("/invoices?year=2025").text
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == 2
    by_member = {("Member A agency" in r): r for r in rows}
    assert "Peppol" in by_member[True] and "PDF" in by_member[False]
    assert "Member B institute" in by_member[False]
    assert "Factuur" in by_member[True]
    assert re.search(r'href="/invoices/2025-\d+"', by_member[True])  # to the invoice's own page
    assert portal_as("holder-a").get("/invoices?year=2025").status_code == 403
    fr = _in(client, "fr").get("/invoices?year=2025").text
    assert "Factures émises" in fr


def test_the_statement_has_its_total_on_top_folded_detail_and_a_pdf_link(portal_as: Client) -> None:
    client = _in(portal_as("holder-a"), "nl")
    page = client.get(f"/members/{MEMBER_A}/statements/2025-01").text
    main = page[page.index("<main") :]
    assert main.index("Totaal deze maand") < main.index("<details>")  # the total before the detail
    assert main.count("<details>") == 2  # one fold per engagement
    assert f'href="/members/{MEMBER_A}/statements/2025-01/pdf"' in main
    assert f'href="/members/{MEMBER_A}/statements/2025-01/csv"' in main
    assert "Prognose" in main and "Raming" not in main
    fr = _in(client, "fr").get(f"/members/{MEMBER_A}/statements/2025-01").text
    assert "Total du mois" in fr and "Prévision" not in fr


def test_long_tables_are_cut_into_pages_that_keep_the_sorting_and_filters() -> None:
    from starlette.requests import Request

    from mutua.charging.portal import PAGE_SIZE, paged

    scope = {
        "type": "http",
        "method": "GET",
        "path": f"/members/{MEMBER_A}",
        "query_string": b"sort=spent&order=desc&page=3",
        "headers": [],
        "scheme": "http",
        "server": ("testserver", 80),
    }
    rows, links = paged(Request(scope), list(range(2 * PAGE_SIZE + 5)), 3)
    assert rows == list(range(2 * PAGE_SIZE, 2 * PAGE_SIZE + 5))
    assert [n for n, _ in links] == [1, 2, 3]
    assert "sort=spent" in links[1][1] and "order=desc" in links[1][1] and "page=2" in links[1][1]
    assert paged(Request(scope), list(range(PAGE_SIZE)), 1) == (list(range(PAGE_SIZE)), [])  # one page: no links
    assert paged(Request(scope), list(range(PAGE_SIZE + 1)), 9)[0] == [PAGE_SIZE]  # past the end: the last page


def test_an_engagement_title_does_not_repeat_the_members_name() -> None:
    from mutua.charging.portal import short_title

    assert short_title("Project 0001: application for Social Fund X", "Social Fund X") == "Project 0001: application"
    assert short_title("Gedeelde clouddiensten voor Sociaal Fonds Y", "Sociaal Fonds Y") == "Gedeelde clouddiensten"
    assert short_title("Détachement de personnel ICT à Fonds Z", "Fonds Z") == "Détachement de personnel ICT"
    assert short_title("VMs of A", "Member A agency") == "VMs of A"  # another name: kept whole
    assert short_title("Fonds Z", "Fonds Z") == "Fonds Z"  # nothing left: kept whole


def test_the_stacked_bars_give_each_service_its_own_colour_and_group_the_smallest() -> None:
    from mutua.platform.web.charts import spend_by_month

    rows = [{"period": "2025-01", "service": f"Service {i:02d}", "amount": str(100 - i)} for i in range(15)]
    colour = spend_by_month(rows, "t", "Month", "EUR", "Service", "Other services")["encoding"]["color"]
    domain, colours = colour["scale"]["domain"], colour["scale"]["range"]
    assert len(domain) == len(colours) == len(set(colours)) == 12  # no colour used twice
    assert domain[0] == "Service 00" and domain[-1] == "Other services"  # the largest named, the rest grouped
    few = spend_by_month(rows[:3], "t", "Month", "EUR", "Service", "Other services")["encoding"]["color"]
    assert few["scale"]["domain"] == ["Service 00", "Service 01", "Service 02"]
