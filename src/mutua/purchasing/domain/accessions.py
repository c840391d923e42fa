"""Accession: a member joins an agreement by a decision of its council, with no purchase obligation,
if the agreement's central purchasing body clause covers it."""

from __future__ import annotations

from datetime import date

from mutua.purchasing.domain import Agreement, Region


def accession_refusals(
    agreement: Agreement,
    member: str,
    category: str,
    region: Region | None,
    decided_on: date,
    today: date,
) -> list[str]:
    """Every reason to refuse ``member``'s accession to ``agreement`` decided on ``decided_on``."""
    reasons = []
    if not agreement.clause.covers(member, category, region):
        where = region.value.replace("_", "-") if region is not None else "not known"
        reasons.append(
            f"member {member} (category {category}, region {where}) is outside the scope of agreement "
            f"{agreement.reference}: its clause opens it to {agreement.clause.describe()}"
        )
    if decided_on > today:
        reasons.append(f"the council's decision of {decided_on} is in the future")
    if decided_on > agreement.term_end:
        reasons.append(f"agreement {agreement.reference} ended on {agreement.term_end}")
    if decided_on < agreement.award_date:
        reasons.append(
            f"the decision of {decided_on} is before the award of {agreement.reference} ({agreement.award_date})"
        )
    return reasons
