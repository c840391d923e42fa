"""Agreements from an agreement file: lots, suppliers with their cascade, the clause, documents kept
by SHA-256; every problem of a bad file named by its field, nothing written; renewals."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mutua.kernel.problems import Conflict, Rejected
from mutua.purchasing.domain import AwardRule, DocumentKind, LotKind, Procedure, Region
from mutua.purchasing.service import agreements
from tests.unit.purchasing.world import AGREEMENT, REF, SPECIFICATION, fake_uow, load, write


def test_an_agreement_file_gives_the_agreement_its_lots_cascade_clause_and_specification(tmp_path: Path) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    view = agreements.agreement_detail(uow, REF)
    a = view.agreement
    assert (a.procedure, a.award_date, a.starts_on, a.ends_on, a.ceiling) == (
        Procedure.OPEN,
        date(2024, 11, 15),
        date(2025, 1, 1),
        date(2025, 12, 31),
        Decimal("100000.00"),
    )
    assert a.cpv == ("30213100", "72000000")  # the check digit dropped
    assert a.clause.categories == ("A",) and a.clause.regions == (Region.WALLOON,)
    assert a.commission_rate == Decimal("0.02") and a.last_possible_end == date(2026, 12, 31)
    assert [(lot.number, lot.kind, lot.award_rule, lot.ceiling) for lot in view.lots] == [
        (1, LotKind.GOODS, AwardRule.CASCADE, Decimal("60000.00")),
        (2, LotKind.CONSULTANCY, AwardRule.CASCADE, Decimal("50000.00")),
    ]
    assert [(w.lot, w.supplier, w.rank) for w in view.awarded] == [
        (1, "ACME", 1),
        (1, "BETA", 2),
        (2, "CONS1", 1),
        (2, "CONS2", 2),
    ]
    (spec,) = view.documents
    assert spec.kind is DocumentKind.SPECIFICATION and spec.sha256 == hashlib.sha256(SPECIFICATION).hexdigest()
    document, data = agreements.document_content(uow, REF, spec.sha256)
    assert data == SPECIFICATION and document.media_type == "application/pdf"
    entry = next(e for e in uow.audit.recorded if e["entity"] == "agreement")
    assert entry["action"] == "add" and spec.sha256 in entry["detail"]


def test_a_json_agreement_file_is_read_as_well(tmp_path: Path) -> None:
    import json

    import yaml

    data = yaml.safe_load(AGREEMENT.replace("ceiling: 100000.00", 'ceiling: "100000.00"'))
    data["award_date"], data["starts_on"], data["ends_on"] = "2024-11-15", "2025-01-01", "2025-12-31"
    write(tmp_path, "bestek.pdf", SPECIFICATION)
    text = json.dumps(data).replace('"100000.00"', "100000.10")  # a JSON number keeps its decimals
    uow = fake_uow()
    view = agreements.load_agreement(uow, write(tmp_path, "agreement.json", text))
    assert view.agreement.ceiling == Decimal("100000.10")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (('cpv: ["30213100-6", "72000000"]', 'cpv: ["30213199"]'), "cpv[1]", "not a code of the CPV 2008"),
        (('ceiling: "60000.00"', 'ceiling: "160000.00"'), "lots[1].ceiling", "above the agreement's ceiling"),
        (("{code: BETA, rank: 2}", "{code: BETA, rank: 3}"), "lots[1].suppliers", "ranks must be 1 to 2"),
        (("{code: BETA, rank: 2}", "{code: GAMMA, rank: 2}"), "lots[1].suppliers[2].code", "not among"),
        (("renewals: 1", "renewals: 4"), "renewals", "four years"),
        (("procedure: open", "procedure: tender"), "procedure", "not one of"),
        (("ends_on: 2025-12-31", "ends_on: 2024-12-31"), "ends_on", "before starts_on"),
        (("regions: [walloon]", "regions: [mars]"), "clause.regions[1]", "not one of"),
        (
            ('enterprise_number: "0403019261"', 'enterprise_number: "0403019262"'),
            "suppliers[1].enterprise_number",
            "not a valid",
        ),
        (("file: bestek.pdf", "file: missing.pdf"), "documents[1].file", "cannot read"),
        (
            ("kind: consultancy", 'kind: consultancy\n    commission_rate: "-1"'),
            "lots[2].commission_rate",
            "not a positive",
        ),
    ],
)
def test_a_bad_agreement_file_is_refused_with_the_field_named_and_nothing_written(
    tmp_path: Path, change: tuple[str, str], field: str, message: str
) -> None:
    old, new = change
    assert old in AGREEMENT
    uow = fake_uow()
    write(tmp_path, "bestek.pdf", SPECIFICATION)
    with pytest.raises(Rejected) as refused:
        agreements.load_agreement(uow, write(tmp_path, "agreement.yaml", AGREEMENT.replace(old, new, 1)))
    assert any(p.field == field and message in p.message for p in refused.value.problems), refused.value
    assert uow.purchasing.agreements() == [] and uow.purchasing.suppliers() == [] and uow.audit.recorded == []


def test_an_agreement_is_loaded_once_and_a_known_supplier_is_not_changed_silently(tmp_path: Path) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    with pytest.raises(Conflict, match="exists already"):
        agreements.load_agreement(uow, tmp_path / "agreement.yaml")
    other = AGREEMENT.replace(REF, "TEST-2").replace("name: Acme NV", "name: Acme Holding NV")
    with pytest.raises(Rejected) as refused:
        agreements.load_agreement(uow, write(tmp_path, "other.yaml", other))
    assert refused.value.problems[0].field == "suppliers[1]" and "another name" in refused.value.problems[0].message
    assert [a.reference for a in uow.purchasing.agreements()] == [REF]


def test_a_renewal_extends_the_term_once_per_renewal_allowed(tmp_path: Path) -> None:
    uow = fake_uow()
    load(uow, tmp_path)
    renewed = agreements.renew_agreement(uow, REF, on=date(2025, 10, 1))
    assert renewed.term_end == date(2026, 12, 31) and renewed.renewed == 1
    with pytest.raises(Conflict, match="none is left"):
        agreements.renew_agreement(uow, REF, on=date(2026, 10, 1))
