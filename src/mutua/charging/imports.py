"""CSV imports. Each file is one transaction: it loads whole, or nothing is written and every
problem is reported with its file, line and field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, select

from mutua.charging import db as charging_db
from mutua.costing.domain.catalogue import Charging
from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import read_cost_model, sha256
from mutua.kernel.periods import Period
from mutua.kernel.problems import Problem, Rejected
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.platform.files import fields as f
from mutua.platform.files.csv_files import Column, CsvFile, parse_csv, read_text
from mutua.registry import db as registry_db
from mutua.registry.domain import Category, ClientGroup, EngagementKind, Language

MEMBER_COLUMNS = (
    Column("enterprise_number", f.kbo),
    Column("name", f.text(300)),
    Column("category", f.choice(Category)),
    Column("client_group", f.choice(ClientGroup)),
    Column("language", f.choice(Language)),
    Column("joined_on", f.iso_date),
    Column("left_on", f.iso_date, required=False),
    Column("vote_weight", lambda s: f.number(s, places=6, non_negative=True), required=False),
)
ENGAGEMENT_COLUMNS = (
    Column("code", f.text(40)),
    Column("member", f.kbo),
    Column("kind", f.choice(EngagementKind)),
    Column("title", f.text(300)),
    Column("service", f.text(40), required=False),
    Column("budget", lambda s: f.number(s, places=2, non_negative=True)),
    Column("starts_on", f.iso_date),
    Column("ends_on", f.iso_date, required=False),
    Column("buyer_reference", f.text(100), required=False),
    Column("weight", lambda s: f.number(s, places=6, non_negative=True), required=False),
)
COMMITMENT_COLUMNS = (
    Column("engagement", f.text(40)),
    Column("period", f.period),
    Column("amount", f.amount),
    Column("description", f.text(300)),
)
LEDGER_COLUMNS = (
    Column("entry_id", f.text(60)),
    Column("period", f.period),
    Column("account", f.account),
    Column("centre", f.text(40), required=False),
    Column("amount", f.amount),
    Column("nd_vat", lambda s: f.number(s, places=2, non_negative=True), required=False),
    Column("engagement", f.text(40), required=False),
    Column("description", f.text(300), required=False),
)
TIME_COLUMNS = (
    Column("person", f.text(60)),
    Column("grade", f.text(40)),
    Column("engagement", f.text(40)),
    Column("date", f.iso_date),
    Column("hours", f.hours),
)
USAGE_COLUMNS = (
    Column("member", f.kbo),
    Column("engagement", f.text(40)),
    Column("service", f.text(40)),
    Column("period", f.period),
    Column("quantity", f.quantity),
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote.

    Attributes:
        kind: what was imported.
        source: the file.
        rows: the number of rows written.
        batch_id: the batch they belong to (None for registry imports).
    """

    kind: str
    source: str
    rows: int
    batch_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "rows": self.rows, "batch_id": self.batch_id}


Validator = Callable[[Store, CsvFile, list[Problem]], list[dict[str, Any]]]


def _import(
    engine: Engine,
    actor: str,
    kind: str,
    text: str,
    source: str,
    columns: Sequence[Column],
    validate: Validator,
    table: Table,
    *,
    batch: bool = True,
) -> ImportResult:
    parsed, problems = parse_csv(text, source, columns)
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        if batch and not problems:
            earlier = store.batch_with_sha(kind, parsed.sha256)
            if earlier is not None:
                problems.append(Problem(source, None, None, f"this file was already imported (batch {earlier})"))
        rows = validate(store, parsed, problems)  # rows that parsed are checked too: all problems at once
        if problems:
            raise Rejected(problems, f"{kind} import of {source}")
        batch_id = store.add_batch(kind, source, parsed.sha256, len(rows)) if batch else None
        if batch_id is not None:
            for r in rows:
                r["batch_id"] = batch_id
        store.insert_many(table, rows)
        if not batch:
            store.audit("import", kind, source, rows=len(rows), sha256=parsed.sha256)
        uow.commit()
    return ImportResult(kind, source, len(rows), batch_id)


def _duplicates(
    parsed: CsvFile, key: Callable[[dict[str, Any]], Any], what: str, problems: list[Problem], field: str
) -> None:
    seen: dict[Any, int] = {}
    for row in parsed.rows:
        k = key(row.values)
        if k in seen:
            problems.append(Problem(parsed.source, row.line, field, f"duplicate {what}: also on line {seen[k]}"))
        else:
            seen[k] = row.line


def _locked(
    store: Store, parsed: CsvFile, problems: list[Problem], field: str, period_of: Callable[[dict[str, Any]], Period]
) -> None:
    closed = store.closed_periods()
    for row in parsed.rows:
        p = period_of(row.values)
        if p.key in closed:
            problems.append(
                Problem(
                    parsed.source,
                    row.line,
                    field,
                    f"period {p} is closed: it can no longer change (corrections go in an open period)",
                )
            )


# -- registry -----------------------------------------------------------------------------------


def import_members(engine: Engine, path: Path, actor: str = "system") -> ImportResult:
    return import_members_text(engine, read_text(path), str(path), actor)


def import_members_text(engine: Engine, text: str, source: str, actor: str = "system") -> ImportResult:
    def validate(store: Store, parsed: CsvFile, problems: list[Problem]) -> list[dict[str, Any]]:
        _duplicates(parsed, lambda v: v["enterprise_number"], "enterprise number", problems, "enterprise_number")
        existing = store.member_ids()
        rows = []
        for row in parsed.rows:
            v = row.values
            if v["enterprise_number"] in existing:
                problems.append(
                    Problem(
                        source, row.line, "enterprise_number", f"member {v['enterprise_number']} is already registered"
                    )
                )
            if v["left_on"] is not None and v["left_on"] < v["joined_on"]:
                problems.append(Problem(source, row.line, "left_on", "is before joined_on"))
            rows.append(
                {
                    **v,
                    "category": v["category"].value,
                    "client_group": v["client_group"].value,
                    "language": v["language"].value,
                    "vote_weight": v["vote_weight"] or Decimal(1),
                }
            )
        return rows

    return _import(engine, actor, "members", text, source, MEMBER_COLUMNS, validate, registry_db.members, batch=False)


def import_engagements(engine: Engine, path: Path, actor: str = "system") -> ImportResult:
    return import_engagements_text(engine, read_text(path), str(path), actor)


def import_engagements_text(engine: Engine, text: str, source: str, actor: str = "system") -> ImportResult:
    def validate(store: Store, parsed: CsvFile, problems: list[Problem]) -> list[dict[str, Any]]:
        _, model = store.cost_model()
        _duplicates(parsed, lambda v: v["code"], "engagement code", problems, "code")
        members = store.member_ids()
        existing = store.engagement_ids()
        rows = []
        for row in parsed.rows:
            v = row.values
            if v["code"] in existing:
                problems.append(Problem(source, row.line, "code", f"engagement {v['code']} already exists"))
            if v["member"] not in members:
                problems.append(Problem(source, row.line, "member", f"no member with enterprise number {v['member']}"))
            if v["service"] is not None:
                service = model.service(v["service"])
                if service is None:
                    problems.append(Problem(source, row.line, "service", f"unknown service {v['service']!r}"))
                elif service.charging in (Charging.USAGE, Charging.RESERVED_CAPACITY):
                    problems.append(
                        Problem(
                            source,
                            row.line,
                            "service",
                            f"{service.code} is charged by usage: usage rows name it, not the engagement",
                        )
                    )
            if v["ends_on"] is not None and v["ends_on"] < v["starts_on"]:
                problems.append(Problem(source, row.line, "ends_on", "is before starts_on"))
            rows.append(
                {
                    "code": v["code"],
                    "member_id": members.get(v["member"]),
                    "kind": v["kind"].value,
                    "title": v["title"],
                    "service": v["service"],
                    "budget": v["budget"],
                    "starts_on": v["starts_on"],
                    "ends_on": v["ends_on"],
                    "buyer_reference": v["buyer_reference"] or "",
                    "weight": v["weight"] or Decimal(1),
                }
            )
        return rows

    return _import(
        engine, actor, "engagements", text, source, ENGAGEMENT_COLUMNS, validate, registry_db.engagements, batch=False
    )


def import_commitments(engine: Engine, path: Path, actor: str = "system") -> ImportResult:
    text, source = read_text(path), str(path)

    def validate(store: Store, parsed: CsvFile, problems: list[Problem]) -> list[dict[str, Any]]:
        engagements = store.engagement_ids()
        rows = []
        for row in parsed.rows:
            v = row.values
            if v["engagement"] not in engagements:
                problems.append(Problem(source, row.line, "engagement", f"unknown engagement {v['engagement']!r}"))
                continue
            rows.append(
                {
                    "engagement_id": engagements[v["engagement"]][0],
                    "period_key": v["period"].key,
                    "amount": v["amount"],
                    "description": v["description"],
                }
            )
        return rows

    return _import(
        engine, actor, "commitments", text, source, COMMITMENT_COLUMNS, validate, registry_db.commitments, batch=False
    )


# -- the cost model -----------------------------------------------------------------------------


def import_cost_model(engine: Engine, path: Path, actor: str = "system") -> tuple[int, CostModel]:
    model, text = read_cost_model(path)
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        model_id = store.add_cost_model(model, text, sha256(text))
        uow.commit()
    return model_id, model


# -- the books: ledger, time sheets, usage ------------------------------------------------------


def import_ledger(engine: Engine, path: Path, actor: str = "system") -> ImportResult:
    return import_ledger_text(engine, read_text(path), str(path), actor)


def import_ledger_text(engine: Engine, text: str, source: str, actor: str = "system") -> ImportResult:
    def validate(store: Store, parsed: CsvFile, problems: list[Problem]) -> list[dict[str, Any]]:
        _, model = store.cost_model()
        _duplicates(parsed, lambda v: v["entry_id"], "entry_id", problems, "entry_id")
        _locked(store, parsed, problems, "period", lambda v: v["period"])
        ids = [r.values["entry_id"] for r in parsed.rows]
        known: set[str] = set()
        for i in range(0, len(ids), 5000):
            known.update(
                x
                for (x,) in store.c.execute(
                    select(charging_db.ledger_lines.c.entry_id).where(
                        charging_db.ledger_lines.c.entry_id.in_(ids[i : i + 5000])
                    )
                )
            )
        engagements = store.engagement_ids()
        engagement_service = {e.code: e.service for e in store.engagements()}
        rows = []
        for row in parsed.rows:
            v = row.values
            line = row.line
            if v["entry_id"] in known:
                problems.append(Problem(source, line, "entry_id", f"entry {v['entry_id']} was already imported"))
            rule = model.account_rule(v["account"])
            centre = v["centre"]
            if rule is None:
                problems.append(
                    Problem(source, line, "account", f"unknown account {v['account']} (not in the cost model)")
                )
            elif centre is None:
                centre = rule.centre
                if centre is None:
                    problems.append(
                        Problem(source, line, "centre", f"is empty and account {v['account']} has no default centre")
                    )
            if centre is not None and model.centre(centre) is None:
                problems.append(Problem(source, line, "centre", f"unknown cost centre {centre!r}"))
            if v["account"].startswith("7") and (v["nd_vat"] or 0) != 0:
                problems.append(Problem(source, line, "nd_vat", "income lines carry no non-deductible VAT"))
            engagement_id = None
            if v["engagement"] is not None:
                code = v["engagement"]
                if code not in engagements:
                    problems.append(Problem(source, line, "engagement", f"unknown engagement {code!r}"))
                else:
                    service = model.service(engagement_service.get(code) or "")
                    if service is None or service.charging is not Charging.REAL_COST:
                        problems.append(
                            Problem(
                                source,
                                line,
                                "engagement",
                                f"{code} is not charged at real cost: costs cannot be booked on it",
                            )
                        )
                    elif centre is not None and service.centre != centre:
                        problems.append(
                            Problem(
                                source,
                                line,
                                "centre",
                                f"{code}'s service {service.code} belongs to centre {service.centre}, not {centre}",
                            )
                        )
                    engagement_id = engagements[code][0]
            amount = v["amount"]
            if v["account"].startswith("7"):
                amount = -amount  # income reduces the cost to share
            rows.append(
                {
                    "entry_id": v["entry_id"],
                    "period_key": v["period"].key,
                    "account": v["account"],
                    "centre": centre,
                    "amount": amount,
                    "nd_vat": v["nd_vat"] or Decimal(0),
                    "engagement_id": engagement_id,
                    "description": v["description"] or "",
                }
            )
        return rows

    return _import(engine, actor, "ledger", text, source, LEDGER_COLUMNS, validate, charging_db.ledger_lines)


def import_time_sheets(engine: Engine, path: Path, actor: str = "system") -> ImportResult:
    return import_time_sheets_text(engine, read_text(path), str(path), actor)


def import_time_sheets_text(engine: Engine, text: str, source: str, actor: str = "system") -> ImportResult:
    def validate(store: Store, parsed: CsvFile, problems: list[Problem]) -> list[dict[str, Any]]:
        _, model = store.cost_model()
        _duplicates(
            parsed,
            lambda v: (v["person"], v["engagement"], v["date"]),
            "time entry (person, engagement, date)",
            problems,
            "date",
        )
        _locked(store, parsed, problems, "date", lambda v: Period.of(v["date"]))
        engagements = {e.code: e for e in store.engagements()}
        ids = store.engagement_ids()
        rows = []
        for row in parsed.rows:
            v = row.values
            e = engagements.get(v["engagement"])
            if e is None:
                problems.append(Problem(source, row.line, "engagement", f"unknown engagement {v['engagement']!r}"))
                continue
            service = model.service(e.service or "")
            if service is None or service.charging is not Charging.TIME:
                problems.append(
                    Problem(
                        source, row.line, "engagement", f"{e.code} is not charged by time: hours cannot be booked on it"
                    )
                )
            elif not e.is_active_between(v["date"], v["date"]):
                problems.append(Problem(source, row.line, "date", f"{e.code} is not active on {v['date']}"))
            else:
                tariff = model.tariff(v["date"].year, service.code)
                if tariff is not None and tariff.rate(v["grade"]) is None:
                    problems.append(
                        Problem(
                            source,
                            row.line,
                            "grade",
                            f"grade {v['grade']!r} has no {v['date'].year} cost rate for {service.code}",
                        )
                    )
            rows.append(
                {
                    "person": v["person"],
                    "grade": v["grade"],
                    "engagement_id": ids[e.code][0],
                    "worked_on": v["date"],
                    "period_key": Period.of(v["date"]).key,
                    "hours": v["hours"],
                }
            )
        if rows:
            _already_booked(store, rows, parsed, problems)
        return rows

    return _import(engine, actor, "time", text, source, TIME_COLUMNS, validate, charging_db.time_entries)


def _already_booked(store: Store, rows: list[dict[str, Any]], parsed: CsvFile, problems: list[Problem]) -> None:
    periods = sorted({r["period_key"] for r in rows})
    te = charging_db.time_entries
    existing = {
        (r.person, r.engagement_id, r.worked_on)
        for r in store.c.execute(
            select(te.c.person, te.c.engagement_id, te.c.worked_on).where(te.c.period_key.in_(periods))
        )
    }
    if not existing:
        return
    for row, r in zip(parsed.rows, rows, strict=False):
        if (r["person"], r["engagement_id"], r["worked_on"]) in existing:
            problems.append(
                Problem(
                    parsed.source,
                    row.line,
                    "date",
                    f"{r['person']} already has hours on this engagement on {r['worked_on']}",
                )
            )


def import_usage(engine: Engine, path: Path, actor: str = "system") -> ImportResult:
    return import_usage_text(engine, read_text(path), str(path), actor)


def import_usage_text(engine: Engine, text: str, source: str, actor: str = "system") -> ImportResult:
    def validate(store: Store, parsed: CsvFile, problems: list[Problem]) -> list[dict[str, Any]]:
        _, model = store.cost_model()
        _duplicates(
            parsed,
            lambda v: (v["engagement"], v["service"], v["period"]),
            "usage (engagement, service, period)",
            problems,
            "period",
        )
        _locked(store, parsed, problems, "period", lambda v: v["period"])
        engagements = {e.code: e for e in store.engagements()}
        ids = store.engagement_ids()
        u = charging_db.usage
        existing = {
            (r.engagement_id, r.service, r.period_key)
            for r in store.c.execute(
                select(u.c.engagement_id, u.c.service, u.c.period_key).where(u.c.source == "import")
            )
        }
        rows = []
        for row in parsed.rows:
            v = row.values
            e = engagements.get(v["engagement"])
            service = model.service(v["service"])
            if e is None:
                problems.append(Problem(source, row.line, "engagement", f"unknown engagement {v['engagement']!r}"))
                continue
            if e.member != v["member"]:
                problems.append(
                    Problem(source, row.line, "member", f"{e.code} belongs to member {e.member}, not {v['member']}")
                )
            if service is None:
                problems.append(Problem(source, row.line, "service", f"unknown service {v['service']!r}"))
                continue
            if service.charging not in (Charging.USAGE, Charging.RESERVED_CAPACITY):
                problems.append(
                    Problem(source, row.line, "service", f"{service.code} is not charged by usage or capacity")
                )
            p = v["period"]
            if not e.is_active_between(p.first_day, p.last_day):
                problems.append(Problem(source, row.line, "period", f"{e.code} is not active in {p}"))
            key = (ids[e.code][0], service.code, p.key)
            if key in existing:
                problems.append(
                    Problem(
                        source, row.line, "period", f"usage of {service.code} by {e.code} in {p} was already imported"
                    )
                )
            rows.append(
                {
                    "engagement_id": key[0],
                    "service": service.code,
                    "period_key": p.key,
                    "origin_period_key": p.key,
                    "quantity": v["quantity"],
                    "source": "import",
                }
            )
        return rows

    return _import(engine, actor, "usage", text, source, USAGE_COLUMNS, validate, charging_db.usage)
