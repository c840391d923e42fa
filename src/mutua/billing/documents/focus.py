"""Cost export in the FinOps Open Cost and Usage Specification (FOCUS 1.2), CostAndUsage dataset.

One row per member (billing account), engagement (sub-account), service (and grade, for time) and
month, from the close's charges; the true-up's settlement is one ``Adjustment`` row of class
``Correction`` per engagement and service over the year. The association works at cost, without
discounts or commitments, so BilledCost = EffectiveCost = ListCost = ContractedCost = the amount
charged, to the cent. Provider-specific columns carry the ``x_`` prefix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from mutua.billing.domain import TRUE_UP_DETAIL
from mutua.billing.ports import FocusExport
from mutua.charging.domain import Charge
from mutua.costing.domain.catalogue import Charging
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
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
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
    "EffectiveCost",
    "ListCost",
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
        usage = category == "Usage"
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
                "ConsumedQuantity": _plain(c.quantity) if usage else "",
                "ConsumedUnit": unit if usage else "",
                "ContractedCost": amount,
                "EffectiveCost": amount,
                "InvoiceId": invoice_ids.get((c.member, c.period.key, true_up), ""),
                "InvoiceIssuerName": issuer,
                "ListCost": amount,
                "PricingQuantity": _plain(c.quantity),
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


def periods_label(periods: Sequence[Period]) -> str:
    if not periods:
        return ""
    return str(periods[0]) if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"
