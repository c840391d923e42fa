"""A small purchasing world, written as the files the purchasing team and the suppliers hand in;
shared by the unit tests (fakes) and the integration tests (SQLite, PostgreSQL).

Members: A (category A), B (category B, Walloon region), C (category C, no region). Agreement
``TEST-ICT`` (2025-01-01 to 2025-12-31, one renewal of 12 months, ceiling 100,000.00, commission
2 %) opens to category A and the Walloon region; lot 1 laptops (goods, cascade ACME then BETA,
ceiling 60,000.00, commission 1.5 %), lot 2 consultancy (man-days, cascade CONS1 then CONS2,
ceiling 50,000.00). A's consultancy engagement K1 (budget 9,000.00) is charged at real cost.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from mutua.purchasing.domain import Region
from mutua.registry.domain import Category, ClientGroup, Engagement, EngagementKind, Language, Member
from tests.fakes import FakeUnitOfWork
from tests.fakes.charging import FakeCharging
from tests.fakes.costing import FakeCosting
from tests.fakes.purchasing import FakePurchasing
from tests.fakes.registry import FakeRegistry
from tests.small_model import MODEL, A, B

C = "0207000176"
REF = "TEST-ICT"
ACME, BETA = "0403019261", "0851234584"

MEMBERS = (
    Member(A, "Rijksdienst A", Category.A, ClientGroup.SOCIAL_SECURITY, Language.NL, date(2001, 1, 1)),
    Member(B, "Commune B", Category.B, ClientGroup.OTHER, Language.FR, date(2010, 5, 1)),
    Member(C, "Gemeente C", Category.C, ClientGroup.OTHER, Language.NL, date(2012, 1, 1)),
)
ENGAGEMENTS = (
    Engagement("K1", A, EngagementKind.CONSULTANCY, "Consultants", "SECOND", Decimal("9000.00"), date(2025, 1, 1)),
    Engagement("P1", A, EngagementKind.PROJECT, "Portal", "HOURS", Decimal("20000.00"), date(2025, 1, 1)),
    Engagement("KB", B, EngagementKind.CONSULTANCY, "Consultants B", "SECOND", Decimal("5000.00"), date(2025, 1, 1)),
)
MEMBERS_CSV = f"""\
enterprise_number,name,category,client_group,language,joined_on,left_on,vote_weight
{A},Rijksdienst A,A,social_security,nl,2001-01-01,,10
{B},Commune B,B,other,fr,2010-05-01,,1
{C},Gemeente C,C,other,nl,2012-01-01,,1
"""
ENGAGEMENTS_CSV = f"""\
code,member,kind,title,service,budget,starts_on,ends_on,buyer_reference,weight
K1,{A},consultancy,Consultants,SECOND,9000.00,2025-01-01,,,
P1,{A},project,Portal,HOURS,20000.00,2025-01-01,,PO-1,
KB,{B},consultancy,Consultants B,SECOND,5000.00,2025-01-01,,,
"""
REGIONS_CSV = f"""\
enterprise_number,region
{B},walloon
"""

AGREEMENT = f"""\
reference: {REF}
title_nl: ICT-raamovereenkomst
title_fr: Accord-cadre TIC
procedure: open
award_date: 2024-11-15
starts_on: 2025-01-01
ends_on: 2025-12-31
renewals: 1
renewal_months: 12
ceiling: 100000.00
cpv: ["30213100-6", "72000000"]
commission_rate: "0.02"
reference_markup: "0.10"
indexation: {{index: Agoria ICT, base_value: "100.00", month: 1}}
clause:
  categories: [A]
  regions: [walloon]
  text_nl: Andere besturen mogen afnemen.
suppliers:
  - {{code: ACME, name: Acme NV, enterprise_number: "{ACME}", city: Brussel, email: sales@acme.example}}
  - {{code: BETA, name: Beta SA, enterprise_number: "{BETA}", city: Namur, language: fr}}
  - {{code: CONS1, name: Consult One BV, enterprise_number: "0417000129"}}
  - {{code: CONS2, name: Consult Two SRL, enterprise_number: "0462000112"}}
lots:
  - number: 1
    title_nl: Laptops
    title_fr: Ordinateurs portables
    ceiling: "60000.00"
    cpv: ["30213100"]
    award_rule: cascade
    kind: goods
    commission_rate: "0.015"
    suppliers: [{{code: ACME, rank: 1}}, {{code: BETA, rank: 2}}]
  - number: 2
    title_nl: Consultancy
    title_fr: Consultance
    ceiling: "50000.00"
    cpv: ["72000000"]
    award_rule: cascade
    kind: consultancy
    suppliers: [{{code: CONS1, rank: 1}}, {{code: CONS2, rank: 2}}]
documents:
  - {{kind: specification, file: bestek.pdf, title: Bestek}}
"""
SPECIFICATION = b"%PDF-1.4 the tender specification\n"

LAPTOPS = """\
code,cpv,description_nl,description_fr,unit,price,reference_price
LT-14,30213100,Laptop 14 inch,Portable 14 pouces,C62,900.00,
LT-16,30213100-6,Laptop 16 inch,Portable 16 pouces,C62,1200.50,1500.00
DOCK,30213100,Dockingstation,Station d'accueil,H87,150.00,
"""
BETA_LAPTOPS = """\
code,cpv,description_nl,description_fr,unit,price
B-14,30213100,Laptop 14 inch (Beta),Portable 14 pouces (Beta),C62,950.00
"""
DAYS = """\
code,cpv,description_nl,description_fr,unit,price
SENIOR,72000000,Senior consultant,Consultant senior,DAY,800.00
JUNIOR,72000000,Junior consultant,Consultant junior,DAY,550.00
"""
DAYS_2 = """\
code,cpv,description_nl,description_fr,unit,price
SENIOR2,72000000,Senior consultant (2),Consultant senior (2),DAY,820.00
"""


def fake_uow(actor: str = "test") -> Any:
    """A unit of work over fakes with the world's members and engagements, the small cost model."""
    return FakeUnitOfWork(
        actor,
        registry=FakeRegistry(MEMBERS, ENGAGEMENTS),
        purchasing=FakePurchasing(),
        charging=FakeCharging(),
        costing=FakeCosting(MODEL),
    )


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load(uow: Any, folder: Path, text: str = AGREEMENT) -> None:
    """The agreement with its specification, regions, and ACME's and CONS1's price lists from 2025-01-01."""
    from mutua.purchasing.service import agreements, catalogue

    write(folder, "bestek.pdf", SPECIFICATION)
    agreements.load_agreement(uow, write(folder, "agreement.yaml", text))
    if isinstance(uow, FakeUnitOfWork):
        uow.purchasing.set_member_regions({B: Region.WALLOON})
    else:
        agreements.import_member_regions(uow, write(folder, "regions.csv", REGIONS_CSV))
    start = date(2025, 1, 1)
    catalogue.import_price_list(uow, REF, 1, "ACME", write(folder, "acme.csv", LAPTOPS), start)
    catalogue.import_price_list(uow, REF, 1, "BETA", write(folder, "beta.csv", BETA_LAPTOPS), start)
    catalogue.import_price_list(uow, REF, 2, "CONS1", write(folder, "cons1.csv", DAYS), start)
    catalogue.import_price_list(uow, REF, 2, "CONS2", write(folder, "cons2.csv", DAYS_2), start)


def join(uow: Any, member: str = A, decided_on: date = date(2025, 1, 10)) -> None:
    from mutua.purchasing.service.accessions import join_agreement

    join_agreement(uow, member, REF, decided_on, f"CR-{member[-4:]}", on=date(2025, 1, 15))


def xlsx(rows: list[list[object]], merge: str | None = None) -> bytes:
    """A workbook of one sheet with these rows (``merge``: a range of cells merged, as ``C2:D2``)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
