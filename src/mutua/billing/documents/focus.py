"""Cost export in the FinOps Open Cost and Usage Specification (FOCUS 1.2), CostAndUsage dataset.

One row per member (billing account), engagement (sub-account), service (and grade, for time) and
month, from the close's charges; the true-up's settlement is one ``Adjustment`` row of class
``Correction`` per engagement and service over the year. Provider-specific columns carry the ``x_``
prefix.

Mutua publishes its prices (the cost model's tariffs, per year) and measures usage: the export
passes the validator declared with ``UNIT_PRICING_SUPPORTED``, ``USAGE_MEASUREMENT_SUPPORTED`` and
``PUBLIC_PRICE_LIST_SUPPORTED``. Each usage row names its SKU (``SkuId``: the service), its price
(``SkuPriceId``: the service's tariff of the year, and grade for time; ``SkuPriceDetails`` says
which), what is metered (``SkuMeter``) and the unit price (``ListUnitPrice`` =
``ContractedUnitPrice``: the association has no discounts). ListCost and ContractedCost are unit
price x pricing quantity, exact; BilledCost = EffectiveCost is the amount charged, to the cent (the
difference is the rounding). For the shared services (an annual amount split by weight or evenly)
the unit price is the member's share of a month. Corrections (the true-up) have no SKU or unit
price: their costs are the settled amount.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from mutua.billing.domain import TRUE_UP_DETAIL
from mutua.billing.ports import FocusExport
from mutua.charging.domain import Charge
from mutua.costing.domain.catalogue import Charging, Service
from mutua.costing.domain.model import CostModel
from mutua.kernel.periods import Period
from mutua.registry.domain import Engagement, Member, format_enterprise_number

FOCUS_VERSION = "1.2"
COLUMNS = (
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountStatus",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "x_MemberEnterpriseNumber",
    "x_ServiceCode",
    "x_Detail",
    "x_UnitCode",
    "x_UnitPrice",
    "x_BuyerReference",
)

NUMERIC = (
    "BilledCost",
    "ConsumedQuantity",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "ListCost",
    "ListUnitPrice",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "PricingQuantity",
    "x_UnitPrice",
)
"""The numeric columns: written as numbers (a credit's -12.50 stays -12.50); every other column is
text, neutralised against formula injection when written (:func:`mutua.platform.files.csv_out.csv_text`)."""

# FOCUS ServiceCategory and ServiceSubcategory (closed lists) of the demo catalogue's services;
# any other service is "Other" / "Other (Other)".
SERVICE_CATEGORIES: Mapping[str, tuple[str, str]] = {
    "VMAAS": ("Compute", "Virtual Machines"),
    "HYPAAS": ("Compute", "Virtual Machines"),
    "DCAAS": ("Compute", "Other (Compute)"),
    "STAAS": ("Storage", "Storage Platforms"),
    "BAAS": ("Storage", "Backup Storage"),
    "ARCH": ("Storage", "Other (Storage)"),
    "APIGW": ("Integration", "API Management"),
    "ITSM": ("Management and Governance", "Support"),
    "MONITOR": ("Management and Governance", "Observability"),
    "DEV-H": ("Developer Tools", "Other (Developer Tools)"),
    "CONTACT": ("Business Applications", "Other (Business Applications)"),
    "PRINT": ("Business Applications", "Other (Business Applications)"),
}
OTHER = ("Other", "Other (Other)")
_TIME_UNITS = {"hour": "Hours", "day": "Days", "month": "Months", "year": "Years"}
_RECURRING = {Charging.FIXED_SHARE, Charging.EVEN_SPLIT, Charging.RESERVED_CAPACITY}


def focus_unit(unit: str) -> str:
    """A unit in FOCUS Unit Format: ``GB-month`` -> ``GB-Months``, ``hour`` -> ``Hours``."""
    if unit.lower() in _TIME_UNITS:
        return _TIME_UNITS[unit.lower()]
    head, sep, tail = unit.rpartition("-")
    if sep and tail.lower() in _TIME_UNITS:
        return f"{head}-{_TIME_UNITS[tail.lower()]}"
    return unit


def ascii_text(text: str) -> str:
    """FOCUS strings are ASCII: accents dropped (é -> e), anything else replaced."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def focus_rows(
    model: CostModel,
    charges: Iterable[Charge],
    members: Mapping[str, Member],
    engagements: Mapping[str, Engagement],
    invoice_ids: Mapping[tuple[str, int, bool], str] | None = None,
) -> FocusExport:
    """The FOCUS rows of some charges. ``invoice_ids`` maps (member, period key, is true-up) to the
    number of the document that billed them, when issued."""
    invoice_ids = invoice_ids or {}
    issuer = ascii_text(model.association.name)
    rows: list[dict[str, str]] = []
    for c in charges:
        service = model.service(c.service)
        member = members[c.member]
        engagement = engagements.get(c.engagement)
        true_up = c.detail == TRUE_UP_DETAIL
        billing_start = c.period.first_day
        billing_end = c.period.next().first_day
        charge_start = date(c.period.year, 1, 1) if true_up else billing_start
        name = service.name if service else c.service
        if true_up:
            category, frequency, klass = "Adjustment", "One-Time", "Correction"
            description = f"{name}: year-end true-up {c.period.year} of {c.engagement} (actual cost share)"
        else:
            recurring = service is not None and service.charging in _RECURRING
            category, frequency, klass = "Usage", "Recurring" if recurring else "Usage-Based", ""
            detail = f" ({c.detail})" if c.detail else ""
            description = f"{name}{detail} for {c.engagement}, {c.period}"
        amount = str(c.amount)
        usage = not true_up
        quantity, price = c.quantity, c.unit_price
        if price < 0:  # unit prices are never negative: the quantity carries the sign
            quantity, price = -quantity, -price
        priced = _price_columns(service, c, quantity, price) if usage else _unpriced(amount)
        service_category, subcategory = SERVICE_CATEGORIES.get(c.service, OTHER)
        unit = focus_unit(c.unit)
        rows.append(
            {
                "BilledCost": amount,
                "BillingAccountId": format_enterprise_number(member.enterprise_number),
                "BillingAccountName": ascii_text(member.name),
                "BillingCurrency": "EUR",
                "BillingPeriodEnd": _stamp(billing_end),
                "BillingPeriodStart": _stamp(billing_start),
                "ChargeCategory": category,
                "ChargeClass": klass,
                "ChargeDescription": ascii_text(description),
                "ChargeFrequency": frequency,
                "ChargePeriodEnd": _stamp(billing_end),
                "ChargePeriodStart": _stamp(charge_start),
                "CommitmentDiscountStatus": "",  # no commitment discounts
                "ConsumedQuantity": _plain(c.quantity) if usage else "",
                "ConsumedUnit": unit if usage else "",
                "EffectiveCost": amount,
                "InvoiceId": invoice_ids.get((c.member, c.period.key, true_up), ""),
                "InvoiceIssuerName": issuer,
                **priced,
                "PricingCurrency": "EUR",
                "PricingCurrencyEffectiveCost": amount,
                "PricingQuantity": _plain(quantity if usage else c.quantity),
                "PricingUnit": unit,
                "ProviderName": issuer,
                "PublisherName": issuer,
                "ServiceCategory": service_category,
                "ServiceName": ascii_text(name),
                "ServiceSubcategory": subcategory,
                "SubAccountId": c.engagement,
                "SubAccountName": ascii_text(engagement.title if engagement else c.engagement),
                "x_MemberEnterpriseNumber": member.enterprise_number,
                "x_ServiceCode": c.service,
                "x_Detail": c.detail,
                "x_UnitCode": service.unit_code if service and not true_up else "C62",
                "x_UnitPrice": _plain(c.unit_price),
                "x_BuyerReference": engagement.buyer_reference if engagement else "",
            }
        )
    return FocusExport(COLUMNS, tuple(rows), NUMERIC)


_PRICE_BASIS = {
    Charging.USAGE: "tariff per unit used",
    Charging.RESERVED_CAPACITY: "tariff per unit reserved",
    Charging.TIME: "cost rate per hour of the grade",
    Charging.REAL_COST: "real cost passed on with a markup",
    Charging.FIXED_SHARE: "share of an annual amount by fixed weights, per month",
    Charging.EVEN_SPLIT: "even share of an annual amount, per month",
}


def _price_columns(service: Service | None, c: Charge, quantity: Decimal, price: Decimal) -> dict[str, str]:
    """The SKU and price columns of a usage row: the service is the SKU, its tariff of the year
    (and grade) the SKU price; list cost = contracted cost = unit price x pricing quantity."""
    sku = c.service
    price_id = f"{sku}-{c.period.year}" + (f"-{c.detail}" if c.detail else "")
    details: dict[str, object] = {"x_TariffYear": c.period.year}
    if c.detail:
        details["x_Grade"] = c.detail
    if service is not None:
        details["x_PriceBasis"] = _PRICE_BASIS[service.charging]
        details["x_UnitCode"] = service.unit_code
    cost = _plain(price * quantity)
    unit_price = _plain(price)
    return {
        "ContractedCost": cost,
        "ContractedUnitPrice": unit_price,
        "ListCost": cost,
        "ListUnitPrice": unit_price,
        "PricingCategory": "Standard",
        "PricingCurrencyContractedUnitPrice": unit_price,
        "PricingCurrencyListUnitPrice": unit_price,
        "SkuId": sku,
        "SkuMeter": focus_unit(c.unit),
        "SkuPriceDetails": json.dumps(details, sort_keys=True, separators=(",", ":")),
        "SkuPriceId": price_id,
    }


def _unpriced(amount: str) -> dict[str, str]:
    """A correction's costs: the amount settled, no SKU, no unit price."""
    return {"ContractedCost": amount, "ListCost": amount}


def periods_label(periods: Sequence[Period]) -> str:
    if not periods:
        return ""
    return str(periods[0]) if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"
