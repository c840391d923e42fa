"""The close's input files: the ledger, time sheets and usage. Each file is one transaction
(:func:`mutua.platform.files.imports.run_import`): it loads whole, or nothing is written and every
problem is reported with its file, line and field. Nothing is imported into a closed month."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutua.charging.domain import LedgerLine, TimeEntry, UsageLine
from mutua.charging.ports import ChargingImports
from mutua.charging.service.ledgerfiles import amount_of, ledger_file
from mutua.costing.domain.catalogue import Charging
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.bounds import MAX_AMOUNT, beyond
from mutua.kernel.periods import Period
from mutua.kernel.problems import Problem, Rejected
from mutua.platform.files import fields as f
from mutua.platform.files.csv_files import Column, CsvFile, read_text
from mutua.platform.files.imports import ImportResult, duplicates, run_import
from mutua.platform.files.numbers import unambiguous
from mutua.platform.files.sheets import is_xlsx, sniff_delimiter

__all__ = [
    "LEDGER_COLUMNS",
    "TIME_COLUMNS",
    "USAGE_COLUMNS",
    "ImportResult",
    "import_ledger",
    "import_ledger_text",
    "import_time_sheets",
    "import_time_sheets_text",
    "import_usage",
    "import_usage_text",
]

LEDGER_COLUMNS = (
    Column("entry_id", f.text(60)),
    Column("period", f.period),
    Column("account", f.account),
    Column("centre", f.text(40), required=False),
    Column("amount", f.amount),
    Column("nd_vat", f.non_negative_amount, required=False),
    Column("engagement", f.text(40), required=False),
    Column("description", f.text(300), required=False),
)
# A ``;`` file without the model's ``ledger_format``: a number is taken only when it reads the same
# with a decimal point and a decimal comma ("1.500" is refused as ambiguous, never read as 1.5).
LEDGER_COLUMNS_UNDECLARED = tuple(
    Column(c.name, (lambda p: lambda text: p(unambiguous(text)))(c.parse), c.required)
    if c.name in ("amount", "nd_vat")
    else c
    for c in LEDGER_COLUMNS
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

_CLOSE_INPUT = Permission(Action.CLOSE)  # the controller feeds the close


def _locked(
    uow: ChargingImports,
    parsed: CsvFile,
    problems: list[Problem],
    field: str,
    period_of: Callable[[dict[str, Any]], Period],
) -> None:
    """A problem for every row of a closed month: it can no longer change."""
    closed = uow.charging.closed_periods()
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


# -- the ledger -------------------------------------------------------------------------------------


@requires(_CLOSE_INPUT)
def import_ledger(uow: ChargingImports, path: Path) -> ImportResult:
    """Ledger lines: entry_id, period, account, centre, amount, nd_vat[, engagement, description];
    or the export of an accounting package as the cost model's ``ledger_format`` declares it (CSV
    with its delimiter, decimal separator and encoding, or an XLSX sheet; its column mapping)."""
    with uow:
        _, model = uow.costing.cost_model()
    fmt = model.ledger_format
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Rejected([Problem(str(path), None, None, f"cannot read: {exc.strerror or exc}")]) from exc
    if fmt is None and not is_xlsx(path, data):
        return import_ledger_text(uow, read_text(path), str(path))
    converted = ledger_file(path, data, fmt)
    try:
        return run_import(uow, "ledger", converted.text, str(path), converted.columns, _ledger_lines, _write_ledger)
    except Rejected as exc:
        raise Rejected(converted.rename(exc.problems), f"ledger import of {path}") from None


def _ledger_lines(uow: ChargingImports, parsed: CsvFile, problems: list[Problem]) -> list[LedgerLine]:
    source = parsed.source
    _, model = uow.costing.cost_model()
    duplicates(parsed, lambda v: v["entry_id"], "entry_id", problems, "entry_id")
    _locked(uow, parsed, problems, "period", lambda v: v["period"])
    known = uow.charging.known_entry_ids([r.values["entry_id"] for r in parsed.rows])
    engagement_service = {e.code: e.service for e in uow.registry.engagements()}
    lines = []
    for row in parsed.rows:
        v = row.values
        line = row.line
        if v["entry_id"] in known:
            problems.append(Problem(source, line, "entry_id", f"entry {v['entry_id']} was already imported"))
        rule = model.account_rule(v["account"])
        centre = v["centre"]
        if rule is None:
            problems.append(Problem(source, line, "account", f"unknown account {v['account']} (not in the cost model)"))
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
        engagement = v["engagement"]
        if engagement is not None:
            if engagement not in engagement_service:
                problems.append(Problem(source, line, "engagement", f"unknown engagement {engagement!r}"))
                engagement = None
            else:
                service = model.service(engagement_service[engagement] or "")
                if service is None or service.charging is not Charging.REAL_COST:
                    problems.append(
                        Problem(
                            source,
                            line,
                            "engagement",
                            f"{engagement} is not charged at real cost: costs cannot be booked on it",
                        )
                    )
                elif centre is not None and service.centre != centre:
                    problems.append(
                        Problem(
                            source,
                            line,
                            "centre",
                            f"{engagement}'s service {service.code} belongs to centre {service.centre}, not {centre}",
                        )
                    )
        if centre is None:
            continue  # refused above: the file writes nothing
        amount = amount_of(v)
        if amount is None:
            problems.append(Problem(source, line, "amount", "is empty (give an amount, or a debit or a credit)"))
            continue
        if (why := beyond(amount, MAX_AMOUNT)) is not None:
            problems.append(Problem(source, line, "amount", why))
            continue
        if v["account"].startswith("7") and v.get("amount") is not None:
            amount = -amount  # income reduces the cost to share (debit less credit already does)
        lines.append(
            LedgerLine(
                v["entry_id"],
                v["period"],
                v["account"],
                centre,
                amount,
                v["nd_vat"] or Decimal(0),
                engagement,
                v["description"] or "",
            )
        )
    return lines


def _write_ledger(uow: ChargingImports, lines: Sequence[LedgerLine], batch_id: int | None) -> None:
    assert batch_id is not None
    uow.charging.add_ledger_lines(batch_id, lines)


@requires(_CLOSE_INPUT)
def import_ledger_text(uow: ChargingImports, text: str, source: str) -> ImportResult:
    """The ledger file ``source`` with content ``text``."""
    columns = LEDGER_COLUMNS if sniff_delimiter(text) == "," else LEDGER_COLUMNS_UNDECLARED
    return run_import(uow, "ledger", text, source, columns, _ledger_lines, _write_ledger)


# -- time sheets ------------------------------------------------------------------------------------


@requires(_CLOSE_INPUT)
def import_time_sheets(uow: ChargingImports, path: Path) -> ImportResult:
    """Time sheets: person, grade, engagement, date, hours."""
    return import_time_sheets_text(uow, read_text(path), str(path))


def _time_entries(uow: ChargingImports, parsed: CsvFile, problems: list[Problem]) -> list[TimeEntry]:
    source = parsed.source
    _, model = uow.costing.cost_model()
    duplicates(
        parsed,
        lambda v: (v["person"], v["engagement"], v["date"]),
        "time entry (person, engagement, date)",
        problems,
        "date",
    )
    _locked(uow, parsed, problems, "date", lambda v: Period.of(v["date"]))
    engagements = {e.code: e for e in uow.registry.engagements()}
    entries: list[tuple[int, TimeEntry]] = []
    for row in parsed.rows:
        v = row.values
        e = engagements.get(v["engagement"])
        if e is None:
            problems.append(Problem(source, row.line, "engagement", f"unknown engagement {v['engagement']!r}"))
            continue
        day: date = v["date"]
        service = model.service(e.service or "")
        if service is None or service.charging is not Charging.TIME:
            problems.append(
                Problem(
                    source, row.line, "engagement", f"{e.code} is not charged by time: hours cannot be booked on it"
                )
            )
        elif not e.is_active_between(day, day):
            problems.append(Problem(source, row.line, "date", f"{e.code} is not active on {day}"))
        else:
            tariff = model.tariff(day.year, service.code)
            if tariff is not None and tariff.rate(v["grade"]) is None:
                problems.append(
                    Problem(
                        source,
                        row.line,
                        "grade",
                        f"grade {v['grade']!r} has no {day.year} cost rate for {service.code}",
                    )
                )
        entries.append((row.line, TimeEntry(v["person"], v["grade"], e.code, day, v["hours"])))
    if entries:
        booked = uow.charging.booked_time({t.period.key for _, t in entries})
        for line, t in entries:
            if (t.person, t.engagement, t.worked_on) in booked:
                problems.append(
                    Problem(source, line, "date", f"{t.person} already has hours on this engagement on {t.worked_on}")
                )
    return [t for _, t in entries]


def _write_time(uow: ChargingImports, entries: Sequence[TimeEntry], batch_id: int | None) -> None:
    assert batch_id is not None
    uow.charging.add_time_entries(batch_id, entries)


@requires(_CLOSE_INPUT)
def import_time_sheets_text(uow: ChargingImports, text: str, source: str) -> ImportResult:
    """The time sheet file ``source`` with content ``text``."""
    return run_import(uow, "time", text, source, TIME_COLUMNS, _time_entries, _write_time)


# -- usage ------------------------------------------------------------------------------------------


@requires(_CLOSE_INPUT)
def import_usage(uow: ChargingImports, path: Path) -> ImportResult:
    """Usage already summed: member, engagement, service, period, quantity."""
    return import_usage_text(uow, read_text(path), str(path))


def _usage_lines(uow: ChargingImports, parsed: CsvFile, problems: list[Problem]) -> list[UsageLine]:
    source = parsed.source
    _, model = uow.costing.cost_model()
    duplicates(
        parsed,
        lambda v: (v["engagement"], v["service"], v["period"]),
        "usage (engagement, service, period)",
        problems,
        "period",
    )
    _locked(uow, parsed, problems, "period", lambda v: v["period"])
    engagements = {e.code: e for e in uow.registry.engagements()}
    imported = uow.charging.imported_usage()
    lines = []
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
            problems.append(Problem(source, row.line, "service", f"{service.code} is not charged by usage or capacity"))
        p: Period = v["period"]
        if not e.is_active_between(p.first_day, p.last_day):
            problems.append(Problem(source, row.line, "period", f"{e.code} is not active in {p}"))
        if (e.code, service.code, p.key) in imported:
            problems.append(
                Problem(source, row.line, "period", f"usage of {service.code} by {e.code} in {p} was already imported")
            )
        lines.append(UsageLine(e.code, service.code, p, v["quantity"]))
    return lines


def _write_usage(uow: ChargingImports, lines: Sequence[UsageLine], batch_id: int | None) -> None:
    assert batch_id is not None
    uow.charging.add_usage(batch_id, lines)


@requires(_CLOSE_INPUT)
def import_usage_text(uow: ChargingImports, text: str, source: str) -> ImportResult:
    """The usage file ``source`` with content ``text``."""
    return run_import(uow, "usage", text, source, USAGE_COLUMNS, _usage_lines, _write_usage)
