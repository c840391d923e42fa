"""Request and response shapes of joint purchasing's API, for its OpenAPI schema. Amounts are
strings (exact decimals); the nested parts of an agreement and an order are the read models'
``as_json()``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from mutua.platform.web.paging import Page
from mutua.purchasing.domain.search import CatalogueResult

Amount = str
Code = str


class FacetValueOut(BaseModel):
    key: str
    label: str
    count: int
    selected: bool


class CatalogueItemOut(BaseModel):
    id: int
    agreement: str
    lot: int
    lot_title: str
    supplier: str
    supplier_name: str
    code: str
    cpv: str
    description_nl: str
    description_fr: str
    unit: str
    price: Amount
    valid_from: date
    valid_until: date | None


class CatalogueOut(BaseModel):
    """A page of the catalogue's search, paged by position (not by cursor: a search is ranked and
    faceted over its whole result): ``items`` are the matches from ``offset``, at most ``limit``;
    the next page is at ``offset + limit`` while that is below ``total``."""

    total: int = Field(description="How many items match the search (on every page).")
    offset: int = Field(description="The position of the page's first item in the result.")
    limit: int = Field(description="At most this many items in the page.")
    items: list[CatalogueItemOut]
    facets: dict[str, list[FacetValueOut]] = Field(
        description="Per facet (agreement, lot, cpv, supplier, price), its values with their counts over the result."
    )

    @classmethod
    def of(cls, result: CatalogueResult) -> CatalogueOut:
        q = result.query
        return cls(
            total=result.total,
            offset=q.offset,
            limit=q.limit,
            items=[
                CatalogueItemOut(
                    id=i.id,
                    agreement=i.agreement,
                    lot=i.lot,
                    lot_title=result.lot_titles.get((i.agreement, i.lot), ""),
                    supplier=i.supplier,
                    supplier_name=result.supplier_names.get(i.supplier, i.supplier),
                    code=i.code,
                    cpv=i.cpv,
                    description_nl=i.description_nl,
                    description_fr=i.description_fr,
                    unit=i.unit,
                    price=str(i.price),
                    valid_from=i.valid_from,
                    valid_until=i.valid_until,
                )
                for i in result.items
            ],
            facets={
                name: [FacetValueOut(key=v.key, label=v.label, count=v.count, selected=v.selected) for v in values]
                for name, values in result.facets.items()
            },
        )


class AgreementSummaryOut(BaseModel):
    reference: str
    title_nl: str
    title_fr: str
    procedure: str
    starts_on: str
    term_end: str
    ceiling: Amount
    consumed: Amount
    lots: int
    members: int


class AgreementSummaryPage(Page[AgreementSummaryOut]):
    """A page of the framework agreements, by reference."""


class AgreementOut(BaseModel):
    """An agreement with its lots, suppliers, documents, consumption and accessions."""

    reference: str
    title_nl: str
    title_fr: str
    procedure: str
    term_end: str
    ceiling: Amount
    consumed: Amount
    cpv: list[str]
    detail: dict[str, Any] = Field(description="The whole agreement as the service's read model gives it.")

    @classmethod
    def of(cls, data: dict[str, Any]) -> AgreementOut:
        keys = ("reference", "title_nl", "title_fr", "procedure", "term_end", "ceiling", "consumed", "cpv")
        return cls(**{k: data[k] for k in keys}, detail=data)


class AccessionIn(BaseModel):
    agreement: str = Field(min_length=1, max_length=60)
    decided_on: date
    decision_reference: str = Field(min_length=1, max_length=100)


class AccessionOut(BaseModel):
    agreement: str
    agreement_title_nl: str
    agreement_title_fr: str
    member: str
    member_name: str
    decided_on: str
    decision_reference: str
    document_sha256: str


class AccessionPage(Page[AccessionOut]):
    """A page of who joined which agreement, by agreement and decision date."""


class OrderLineIn(BaseModel):
    code: str = Field(min_length=1, max_length=60, description="The supplier's item code.")
    quantity: Decimal = Field(gt=0, le=Decimal("1000000"), max_digits=13, decimal_places=6)


class OrderIn(BaseModel):
    agreement: str = Field(min_length=1, max_length=60)
    lot: int = Field(ge=1, le=999)
    supplier: str = Field(min_length=1, max_length=40)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    engagement: str | None = Field(default=None, max_length=60)
    channel: Literal["direct", "association"] = "direct"
    buyer_reference: str = Field(default="", max_length=100)
    cascade_reason: str = Field(default="", max_length=500)


class OrderOut(BaseModel):
    number: str
    member: str
    agreement: str
    lot: int
    supplier: str
    status: str
    channel: str
    value: Amount
    created_on: str
    placed_on: str | None
    lines: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @classmethod
    def of(cls, data: dict[str, Any]) -> OrderOut:
        keys = ("number", "member", "agreement", "lot", "supplier", "status", "channel", "value", "created_on")
        return cls(
            **{k: data[k] for k in keys},
            placed_on=data.get("placed_on"),
            lines=data.get("lines", []),
            events=data.get("events", []),
        )


class OrderPage(Page[OrderOut]):
    """A page of a member's orders, by number (each without its history: read one order for it)."""


class StatementOut(BaseModel):
    number: str
    supplier: str
    supplier_name: str
    quarter: str
    issued_on: str
    base: Amount
    commission: Amount
    vat_rate: str
    vat_category: str = Field(description="EN 16931 VAT category: S unless the cost model's commissions rule says so")
    exemption_reason_code: str = Field(description="VATEX code of an exempt category, else empty")
    exemption_reason: str = Field(description="the exemption reason as the invoice states it, else empty")
    vat: Amount
    total: Amount
    lines: list[dict[str, Any]]


class FundingOut(BaseModel):
    """The commissions of a year against the purchasing team's cost centre's cost in the close."""

    year: int = Field(description="the year the commission statements were issued in")
    centre: str = Field(description="the purchasing team's cost centre")
    centre_name: str = Field(description="its name in the cost model (empty: no such centre)")
    statements: int = Field(description="statements with a commission issued in the year")
    income: Amount = Field(description="their commission, net of VAT")
    cost_year: int | None = Field(description="the year whose closed months give the cost (none: nothing closed)")
    cost_months: int = Field(description="how many months of cost_year are closed")
    cost: Amount | None = Field(description="the centre's cost in those months")
    coverage_pct: str | None = Field(description="income / cost in percent, to one decimal")


class StatementPage(Page[StatementOut]):
    """A page of the commission statements, by number."""
