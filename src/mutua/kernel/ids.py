"""Identifiers every context shares: the Belgian enterprise number (KBO/BCE) of members, suppliers
and the association itself."""

from __future__ import annotations

from stdnum.be import vat as be_enterprise
from stdnum.exceptions import ValidationError


def enterprise_number(text: str) -> str:
    """Validate a Belgian enterprise number (KBO/BCE) and return its 10 digits.

    Raises ``ValueError`` with a plain message when the number is wrong.
    """
    try:
        return str(be_enterprise.validate(text))
    except ValidationError as exc:
        raise ValueError(f"not a valid Belgian enterprise number: {text!r} ({exc})") from exc


def format_enterprise_number(digits: str) -> str:
    """``0203430576`` as people write it: ``0203.430.576``."""
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
