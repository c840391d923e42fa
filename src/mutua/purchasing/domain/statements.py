"""A commission statement as its documents show it (PDF and UBL): the statement, the supplier it is
addressed to, the titles of the agreements and lots its lines name; the VAT and the total.

The VAT is computed once on the statement's total before VAT (EN 16931 BR-CO-17: per category,
taxable amount x rate, rounded to the cent), never line by line, at the category and rate the
statement was issued with (S at 21 % unless the cost model's ``commissions`` rule said otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from mutua.kernel.money import to_cents
from mutua.purchasing.domain import CommissionStatement, Lot, Supplier

VAT_CATEGORY_STANDARD = "S"
NOT_SUBJECT = "O"
"""Not subject to VAT: no rate, no VAT identifier on the invoice (EN 16931 BR-O-02 to BR-O-05)."""


@dataclass(frozen=True, slots=True)
class StatementDocument:
    """What a commission statement's documents show.

    Attributes:
        statement: the statement (numbered).
        supplier: the supplier it is addressed to.
        lots: the lots its lines name, by (agreement, number).
        titles: the agreements' titles (Dutch, French) by reference.
    """

    statement: CommissionStatement
    supplier: Supplier
    lots: Mapping[tuple[str, int], Lot] = field(default_factory=dict)
    titles: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def vat(self) -> Decimal:
        return to_cents(self.statement.commission * self.statement.vat_rate)

    @property
    def total(self) -> Decimal:
        return self.statement.commission + self.vat

    @property
    def vat_percent(self) -> Decimal:
        return (self.statement.vat_rate * 100).normalize()

    def agreement_title(self, reference: str, language: str) -> str:
        nl, fr = self.titles.get(reference, (reference, reference))
        return fr if language == "fr" and fr else nl

    def lot_title(self, agreement: str, number: int, language: str) -> str:
        lot = self.lots.get((agreement, number))
        return lot.title(language) if lot is not None else ""
