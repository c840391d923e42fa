"""In-memory fakes of what billing's use cases ask of a unit of work (:mod:`mutua.billing.ports`):
the billing repository, the charging, registry and costing data billing reads, and a renderer that
records what it renders.

    uow = billing_unit_of_work(members=[...], engagements=[...], charges=[...], closed={202501})
    issue_period_invoices(uow, Period(2025, 1), date(2025, 2, 1))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mutua.billing.domain import Document, DocumentHeader
from mutua.billing.ports import FocusExport
from mutua.charging.domain import Charge, TrueUpMode, TrueUpRun
from mutua.costing.domain.association import Association
from mutua.costing.domain.catalogue import Service
from mutua.costing.domain.centres import SupportMethod
from mutua.costing.domain.model import CostModel
from mutua.kernel.problems import Conflict
from mutua.registry.domain import Engagement, Member
from tests.fakes import FakeUnitOfWork

SELLER = Association("Small association", "0406798006", "BE71 0961 2345 6769", "GKCCBEBB", payment_days=30)


@dataclass
class _Stored:
    document: Document
    key: str
    ubl: str


class FakeBilling:
    """Issued documents in memory; numbers from a per-year counter. Nothing is ever updated."""

    def __init__(self, members: Iterable[Member] = ()) -> None:
        self.names = {m.enterprise_number: (m.name, m.language.value) for m in members}
        self.sequences: dict[int, int] = {}
        self.stored: list[_Stored] = []
        self.channels: dict[str, str] = {}

    def allocate(self, year: int, count: int = 1) -> int:
        if count < 1:
            raise ValueError("allocate at least one number")
        self.sequences[year] = self.sequences.get(year, 0) + count
        return self.sequences[year] - count + 1

    def last_issue_date(self, year: int) -> date | None:
        days = [s.document.issued_on for s in self.stored if s.document.year == year]
        return max(days) if days else None

    def add_many(self, items: Sequence[tuple[Document, str, bytes]]) -> None:
        taken = {s.key for s in self.stored}
        for _, key, _ in items:
            if key in taken:
                raise Conflict(f"a document was already issued for {key}")
        self.stored.extend(_Stored(doc, key, xml.decode("utf-8")) for doc, key, xml in items)

    def issued_keys(self, prefix: str) -> set[str]:
        return {s.key for s in self.stored if s.key.startswith(prefix)}

    def _header(self, doc: Document) -> DocumentHeader:
        name, language = self.names.get(doc.draft.member, ("", "nl"))
        sha = f"sha-of-{doc.number}"
        draft = doc.draft
        return DocumentHeader(
            doc.number,
            doc.year,
            doc.sequence,
            draft.kind,
            draft.purpose,
            draft.period_key,
            draft.period_start,
            draft.period_end,
            doc.issued_on,
            doc.due_on,
            doc.total,
            doc.payment_reference,
            draft.note,
            sha,
            draft.member,
            name,
            language,
        )

    def headers(
        self,
        *,
        period_keys: Sequence[int] | None = None,
        year: int | None = None,
        member: str | None = None,
        numbers: Sequence[str] | None = None,
    ) -> list[DocumentHeader]:
        found = []
        for s in sorted(self.stored, key=lambda s: (s.document.year, s.document.sequence)):
            d = s.document
            if period_keys is not None and d.draft.period_key not in period_keys:
                continue
            if year is not None and d.draft.period_key // 100 != year:
                continue
            if member is not None and d.draft.member != member:
                continue
            if numbers is not None and d.number not in numbers:
                continue
            found.append(self._header(d))
        return found

    def documents(self, headers: Sequence[DocumentHeader]) -> list[Document]:
        by_number = {s.document.number: s.document for s in self.stored}
        return [by_number[h.number] for h in headers]

    def ubl(self, number: str) -> str | None:
        return next((s.ubl for s in self.stored if s.document.number == number), None)

    def set_channel(self, member: str, channel: str) -> None:
        self.channels.pop(member, None)
        if channel != "peppol":
            self.channels[member] = channel

    def pdf_members(self) -> set[str]:
        return {m for m, c in self.channels.items() if c == "pdf"}


class FakeChargingData:
    """The close's output as billing reads it: closed periods, charges, true-up runs."""

    def __init__(
        self,
        closed: Iterable[int] = (),
        charges: Iterable[tuple[str, Charge]] = (),
        runs: Mapping[int, str] | None = None,
    ) -> None:
        self.closed = set(closed)
        self.charged = list(charges)  # (kind, charge)
        self.runs = dict(runs or {})

    def closed_periods(self) -> set[int]:
        return set(self.closed)

    def closed_models(self, period_keys: Iterable[int]) -> dict[int, int]:
        return {k: 1 for k in period_keys if k in self.closed}

    def charges(self, period_keys: Iterable[int], member: str | None = None, kind: str | None = None) -> list[Charge]:
        keys = set(period_keys)
        return [
            c
            for k, c in self.charged
            if c.period.key in keys and (member is None or c.member == member) and (kind is None or k == kind)
        ]

    def true_up_run(self, year: int) -> TrueUpRun | None:
        if year not in self.runs:
            return None
        return TrueUpRun(year, TrueUpMode(self.runs[year]), datetime(year + 1, 1, 1), "controller")


class FakeRegistryData:
    def __init__(self, members: Iterable[Member] = (), engagements: Iterable[Engagement] = ()) -> None:
        self.all_members = list(members)
        self.all_engagements = list(engagements)

    def members(self) -> list[Member]:
        return sorted(self.all_members, key=lambda m: m.name)

    def member(self, enterprise_number: str) -> Member | None:
        return next((m for m in self.all_members if m.enterprise_number == enterprise_number), None)

    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]:
        return [
            e
            for e in sorted(self.all_engagements, key=lambda e: e.code)
            if (member is None or e.member == member) and (code is None or e.code == code)
        ]


class FakeCostingData:
    def __init__(self, services: Iterable[Service] = (), association: Association = SELLER) -> None:
        self.model = CostModel("Test model", "1", association, SupportMethod.DIRECT, (), (), (), tuple(services), ())

    def cost_model(self, on: object = None) -> tuple[int, CostModel]:
        return 1, self.model

    def cost_model_version(self, model_id: int) -> CostModel:
        if model_id != 1:
            raise Conflict(f"no cost model version {model_id}")
        return self.model


class FakeRenderer:
    """Renders nothing real: says what it was asked to render, and remembers it."""

    def __init__(self) -> None:
        self.rendered: list[tuple[str, str]] = []

    def ubl(self, document: Document, seller: Association, buyer: Member) -> bytes:
        self.rendered.append(("ubl", document.number))
        return f"<UBL number={document.number} seller={seller.name} buyer={buyer.enterprise_number}/>".encode()

    def invoice_pdf(
        self,
        document: Document,
        seller: Association,
        buyer: Member,
        glossary: Mapping[str, str] | None = None,
        *,
        ubl: bytes = b"",
    ) -> bytes:
        self.rendered.append(("pdf", document.number))
        return f"%PDF {document.number} {buyer.language.value}".encode()

    def statement_pdf(
        self,
        statement: object,
        seller: Association,
        documents: Sequence[Document],
        glossary: Mapping[str, str] | None = None,
        *,
        ubl: Mapping[str, bytes] | None = None,
    ) -> bytes:
        self.rendered.append(("statement", ",".join(d.number for d in documents)))
        return f"%PDF statement {statement} {[d.number for d in documents]}".encode()

    def focus(
        self,
        model: CostModel,
        charges: Sequence[Charge],
        members: Mapping[str, Member],
        engagements: Mapping[str, Engagement],
        invoice_ids: Mapping[tuple[str, int, bool], str],
    ) -> FocusExport:
        self.rendered.append(("focus", str(len(charges))))
        rows = tuple(
            {
                "BilledCost": str(c.amount),
                "InvoiceId": invoice_ids.get((c.member, c.period.key, c.detail == "true-up"), ""),
                "SubAccountId": c.engagement,
            }
            for c in charges
        )
        return FocusExport(("BilledCost", "InvoiceId", "SubAccountId"), rows)


def billing_unit_of_work(
    *,
    members: Iterable[Member] = (),
    engagements: Iterable[Engagement] = (),
    services: Iterable[Service] = (),
    closed: Iterable[int] = (),
    charges: Iterable[tuple[str, Charge]] = (),
    runs: Mapping[int, str] | None = None,
    actor: str = "test",
) -> Any:
    """A fake unit of work with everything billing's use cases ask for."""
    members = list(members)
    return FakeUnitOfWork(
        actor,
        billing=FakeBilling(members),
        charging=FakeChargingData(closed, charges, runs),
        registry=FakeRegistryData(members, engagements),
        costing=FakeCostingData(services),
        renderer=FakeRenderer(),
    )
