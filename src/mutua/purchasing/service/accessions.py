"""Accession: a member joins an agreement by a decision of its council (date, reference, the
document); no purchase obligation; refused with the reason outside the clause's scope. Every
member sees who joined what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.problems import Conflict, NotFound
from mutua.purchasing.domain import Accession, AgreementDocument, DocumentKind
from mutua.purchasing.domain.accessions import accession_refusals
from mutua.purchasing.ports import PurchasingUnitOfWork
from mutua.purchasing.service.agreements import MAX_DOCUMENT
from mutua.purchasing.service.common import FileContent, read_file, refuse, today


@dataclass(frozen=True, slots=True)
class AccessionView:
    """An accession as every member sees it.

    Attributes:
        accession: the accession.
        member_name: the member's name.
        agreement_title_nl: the agreement's Dutch title.
        agreement_title_fr: its French title.
    """

    accession: Accession
    member_name: str
    agreement_title_nl: str
    agreement_title_fr: str

    def as_json(self) -> dict[str, Any]:
        a = self.accession
        return {
            "agreement": a.agreement,
            "agreement_title_nl": self.agreement_title_nl,
            "agreement_title_fr": self.agreement_title_fr,
            "member": a.member,
            "member_name": self.member_name,
            "decided_on": a.decided_on.isoformat(),
            "decision_reference": a.decision_reference,
            "document_sha256": a.document_sha256,
        }


@requires(Permission(Action.PURCHASE, member_scoped=True))
def join_agreement(
    uow: PurchasingUnitOfWork,
    member: str,
    reference: str,
    decided_on: date,
    decision_reference: str,
    document: Path | None = None,
    on: date | None = None,
) -> AccessionView:
    """Record a member's accession to an agreement (its council's decision, with the decision's
    document if given); refused with the reason when the clause does not cover the member."""
    content = read_file(document) if document is not None else None
    return join_agreement_content(uow, member, reference, decided_on, decision_reference, content, on)


@requires(Permission(Action.PURCHASE, member_scoped=True))
def join_agreement_content(
    uow: PurchasingUnitOfWork,
    member: str,
    reference: str,
    decided_on: date,
    decision_reference: str,
    content: FileContent | None = None,
    on: date | None = None,
) -> AccessionView:
    """:func:`join_agreement` with the decision's document as bytes (the API's and the portal's)."""
    day = today(on)
    what = f"accession of {member} to {reference}"
    if not decision_reference.strip():
        refuse(["name the council's decision (its reference)"], what, "accession", "decision_reference")
    if content is not None and len(content.data) > MAX_DOCUMENT:
        refuse([f"{content.name} is larger than 50 MB"], what, "accession", "document")
    with uow:
        p = uow.purchasing
        found = uow.registry.member(member)
        if found is None:
            raise NotFound(f"no member with enterprise number {member}")
        agreement = p.agreement(reference)
        if agreement is None:
            raise NotFound(f"no agreement {reference}")
        if p.accessions(reference, member):
            raise Conflict(f"member {member} has joined {reference} already")
        region = p.member_regions().get(member)
        reasons = accession_refusals(agreement, member, found.category.value, region, decided_on, day)
        if not found.is_member_on(decided_on):
            reasons.append(f"{found.name} is not a member on {decided_on}")
        refuse(reasons, what, "accession")
        sha = ""
        if content is not None:
            sha = content.sha256
            p.add_document(
                AgreementDocument(
                    reference,
                    DocumentKind.COUNCIL_DECISION,
                    content.name,
                    _media_type(content.name),
                    sha,
                    len(content.data),
                    member,
                    decision_reference.strip(),
                ),
                content.data,
            )
        accession = Accession(reference, member, decided_on, decision_reference.strip()[:100], sha)
        p.add_accession(accession)
        uow.audit.record(
            "join",
            "agreement",
            reference,
            member=member,
            decided_on=decided_on,
            decision_reference=accession.decision_reference,
            document_sha256=sha,
        )
        uow.commit()
    return AccessionView(accession, found.name, agreement.title_nl, agreement.title_fr)


def _media_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"


@requires(Permission())
def accessions(
    uow: PurchasingUnitOfWork, reference: str | None = None, member: str | None = None
) -> list[AccessionView]:
    """Who joined which agreement (every member sees them all), by agreement and decision date."""
    with uow:
        names = {m.enterprise_number: m.name for m in uow.registry.members()}
        titles = {a.reference: a for a in uow.purchasing.agreements()}
        return [
            AccessionView(x, names.get(x.member, x.member), titles[x.agreement].title_nl, titles[x.agreement].title_fr)
            for x in uow.purchasing.accessions(reference, member)
        ]
