"""Agreements and lots: loaded from an agreement file (YAML or JSON, :mod:`~mutua.purchasing.domain.agreementfile`),
renewed, documents kept with their SHA-256; the members' regions; the read models of agreements."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO
from mutua.kernel.problems import Conflict, NotFound, Problem, Rejected
from mutua.platform.files.csv_files import Column, CsvFile, read_text
from mutua.platform.files.imports import ImportResult, duplicates, run_import
from mutua.purchasing.domain import (
    Accession,
    Agreement,
    AgreementDocument,
    DocumentKind,
    Indexation,
    Lot,
    LotSupplier,
    Region,
    Supplier,
)
from mutua.purchasing.domain.agreementfile import read_definition, supplier_differences
from mutua.purchasing.domain.followup import Consumption, consumption_lines
from mutua.purchasing.ports import PurchasingImports, PurchasingUnitOfWork
from mutua.purchasing.service.common import FileContent, read_file, today

MANAGE = Permission(Action.MANAGE_PURCHASING)
MAX_DOCUMENT = 50 * 1024 * 1024  # 50 MB: a tender specification with its annexes


@dataclass(frozen=True, slots=True)
class AgreementView:
    """An agreement with everything about it.

    Attributes:
        agreement: the agreement.
        lots: its lots.
        awarded: the suppliers of its lots, with their cascade ranks.
        suppliers: those suppliers, by code.
        documents: its documents (and the members' council decisions).
        consumption: the agreement's consumption (first) and each lot's, against the ceilings.
        accessions: the members that joined it.
        indexations: its price revisions.
    """

    agreement: Agreement
    lots: tuple[Lot, ...]
    awarded: tuple[LotSupplier, ...]
    suppliers: Mapping[str, Supplier]
    documents: tuple[AgreementDocument, ...]
    consumption: tuple[Consumption, ...]
    accessions: tuple[Accession, ...]
    indexations: tuple[Indexation, ...]

    def as_json(self) -> dict[str, Any]:
        a = self.agreement
        used = {c.lot: c for c in self.consumption}
        return {
            "reference": a.reference,
            "title_nl": a.title_nl,
            "title_fr": a.title_fr,
            "description": a.description,
            "procedure": a.procedure.value,
            "award_date": a.award_date.isoformat(),
            "starts_on": a.starts_on.isoformat(),
            "ends_on": a.ends_on.isoformat(),
            "term_end": a.term_end.isoformat(),
            "renewals": a.renewals,
            "renewal_months": a.renewal_months,
            "renewed": a.renewed,
            "ceiling": str(a.ceiling),
            "consumed": str(used[None].consumed) if None in used else "0.00",
            "cpv": list(a.cpv),
            "clause": {
                "categories": list(a.clause.categories),
                "regions": [r.value for r in a.clause.regions],
                "bodies": list(a.clause.bodies),
                "scope": a.clause.describe(),
            },
            "commission_rate": str(a.commission_rate),
            "reference_markup": str(a.reference_markup),
            "indexation": None
            if a.indexation is None
            else {"index": a.indexation.index, "base_value": str(a.indexation.base_value), "month": a.indexation.month},
            "lots": [
                {
                    "number": lot.number,
                    "title_nl": lot.title_nl,
                    "title_fr": lot.title_fr,
                    "kind": lot.kind.value,
                    "award_rule": lot.award_rule.value,
                    "ceiling": str(lot.ceiling),
                    "consumed": str(used[lot.number].consumed) if lot.number in used else "0.00",
                    "cpv": list(lot.cpv),
                    "commission_rate": None if lot.commission_rate is None else str(lot.commission_rate),
                    "suppliers": [
                        {"code": w.supplier, "name": self.suppliers[w.supplier].name, "rank": w.rank}
                        for w in self.awarded
                        if w.lot == lot.number
                    ],
                }
                for lot in self.lots
            ],
            "documents": [
                {
                    "kind": d.kind.value,
                    "title": d.title,
                    "filename": d.filename,
                    "media_type": d.media_type,
                    "sha256": d.sha256,
                    "size": d.size,
                    "member": d.member,
                }
                for d in self.documents
            ],
            "accessions": [
                {"member": x.member, "decided_on": x.decided_on.isoformat(), "decision_reference": x.decision_reference}
                for x in self.accessions
            ],
            "indexations": [
                {
                    "number": ix.number,
                    "applies_from": ix.applies_from.isoformat(),
                    "index": ix.index,
                    "from_value": str(ix.from_value),
                    "to_value": str(ix.to_value),
                    "items": ix.items,
                    "computation": ix.computation,
                }
                for ix in self.indexations
            ],
        }


@dataclass(frozen=True, slots=True)
class AgreementSummary:
    """An agreement in a list.

    Attributes:
        agreement: the agreement.
        lots: how many lots.
        consumed: the value ordered under it that counts.
        members: how many members joined it.
    """

    agreement: Agreement
    lots: int
    consumed: Decimal
    members: int

    def as_json(self) -> dict[str, Any]:
        a = self.agreement
        return {
            "reference": a.reference,
            "title_nl": a.title_nl,
            "title_fr": a.title_fr,
            "procedure": a.procedure.value,
            "starts_on": a.starts_on.isoformat(),
            "term_end": a.term_end.isoformat(),
            "ceiling": str(a.ceiling),
            "consumed": str(self.consumed),
            "lots": self.lots,
            "members": self.members,
        }


def parse_agreement_text(text: str, source: str) -> Any:
    """The data of an agreement file: JSON (by its first character) or YAML, decimals kept as
    written (a YAML or JSON float comes back as its text: money never passes through a float)."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text, parse_float=str)
        except json.JSONDecodeError as exc:
            raise Rejected([Problem(source, exc.lineno, None, f"not valid JSON: {exc.msg}")]) from None
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
        return str(loader.construct_scalar(node))  # type: ignore[arg-type]

    Loader.add_constructor("tag:yaml.org,2002:float", as_text)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise Rejected(
            [Problem(source, line, None, f"not valid YAML: {getattr(exc, 'problem', None) or exc}")]
        ) from None


def _document(
    reference: str, kind: DocumentKind, content: FileContent, title: str, member: str | None = None
) -> AgreementDocument:
    media_type = mimetypes.guess_type(content.name)[0] or "application/octet-stream"
    return AgreementDocument(
        reference, kind, content.name, media_type, content.sha256, len(content.data), member, title
    )


@requires(MANAGE)
def load_agreement(uow: PurchasingUnitOfWork, path: Path) -> AgreementView:
    """Load an agreement file (YAML or JSON) with the documents it names (beside it)."""
    folder = path.parent

    def attachment(name: str) -> bytes | None:
        try:
            return (folder / name).read_bytes()
        except OSError:
            return None

    return load_agreement_text(uow, read_text(path), str(path), attachment)


@requires(MANAGE)
def load_agreement_text(
    uow: PurchasingUnitOfWork, text: str, source: str, attachment: Callable[[str], bytes | None]
) -> AgreementView:
    """Load an agreement from the text of an agreement file; ``attachment(file)`` gives the bytes of
    each document it names (None when missing). Refused whole with every problem; nothing written."""
    definition, problems = read_definition(parse_agreement_text(text, source), source)
    contents: list[tuple[AgreementDocument, bytes]] = []
    if definition is not None:
        for ref in definition.documents:
            data = attachment(ref.file)
            if data is None:
                problems.append(Problem(source, None, ref.field + ".file", f"cannot read the document {ref.file}"))
            elif len(data) > MAX_DOCUMENT:
                problems.append(Problem(source, None, ref.field + ".file", f"{ref.file} is larger than 50 MB"))
            else:
                content = FileContent.of(Path(ref.file).name, data)
                contents.append((_document(definition.agreement.reference, ref.kind, content, ref.title), data))
    if problems or definition is None:
        raise Rejected(problems, f"agreement file {source}")
    a = definition.agreement
    with uow:
        uow.purchasing.lock("agreements")
        if uow.purchasing.agreement(a.reference) is not None:
            raise Conflict(f"agreement {a.reference} exists already")
        known = {s.code: s for s in uow.purchasing.suppliers()}
        for i, s in enumerate(definition.suppliers, start=1):
            if s.code in known and (fields := supplier_differences(s, known[s.code])):
                problems.append(
                    Problem(
                        source, None, f"suppliers[{i}]", f"supplier {s.code} is known with another {', '.join(fields)}"
                    )
                )
        if problems:
            raise Rejected(problems, f"agreement file {source}")
        new = [s for s in definition.suppliers if s.code not in known]
        uow.purchasing.add_suppliers(new)
        uow.purchasing.add_agreement(a, definition.lots, definition.lot_suppliers)
        for document, data in contents:
            uow.purchasing.add_document(document, data)
        uow.audit.record(
            "add",
            "agreement",
            a.reference,
            source=source,
            lots=len(definition.lots),
            ceiling=str(a.ceiling),
            suppliers=[s.code for s in definition.suppliers],
            documents=[d.sha256 for d, _ in contents],
        )
        view = _view(uow, a.reference)
        uow.commit()
    return view


def _view(uow: PurchasingUnitOfWork, reference: str) -> AgreementView:
    p = uow.purchasing
    agreement = p.agreement(reference)
    if agreement is None:
        raise NotFound(f"no agreement {reference}")
    lots = p.lots(reference)
    used = consumption_lines([agreement], lots, p.consumption(reference))
    return AgreementView(
        agreement,
        tuple(lots),
        tuple(p.lot_suppliers(reference)),
        {s.code: s for s in p.suppliers()},
        tuple(p.documents(reference)),
        tuple(used),
        tuple(p.accessions(reference)),
        tuple(p.indexations(reference)),
    )


@requires(Permission())
def agreement_detail(uow: PurchasingUnitOfWork, reference: str) -> AgreementView:
    """An agreement with its lots, suppliers, documents, consumption, accessions and indexations."""
    with uow:
        return _view(uow, reference)


@requires(Permission())
def agreements_overview(uow: PurchasingUnitOfWork) -> list[AgreementSummary]:
    """Every agreement with its consumption and how many members joined it."""
    with uow:
        p = uow.purchasing
        used = p.consumption()
        lots = p.lots()
        joined: dict[str, int] = {}
        for x in p.accessions():
            joined[x.agreement] = joined.get(x.agreement, 0) + 1
        return [
            AgreementSummary(
                a,
                sum(1 for lot in lots if lot.agreement == a.reference),
                sum((v for (ref, _), v in used.items() if ref == a.reference), ZERO),
                joined.get(a.reference, 0),
            )
            for a in p.agreements()
        ]


@requires(MANAGE)
def renew_agreement(uow: PurchasingUnitOfWork, reference: str, on: date | None = None) -> Agreement:
    """Exercise the next renewal of an agreement (decided before its term ends)."""
    day = today(on)
    with uow:
        uow.purchasing.lock("agreements")
        agreement = uow.purchasing.agreement(reference)
        if agreement is None:
            raise NotFound(f"no agreement {reference}")
        if agreement.renewed >= agreement.renewals:
            raise Conflict(f"agreement {reference} allows {agreement.renewals} renewals: none is left")
        if day > agreement.term_end:
            raise Conflict(f"agreement {reference} ended on {agreement.term_end}: it can no longer be renewed")
        uow.purchasing.set_renewed(reference, agreement.renewed + 1)
        renewed = uow.purchasing.agreement(reference)
        assert renewed is not None
        uow.audit.record(
            "renew", "agreement", reference, renewal=renewed.renewed, on=day, term_end=renewed.term_end.isoformat()
        )
        uow.commit()
    return renewed


@requires(MANAGE)
def add_document(
    uow: PurchasingUnitOfWork, reference: str, kind: DocumentKind, path: Path, title: str = ""
) -> AgreementDocument:
    """Keep a document (a specification, an award decision, ...) with an agreement, by its SHA-256."""
    content = read_file(path)
    if len(content.data) > MAX_DOCUMENT:
        raise Rejected([Problem(str(path), None, None, "larger than 50 MB")])
    if kind is DocumentKind.COUNCIL_DECISION:
        raise Rejected([Problem(str(path), None, "kind", "a council decision is kept with a member's accession")])
    document = _document(reference, kind, content, title)
    with uow:
        if uow.purchasing.agreement(reference) is None:
            raise NotFound(f"no agreement {reference}")
        uow.purchasing.add_document(document, content.data)
        uow.audit.record(
            "add", "agreement_document", reference, kind=kind.value, sha256=content.sha256, file=content.name
        )
        uow.commit()
    return document


@requires(Permission())
def document_content(uow: PurchasingUnitOfWork, reference: str, sha256: str) -> tuple[AgreementDocument, bytes]:
    """A document of an agreement and its bytes (checked against its SHA-256)."""
    with uow:
        found = [d for d in uow.purchasing.documents(reference) if d.sha256 == sha256]
        data = uow.purchasing.document_content(reference, sha256)
    if not found or data is None:
        raise NotFound(f"no document {sha256[:12]} of agreement {reference}")
    if FileContent.of(found[0].filename, data).sha256 != sha256:  # pragma: no cover - a damaged store
        raise Conflict(f"document {sha256[:12]} of {reference} does not match its SHA-256")
    return found[0], data


def _region(text: str) -> Region:
    try:
        return Region(text.strip().lower())
    except ValueError:
        raise ValueError(f"{text[:30]!r} is not one of: {', '.join(r.value for r in Region)}") from None


def _enterprise(text: str) -> str:
    from mutua.kernel.ids import enterprise_number

    return enterprise_number(text)


REGION_COLUMNS = (Column("enterprise_number", _enterprise), Column("region", _region))


def _regions(uow: PurchasingImports, parsed: CsvFile, problems: list[Problem]) -> list[tuple[str, Region]]:
    duplicates(parsed, lambda v: v["enterprise_number"], "member", problems, "enterprise_number")
    known = {m.enterprise_number for m in uow.registry.members()}
    found = []
    for row in parsed.rows:
        number = row.values["enterprise_number"]
        if number not in known:
            problems.append(Problem(parsed.source, row.line, "enterprise_number", f"unknown member {number}"))
        found.append((number, row.values["region"]))
    return found


def _write_regions(uow: PurchasingImports, rows: Any, batch_id: int | None) -> None:
    uow.purchasing.set_member_regions(dict(rows))


@requires(MANAGE)
def import_member_regions(uow: PurchasingImports, path: Path) -> ImportResult:
    """The members' regions (CSV: enterprise_number, region), for clauses open to a region's public
    bodies; a member named again gets its new region."""
    return run_import(uow, "member_regions", read_text(path), str(path), REGION_COLUMNS, _regions, _write_regions)
