"""Joint purchasing's pages and API (issue 11, item 8): members search the catalogue with facets,
join, order and follow their orders; the purchasing team issues the commission statements; a
member never sees another member's orders, not even through its own member's path; NL, FR, EN."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

import purchasing_world as pw
from portal_world import MEMBER_A, MEMBER_B

Client = Callable[[str], TestClient]


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ("Catalogus van de raamovereenkomsten", "2 artikelen", "Laptop 14 inch")),
        ("fr", ("Catalogue des accords-cadres", "2 articles", "Portable 14 pouces")),
        ("en", ("Catalogue of the framework agreements", "2 items", "Laptop 14 inch")),
    ],
)
def test_the_catalogue_page_searches_with_facets_in_the_users_language(
    portal_as: Client, language: str, words: tuple[str, ...]
) -> None:
    holder = portal_as("holder-a")
    holder.headers["Accept-Language"] = language
    page = holder.get("/purchasing")
    assert page.status_code == 200
    for word in words:
        assert word in page.text, (language, word)
    found = holder.get("/purchasing", params={"q": "dock"})
    assert "DOCK" in found.text and "LAP-14" not in found.text
    unit = {"nl": "stuk", "fr": "unité", "en": "one"}[language]  # UN/ECE C62 as the reader says it
    assert f'<abbr title="C62">{unit}</abbr>' in found.text
    faceted = holder.get("/purchasing", params={"supplier": "ECON", "price_min": "500"})
    assert "LAP-14" in faceted.text and ">DOCK<" not in faceted.text
    assert holder.get("/purchasing", params={"price_min": "abc"}).status_code == 422


def test_the_api_searches_the_catalogue_with_facets(api_as: Client) -> None:
    api = api_as("holder-a")
    body = api.get("/api/v1/purchasing/catalogue", params={"q": "laptop", "language": "fr"}).json()
    assert body["total"] == 1
    assert body["items"][0]["code"] == "LAP-14" and body["items"][0]["price"] == "799.99"
    assert body["facets"]["supplier"] == [{"key": "ECON", "label": "Econocom NV", "count": 1, "selected": False}]
    assert api.get("/api/v1/purchasing/catalogue", params={"cpv": "3"}).status_code == 422


def test_a_buyer_joins_orders_and_follows_its_order_through_the_pages(portal_as: Client) -> None:
    buyer = portal_as("buyer-a")
    buyer.headers["Accept-Language"] = "en"
    page = buyer.get(f"/members/{MEMBER_A}/purchasing")
    assert page.status_code == 200 and pw.ORDER_A in page.text and pw.ORDER_B not in page.text
    drafted = buyer.post(
        f"/members/{MEMBER_A}/purchasing/orders",
        data={
            "csrf_token": csrf(page.text),
            "agreement": pw.AGREEMENT,
            "lot": "1",
            "supplier": "ECON",
            "lines": "LAP-14 3\nDOCK 1,5",
        },
        follow_redirects=False,
    )
    assert drafted.status_code == 303, drafted.text[:500]
    order = buyer.get(drafted.headers["location"])
    assert order.status_code == 200 and "draft" in order.text
    assert "2,668.47" in order.text or "2.668,47" in order.text  # 3 x 799.99 + 1.5 x 179.00
    approved = buyer.post(
        drafted.headers["location"] + "/approve", data={"csrf_token": csrf(order.text)}, follow_redirects=False
    )
    assert approved.status_code == 303
    assert "approved" in buyer.get(drafted.headers["location"]).text


def test_a_budget_holder_follows_but_cannot_order(portal_as: Client, api_as: Client) -> None:
    holder = portal_as("holder-a")
    page = holder.get(f"/members/{MEMBER_A}/purchasing")
    assert page.status_code == 200 and pw.ORDER_A in page.text
    assert 'action="/members/' + MEMBER_A + '/purchasing/orders"' not in page.text
    refused = api_as("holder-a").post(
        f"/api/v1/members/{MEMBER_A}/purchasing/orders",
        json={"agreement": pw.AGREEMENT, "lot": 1, "supplier": "ECON", "lines": [{"code": "LAP-14", "quantity": "1"}]},
    )
    assert refused.status_code == 403


def test_another_members_order_is_unknown_even_under_the_members_own_path(api_as: Client, portal_as: Client) -> None:
    api = api_as("buyer-a")
    own = api.get(f"/api/v1/members/{MEMBER_A}/purchasing/orders/{pw.ORDER_A}")
    assert own.status_code == 200 and own.json()["value"] == "1599.98"
    for number in (pw.ORDER_B, pw.ORDER_Z):
        assert api.get(f"/api/v1/members/{MEMBER_A}/purchasing/orders/{number}").status_code == 404
        assert portal_as("buyer-a").get(f"/members/{MEMBER_A}/purchasing/orders/{number}").status_code == 404
        step = api.post(f"/api/v1/members/{MEMBER_A}/purchasing/orders/{number}/cancel", params={"reason": "x"})
        assert step.status_code == 404
    assert api.get(f"/api/v1/members/{MEMBER_B}/purchasing/orders").status_code == 404
    listed = api.get(f"/api/v1/members/{MEMBER_A}/purchasing/orders").json()
    assert [o["number"] for o in listed["items"]] == [pw.ORDER_A] and listed["next_cursor"] is None


def test_every_user_sees_who_joined_what(portal_as: Client, api_as: Client) -> None:
    page = portal_as("holder-b").get("/purchasing/accessions")
    assert page.status_code == 200 and "Member A agency" in page.text and "CR-2025-007" in page.text
    joined = api_as("holder-b").get("/api/v1/purchasing/accessions").json()
    assert [(j["agreement"], j["member"]) for j in joined["items"]] == [(pw.AGREEMENT, MEMBER_A)]
    assert joined["next_cursor"] is None


def test_the_purchasing_team_reads_the_statements_and_their_documents(portal_as: Client, api_as: Client) -> None:
    officer = portal_as("officer")
    page = officer.get("/purchasing/statements")
    assert page.status_code == 200 and pw.STATEMENT in page.text and "Econocom NV" in page.text
    pdf = officer.get(f"/purchasing/statements/{pw.STATEMENT}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ubl = api_as("officer").get(f"/api/v1/purchasing/statements/{pw.STATEMENT}/ubl")
    assert ubl.status_code == 200 and b"<cbc:ID>S</cbc:ID>" in ubl.content and b"17.64" in ubl.content  # 84 x 21 %
    listed = api_as("officer").get("/api/v1/purchasing/statements").json()
    assert [(s["number"], s["vat"], s["total"]) for s in listed["items"]] == [(pw.STATEMENT, "17.64", "101.64")]
    assert listed["next_cursor"] is None
    assert portal_as("holder-a").get("/purchasing/statements").status_code == 403
    assert api_as("buyer-a").get(f"/api/v1/purchasing/statements/{pw.STATEMENT}/pdf").status_code == 403
    # the funding: the year's commissions (this world's model has no purchasing centre PUR to set them against)
    funded = officer.get("/purchasing/statements?year=2025").text
    assert "Financiering van de aankoopcentrale in 2025" in funded and "84,00" in funded
    assert "geen kostenplaats PUR in het kostenmodel" in funded
    api_funding = api_as("officer").get("/api/v1/purchasing/funding", params={"year": 2025}).json()
    assert (api_funding["income"], api_funding["statements"], api_funding["centre_name"]) == ("84.00", 1, "")
    assert api_funding["cost"] is None and api_funding["coverage_pct"] is None
    assert api_as("buyer-a").get("/api/v1/purchasing/funding").status_code == 403


def test_the_agreement_pages_show_lots_suppliers_and_members(portal_as: Client, api_as: Client) -> None:
    holder = portal_as("holder-a")
    holder.headers["Accept-Language"] = "fr"
    listing = holder.get("/purchasing/agreements")
    assert listing.status_code == 200 and "PC et portables" in listing.text
    page = holder.get(f"/purchasing/agreements/{pw.AGREEMENT}")
    assert page.status_code == 200 and "Econocom NV" in page.text and "Member A agency" in page.text
    body = api_as("holder-a").get(f"/api/v1/purchasing/agreements/{pw.AGREEMENT}").json()
    assert body["reference"] == pw.AGREEMENT and body["ceiling"] == "900000.00"
    listed = api_as("holder-a").get("/api/v1/purchasing/agreements").json()
    assert [(a["reference"], a["ceiling"], a["members"]) for a in listed["items"]] == [(pw.AGREEMENT, "900000.00", 1)]
    assert listed["next_cursor"] is None
    assert holder.get("/purchasing/agreements/NOPE").status_code == 404


def test_a_members_orders_are_paged_with_the_cursor_to_the_end_and_only_its_own(api_as: Client) -> None:
    api = api_as("buyer-a")
    line = [{"code": "LAP-14", "quantity": "1"}]
    drafted = [
        api.post(
            f"/api/v1/members/{MEMBER_A}/purchasing/orders",
            json={"agreement": pw.AGREEMENT, "lot": 1, "supplier": "ECON", "lines": line},
        )
        for _ in range(4)
    ]
    assert [d.status_code for d in drafted] == [201] * 4, drafted[0].text
    numbers: list[str] = []
    sizes: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.get(f"/api/v1/members/{MEMBER_A}/purchasing/orders", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        assert set(body) == {"items", "next_cursor"}
        numbers += [o["number"] for o in body["items"]]
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sizes == [2, 2, 1]  # the member's first order and the four drafted, two at a time
    assert numbers == sorted([pw.ORDER_A, *(d.json()["number"] for d in drafted)])
    assert pw.ORDER_B not in numbers and len(set(numbers)) == 5
    everything = api.get(f"/api/v1/members/{MEMBER_A}/purchasing/orders", params={"limit": 500}).json()
    assert [o["number"] for o in everything["items"]] == numbers and everything["next_cursor"] is None
    refused = api.get(f"/api/v1/members/{MEMBER_A}/purchasing/orders", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert refused.status_code == 422
    assert api.get(f"/api/v1/members/{MEMBER_A}/purchasing/orders", params={"limit": 0}).status_code == 422
    another = api_as("holder-b").get(f"/api/v1/members/{MEMBER_A}/purchasing/orders", params={"limit": 1})
    assert another.status_code == 404
