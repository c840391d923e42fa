"""A small association for the charging context's unit tests: a cost model, two members, four
engagements, and one month's books as the files a controller would import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.fakes import FakeUnitOfWork
from tests.fakes.charging import charging_uow
from tests.small_model import MODEL, A, B

from mutua.charging.service import imports
from mutua.registry.domain import Category, ClientGroup, Engagement, EngagementKind, Language, Member

MEMBERS = (
    Member(A, "Rijksdienst A", Category.A, ClientGroup.SOCIAL_SECURITY, Language.NL, date(2001, 1, 1)),
    Member(B, "Commune B", Category.B, ClientGroup.OTHER, Language.FR, date(2010, 5, 1)),
)
START = date(2025, 1, 1)
ENGAGEMENTS = (
    Engagement("P1", A, EngagementKind.PROJECT, "Portal", "HOURS", Decimal("20000.00"), START, None, "PO-1"),
    Engagement("S1", B, EngagementKind.SECONDMENT, "Two developers", "SECOND", Decimal("15000.00"), START),
    Engagement("C1", A, EngagementKind.SERVICE, "Cloud A", None, Decimal("5000.00"), START, None, "PO-3"),
    Engagement("C2", B, EngagementKind.SERVICE, "Cloud B", None, Decimal("5000.00"), START),
)


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


def usage(period: str) -> str:
    return f"""\
member,engagement,service,period,quantity
{A},C1,VMH,{period},100
{B},C2,VMH,{period},300.5
"""


def association(actor: str = "ctrl") -> FakeUnitOfWork:
    """The association with nothing imported or closed."""
    return charging_uow(MODEL, MEMBERS, ENGAGEMENTS, actor)


def import_month(uow: FakeUnitOfWork, period: str) -> None:
    """A month's ledger, time sheet and usage, through the imports."""
    imports.import_ledger_text(uow, ledger(period), f"ledger-{period}.csv")
    imports.import_time_sheets_text(uow, time_sheet(period), f"time-{period}.csv")
    imports.import_usage_text(uow, usage(period), f"usage-{period}.csv")
