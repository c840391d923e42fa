"""A tiny association for the portal's tests: two members, three engagements, January closed.

Member A (0200000043) has a project (time) and a VM subscription (usage); member B (0200791978) has
a VM subscription. February's books are in but February is open, so a close can be run.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from mutua.access.service import add_user
from mutua.charging.service import imports
from mutua.charging.service.close import close_period
from mutua.kernel.periods import Period

try:
    from tests import purchasing_world
except ImportError:  # imported as a top-level module, with tests/ on the path
    import purchasing_world  # type: ignore[no-redef]

MEMBER_A = "0200000043"
MEMBER_B = "0200791978"
PASSWORD = "correct horse battery"

COST_MODEL = """
name: Test association
version: "t1"
association: {name: Test association, enterprise_number: "0406.798.006", iban: BE71 0961 2345 6769}
support_allocation: {method: step_down, order: [ADM]}
centres:
  - {code: ADM, name: Administration, names: {nl: Administratie, fr: Administration générale},
     kind: support, key: {basis: weights, weights: {DEV: 3, VM: 1}}}
  - {code: DEV, name: Development, names: {nl: Ontwikkeling, fr: Développement}, kind: operational}
  - {code: VM, name: Virtual machines, names: {nl: Virtuele machines, fr: Machines virtuelles}, kind: service}
accounts:
  - {prefix: "61", name: Services, names: {nl: Diensten en diverse goederen, fr: Services et biens divers}}
  - {prefix: "62", name: Remuneration, names: {nl: Bezoldigingen, fr: Rémunérations}}
services:
  - {code: DEV-H, name: Development, names: {nl: Ontwikkeling, fr: Développement}, centre: DEV,
     activity: development, charging: time, unit: hour, unit_code: HUR}
  - {code: VMAAS, name: Virtual machines, names: {nl: Virtuele machines, fr: Machines virtuelles}, centre: VM,
     activity: infrastructure, charging: usage, unit: VM-hour, unit_code: HUR}
tariffs:
  - {year: 2025, service: DEV-H, grades: {medior: '60.00', senior: '80.00'}}
  - {year: 2025, service: VMAAS, price: '0.50'}
"""

FILES = {
    "members.csv": (
        "enterprise_number,name,category,client_group,language,joined_on,left_on,vote_weight\n"
        f"{MEMBER_A},Member A agency,A,social_security,nl,2001-01-01,,10\n"
        f"{MEMBER_B},Member B institute,B,other,fr,2001-01-01,,5\n"
    ),
    "engagements.csv": (
        "code,member,kind,title,service,budget,starts_on,ends_on,buyer_reference,weight\n"
        f"PRJ-A,{MEMBER_A},project,Case system A,DEV-H,20000.00,2025-01-01,,PO-A-1,\n"
        f"SVC-A,{MEMBER_A},service,VMs of A,,1000.00,2025-01-01,,PO-A-2,\n"
        f"SVC-B,{MEMBER_B},service,VMs of B,,800.00,2025-01-01,,PO-B-1,\n"
    ),
    "commitments.csv": "engagement,period,amount,description\nPRJ-A,2025-06,1500.00,Licence purchase\n",
}


def ledger(month: int) -> str:
    p = f"2025-{month:02d}"
    return (
        "entry_id,period,account,centre,amount,nd_vat,engagement,description\n"
        f"{p}-1,{p},620000,ADM,1000.00,,,Remuneration ADM\n"
        f"{p}-2,{p},620000,DEV,5000.00,,,Remuneration DEV\n"
        f"{p}-3,{p},611000,VM,2000.00,,,Maintenance VM\n"
    )


def time_sheet(month: int) -> str:
    return (
        "person,grade,engagement,date,hours\n"
        f"P1,medior,PRJ-A,2025-{month:02d}-03,8.00\n"
        f"P2,senior,PRJ-A,2025-{month:02d}-04,4.00\n"
    )


def usage(month: int) -> str:
    p = f"2025-{month:02d}"
    return (
        "member,engagement,service,period,quantity\n"
        f"{MEMBER_A},SVC-A,VMAAS,{p},{100 * month}\n"
        f"{MEMBER_B},SVC-B,VMAAS,{p},50\n"
    )


def build(engine: Engine, folder: Path, *, users: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cost-model.yaml").write_text(COST_MODEL, encoding="utf-8")
    for name, content in FILES.items():
        (folder / name).write_text(content, encoding="utf-8")
    from mutua.bootstrap import unit_of_work
    from mutua.costing.service import import_cost_model
    from mutua.registry import service as registry

    registered = unit_of_work(engine, "test")
    import_cost_model(registered, folder / "cost-model.yaml")
    registry.import_members(registered, folder / "members.csv")
    registry.import_engagements(registered, folder / "engagements.csv")
    registry.import_commitments(registered, folder / "commitments.csv")
    for month in (1, 2):
        for kind, text, func in (
            ("ledger", ledger(month), imports.import_ledger),
            ("time", time_sheet(month), imports.import_time_sheets),
            ("usage", usage(month), imports.import_usage),
        ):
            path = folder / f"{kind}-{month}.csv"
            path.write_text(text, encoding="utf-8")
            func(registered, path)
    close_period(registered, Period(2025, 1))
    purchasing_world.build(engine, MEMBER_A, MEMBER_B, PASSWORD if users else None)  # joint purchasing
    if users:
        from mutua.bootstrap import unit_of_work
        from mutua.kernel.access import Role

        uow = unit_of_work(engine)
        add_user(uow, "ctrl", Role.CONTROLLER, password=PASSWORD)
        add_user(uow, "holder-a", Role.BUDGET_HOLDER, password=PASSWORD, member=MEMBER_A)
        add_user(uow, "holder-b", Role.BUDGET_HOLDER, password=PASSWORD, member=MEMBER_B)
        add_user(uow, "audit", Role.AUDITOR, password=PASSWORD)
        add_user(uow, "root", Role.ADMIN, password=PASSWORD)
