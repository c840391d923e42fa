"""A small association, written as the files a controller would import."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from mutua.bootstrap import unit_of_work
from mutua.charging.service import imports
from mutua.costing.service import import_cost_model
from mutua.registry import service as registry_service
from tests.small_model import MODEL, A, B

MEMBERS = f"""\
enterprise_number,name,category,client_group,language,joined_on,left_on,vote_weight
{A},Rijksdienst A,A,social_security,nl,2001-01-01,,10
{B},Commune B,B,other,fr,2010-05-01,,1
"""
ENGAGEMENTS = f"""\
code,member,kind,title,service,budget,starts_on,ends_on,buyer_reference,weight
P1,{A},project,Portal,HOURS,20000.00,2025-01-01,,PO-1,
S1,{B},secondment,Two developers,SECOND,15000.00,2025-01-01,,,
C1,{A},service,Cloud A,,5000.00,2025-01-01,,PO-3,
C2,{B},service,Cloud B,,5000.00,2025-01-01,,,
"""


def ledger(period: str, prefix: str = "L") -> str:
    return f"""\
entry_id,period,account,centre,amount,nd_vat,engagement,description
{prefix}{period}-1,{period},620000,HR,1000.00,,,HR salaries
{prefix}{period}-2,{period},620000,DEV,3000.00,,,Developers
{prefix}{period}-3,{period},620000,SEC,2000.00,,S1,Seconded staff
{prefix}{period}-4,{period},611000,VM,500.00,105.00,,Licences (VAT not deductible)
{prefix}{period}-5,{period},740000,,100.00,,,Recoveries
"""


def time_sheet(period: str) -> str:
    return f"""\
person,grade,engagement,date,hours
ann,senior,P1,{period}-02,7.60
bob,junior,P1,{period}-02,8.00
ann,senior,P1,{period}-03,4.00
"""


def usage(period: str, a: str = "100", b: str = "300.5") -> str:
    return f"""\
member,engagement,service,period,quantity
{A},C1,VMH,{period},{a}
{B},C2,VMH,{period},{b}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def registry(engine: Engine, folder: Path) -> None:
    uow = unit_of_work(engine)
    import_cost_model(uow, write(folder, "model.yaml", MODEL))
    registry_service.import_members(uow, write(folder, "members.csv", MEMBERS))
    registry_service.import_engagements(uow, write(folder, "engagements.csv", ENGAGEMENTS))


def month(engine: Engine, folder: Path, period: str) -> None:
    uow = unit_of_work(engine)
    imports.import_ledger(uow, write(folder, f"ledger-{period}.csv", ledger(period)))
    imports.import_time_sheets(uow, write(folder, f"time-{period}.csv", time_sheet(period)))
    imports.import_usage(uow, write(folder, f"usage-{period}.csv", usage(period)))
