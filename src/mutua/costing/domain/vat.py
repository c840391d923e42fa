"""The VAT of what the association invoices outside cost-sharing: the commissions the suppliers pay
on the framework agreements of its central purchasing body. A commission is no reimbursement of
shared costs, so it is at the standard rate (category S, 21 %) unless the model's optional rule
says otherwise::

    commissions: {vat_category: S, vat_rate: "0.21"}
    commissions:
      vat_category: E
      vat_rate: "0"
      exemption_reason_code: VATEX-EU-132
      exemption_reason: Exempt based on article 132 of Council Directive 2006/112/EC
      exemption_reasons: {nl: ..., fr: ...}

Checked against EN 16931: the category is one of its VAT categories (UNCL5305 as EN 16931 restricts
it); S is at a rate between 0 and 1; Z, E, AE, K, G and O are at 0; L (IGIC) and M (IPSI) at 0 or
more; E, AE, K, G and O give an exemption reason code of the VATEX list (BR-E-10, BR-AE-10, BR-IC-10,
BR-G-10, BR-O-10), AE, K, G and O their own (``VATEX-EU-AE`` ...); S, Z, L and M give none
(BR-S-10, BR-Z-10, BR-IG-10, BR-IP-10).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mutua.costing.domain.reading import Reader

STANDARD = "S"
STANDARD_RATE = Decimal("0.21")
CATEGORIES = ("S", "Z", "E", "AE", "K", "G", "O", "L", "M")
"""The VAT categories of EN 16931 (BT-118): standard, zero rated, exempt, reverse charge,
intra-community supply, export outside the EU, not subject to VAT, IGIC (Canary Islands), IPSI
(Ceuta and Melilla)."""
REASON_RULES = {"E": "BR-E-10", "AE": "BR-AE-10", "K": "BR-IC-10", "G": "BR-G-10", "O": "BR-O-10"}
"""The categories that need an exemption reason, each with its rule of EN 16931."""
NO_REASON_RULES = {"S": "BR-S-10", "Z": "BR-Z-10", "L": "BR-IG-10", "M": "BR-IP-10"}
"""The categories that have none, each with its rule of EN 16931."""
OWN_CODES = {"AE": "VATEX-EU-AE", "K": "VATEX-EU-IC", "G": "VATEX-EU-G", "O": "VATEX-EU-O"}
"""The categories whose exemption reason is one code of the VATEX list."""
VATEX = frozenset(
    [
        "VATEX-EU-79-C",
        "VATEX-EU-132",
        "VATEX-EU-132-1A",
        "VATEX-EU-132-1B",
        "VATEX-EU-132-1C",
        "VATEX-EU-132-1D",
        "VATEX-EU-132-1E",
        "VATEX-EU-132-1F",
        "VATEX-EU-132-1G",
        "VATEX-EU-132-1H",
        "VATEX-EU-132-1I",
        "VATEX-EU-132-1J",
        "VATEX-EU-132-1K",
        "VATEX-EU-132-1L",
        "VATEX-EU-132-1M",
        "VATEX-EU-132-1N",
        "VATEX-EU-132-1O",
        "VATEX-EU-132-1P",
        "VATEX-EU-132-1Q",
        "VATEX-EU-135-1",
        "VATEX-EU-143",
        "VATEX-EU-143-1A",
        "VATEX-EU-143-1B",
        "VATEX-EU-143-1C",
        "VATEX-EU-143-1D",
        "VATEX-EU-143-1E",
        "VATEX-EU-143-1F",
        "VATEX-EU-143-1FA",
        "VATEX-EU-143-1G",
        "VATEX-EU-143-1H",
        "VATEX-EU-143-1I",
        "VATEX-EU-143-1J",
        "VATEX-EU-143-1K",
        "VATEX-EU-143-1L",
        "VATEX-EU-144",
        "VATEX-EU-146-1E",
        "VATEX-EU-159",
        "VATEX-EU-309",
        "VATEX-EU-148",
        "VATEX-EU-148-A",
        "VATEX-EU-148-B",
        "VATEX-EU-148-C",
        "VATEX-EU-148-D",
        "VATEX-EU-148-E",
        "VATEX-EU-148-F",
        "VATEX-EU-148-G",
        "VATEX-EU-151",
        "VATEX-EU-151-1A",
        "VATEX-EU-151-1AA",
        "VATEX-EU-151-1B",
        "VATEX-EU-151-1C",
        "VATEX-EU-151-1D",
        "VATEX-EU-151-1E",
        "VATEX-EU-153",
        "VATEX-EU-G",
        "VATEX-EU-O",
        "VATEX-EU-IC",
        "VATEX-EU-AE",
        "VATEX-EU-D",
        "VATEX-EU-F",
        "VATEX-EU-I",
        "VATEX-EU-J",
    ]
)
"""The EU codes of the CEF VATEX list that EN 16931's rule BR-CL-22 accepts (the French national
codes, ``VATEX-FR-...``, are left out: the association is Belgian)."""
FIELDS = ("vat_category", "vat_rate", "exemption_reason_code", "exemption_reason", "exemption_reasons")


@dataclass(frozen=True, slots=True)
class CommissionVat:
    """The VAT of a commission statement.

    Attributes:
        category: the EN 16931 VAT category (``S`` by default).
        rate: the rate (0.21 is 21 %; 0 outside S, L and M).
        exemption_reason_code: the VATEX code (E, AE, K, G, O), else empty.
        exemption_reason: the reason as text (the UBL's BT-120), else empty.
        exemption_reasons: the reason in the languages a supplier reads (``(("fr", ...), ...)``).
    """

    category: str = STANDARD
    rate: Decimal = STANDARD_RATE
    exemption_reason_code: str = ""
    exemption_reason: str = ""
    exemption_reasons: tuple[tuple[str, str], ...] = ()

    def reason_in(self, language: str) -> str:
        """The exemption reason in ``language``, else as the model gives it in plain text."""
        return dict(self.exemption_reasons).get(language, self.exemption_reason)


def read_commission_vat(r: Reader, data: Any) -> CommissionVat:
    """Read the optional ``commissions`` rule (absent: category S at 21 %), every bad field
    recorded as a problem with its path (``commissions.vat_rate``)."""
    if data is None:
        return CommissionVat()
    m = r.mapping(data, "commissions")
    if m is None:
        return CommissionVat()
    r.unknown_keys(m, FIELDS, "commissions")
    category = r.text(m, "vat_category", "commissions", required=False) or STANDARD
    category = category.upper()
    if category not in CATEGORIES:
        r.fail(
            "commissions.vat_category",
            f"{category} is not a VAT category of EN 16931 (allowed: {', '.join(CATEGORIES)})",
        )
        return CommissionVat()
    rate = _rate(r, m, category)
    code = (r.text(m, "exemption_reason_code", "commissions", required=False) or "").upper()
    reason = r.text(m, "exemption_reason", "commissions", required=False) or ""
    reasons = r.names(m, "exemption_reasons", "commissions")
    if category in NO_REASON_RULES:
        for key, given in (
            ("exemption_reason_code", code),
            ("exemption_reason", reason),
            ("exemption_reasons", reasons),
        ):
            if given:
                r.fail(
                    f"commissions.{key}",
                    f"category {category} has no exemption reason (EN 16931 {NO_REASON_RULES[category]})",
                )
    elif not code:
        r.fail(
            "commissions.exemption_reason_code",
            f"category {category} needs an exemption reason code of the VATEX list (EN 16931 {REASON_RULES[category]})",
        )
    elif code not in VATEX:
        r.fail("commissions.exemption_reason_code", f"{code} is not a code of the VATEX list (such as VATEX-EU-132)")
    elif category in OWN_CODES and code != OWN_CODES[category]:
        r.fail(
            "commissions.exemption_reason_code",
            f"category {category} takes the exemption reason code {OWN_CODES[category]}, not {code}",
        )
    elif category == "E" and code in OWN_CODES.values():
        owner = next(c for c, own in OWN_CODES.items() if own == code)
        r.fail("commissions.exemption_reason_code", f"{code} is the exemption reason of category {owner}, not of E")
    return CommissionVat(category, rate, code, reason, reasons)


def _rate(r: Reader, m: Any, category: str) -> Decimal:
    """The rule's rate, checked against its category (absent: 0.21 for S, 0 for the others)."""
    default = STANDARD_RATE if category == STANDARD else Decimal(0)
    if m.get("vat_rate") is None:
        return default
    rate = r.decimal(m["vat_rate"], "commissions.vat_rate")
    if rate is None:
        return default
    if category == STANDARD and not Decimal(0) < rate < 1:
        r.fail(
            "commissions.vat_rate",
            f"category S is at a rate of more than 0 and less than 1 (0.21 is 21 %), not {rate}",
        )
    elif category in ("L", "M") and not Decimal(0) <= rate < 1:
        r.fail("commissions.vat_rate", f"category {category} is at a rate from 0 to less than 1, not {rate}")
    elif category not in (STANDARD, "L", "M") and rate != 0:
        r.fail("commissions.vat_rate", f"category {category} is at a rate of 0, not {rate}")
    return rate


def commission_vat_to_data(vat: CommissionVat) -> dict[str, Any]:
    """The rule's plain data, as :func:`read_commission_vat` reads it (the rate as text)."""
    data: dict[str, Any] = {"vat_category": vat.category, "vat_rate": str(vat.rate)}
    if vat.exemption_reason_code:
        data["exemption_reason_code"] = vat.exemption_reason_code
    if vat.exemption_reason:
        data["exemption_reason"] = vat.exemption_reason
    if vat.exemption_reasons:
        data["exemption_reasons"] = dict(vat.exemption_reasons)
    return data
