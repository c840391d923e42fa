"""The association's own identity as it appears on documents; and reading it from the model file's
data (enterprise number and IBAN checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mutua.costing.domain.reading import Reader


@dataclass(frozen=True, slots=True)
class Association:
    """The association itself, as it appears on documents.

    Attributes:
        name: legal name.
        enterprise_number: 10 digits.
        iban: the account members pay to.
        bic: its BIC.
        street, city, postal_code, country: address.
        payment_days: days from issue to due date.
    """

    name: str
    enterprise_number: str
    iban: str
    bic: str = ""
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = "BE"
    payment_days: int = 30


def read_association(r: Reader, data: Any) -> Association | None:
    """Read ``association``: the association's identity, its enterprise number and IBAN checked."""
    from mutua.registry.domain import enterprise_number

    m = r.mapping(data, "association")
    if m is None:
        return None
    fields = ("name", "enterprise_number", "iban", "bic", "street", "city", "postal_code", "country", "payment_days")
    r.unknown_keys(m, fields, "association")
    name = r.text(m, "name", "association")
    number_text = r.text(m, "enterprise_number", "association")
    iban = r.text(m, "iban", "association")
    number = None
    if number_text is not None:
        try:
            number = enterprise_number(number_text)
        except ValueError as exc:
            r.fail("association.enterprise_number", str(exc))
    if iban is not None:
        from stdnum import iban as iban_check
        from stdnum.exceptions import ValidationError

        try:
            iban = iban_check.validate(iban)
        except ValidationError as exc:
            r.fail("association.iban", f"not a valid IBAN: {iban!r} ({exc})")
            iban = None
    days_value = m.get("payment_days", 30)
    days = r.decimal(days_value, "association.payment_days", positive=True)
    if name is None or number is None or iban is None or days is None:
        return None
    return Association(
        name=name,
        enterprise_number=number,
        iban=iban,
        bic=r.text(m, "bic", "association", required=False) or "",
        street=r.text(m, "street", "association", required=False) or "",
        city=r.text(m, "city", "association", required=False) or "",
        postal_code=r.text(m, "postal_code", "association", required=False) or "",
        country=r.text(m, "country", "association", required=False) or "BE",
        payment_days=int(days),
    )
