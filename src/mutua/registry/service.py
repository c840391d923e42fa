"""The registry's use cases: the members and engagements a user may read, and the CSV imports of
members, engagements and commitments (each file loads whole or not at all, see
:func:`mutua.platform.files.imports.run_import`). Each import is a batch logged by SHA-256: the same
file imported again is refused as a repeat ("already imported (batch N)"), and a member, engagement
already registered is refused on its line, so no import ever doubles what is there.

Imports are the controller's (they shape what the close charges): they need
:attr:`Action.CLOSE`. Reading a member's data is member-scoped: a budget holder reads its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.problems import NotFound, Problem
from mutua.platform.files import fields as f
from mutua.platform.files.csv_files import Column, CsvFile, read_text
from mutua.platform.files.imports import ImportResult, duplicates, run_import
from mutua.registry.domain import (
    Category,
    ClientGroup,
    Commitment,
    Engagement,
    EngagementKind,
    Language,
    Member,
    engagement_problems,
    member_problems,
)
from mutua.registry.ports import EngagementImports, RegistryImports, RegistryUnitOfWork

__all__ = [
    "COMMITMENT_COLUMNS",
    "ENGAGEMENT_COLUMNS",
    "MEMBER_COLUMNS",
    "association_members",
    "import_commitments",
    "import_commitments_text",
    "import_engagements",
    "import_engagements_text",
    "import_members",
    "import_members_text",
    "member",
    "member_engagements",
    "members",
]

MEMBER_COLUMNS = (
    Column("enterprise_number", f.kbo),
    Column("name", f.text(300)),
    Column("category", f.choice(Category)),
    Column("client_group", f.choice(ClientGroup)),
    Column("language", f.choice(Language)),
    Column("joined_on", f.iso_date),
    Column("left_on", f.iso_date, required=False),
    Column("vote_weight", f.weight, required=False),
)
ENGAGEMENT_COLUMNS = (
    Column("code", f.text(40)),
    Column("member", f.kbo),
    Column("kind", f.choice(EngagementKind)),
    Column("title", f.text(300)),
    Column("service", f.text(40), required=False),
    Column("budget", f.non_negative_amount),
    Column("starts_on", f.iso_date),
    Column("ends_on", f.iso_date, required=False),
    Column("buyer_reference", f.text(100), required=False),
    Column("weight", f.weight, required=False),
)
COMMITMENT_COLUMNS = (
    Column("engagement", f.text(40)),
    Column("period", f.period),
    Column("amount", f.amount),
    Column("description", f.text(300)),
)

IMPORT = Permission(Action.CLOSE)


# -- reading ------------------------------------------------------------------------------------


@requires(Permission())
def members(uow: RegistryUnitOfWork, scope: str | None = None) -> list[Member]:
    """The members a user may see, by name: every member, or only ``scope`` (the one a budget
    holder is bound to: :func:`mutua.kernel.access.member_scope`)."""
    with uow:
        found = uow.registry.members()
    return [m for m in found if scope is None or m.enterprise_number == scope]


@requires(Permission(Action.READ_ASSOCIATION))
def association_members(uow: RegistryUnitOfWork) -> list[Member]:
    """Every member of the association, by name."""
    with uow:
        return uow.registry.members()


@requires(Permission(member_scoped=True))
def member(uow: RegistryUnitOfWork, enterprise_number: str) -> Member:
    with uow:
        found = uow.registry.member(enterprise_number)
    if found is None:
        raise NotFound(f"no member with enterprise number {enterprise_number}")
    return found


@requires(Permission(member_scoped=True))
def member_engagements(uow: RegistryUnitOfWork, enterprise_number: str) -> list[Engagement]:
    """A member's engagements, by code."""
    with uow:
        if uow.registry.member(enterprise_number) is None:
            raise NotFound(f"no member with enterprise number {enterprise_number}")
        return uow.registry.engagements(enterprise_number)


# -- imports ------------------------------------------------------------------------------------


@requires(IMPORT)
def import_members(uow: RegistryImports, path: Path) -> ImportResult:
    """Members: enterprise_number, name, category, client_group, language, joined_on[, left_on,
    vote_weight]. A member already registered is refused."""
    return import_members_text(uow, read_text(path), str(path))


@requires(IMPORT)
def import_members_text(uow: RegistryImports, text: str, source: str) -> ImportResult:
    def validate(uow: RegistryImports, parsed: CsvFile, problems: list[Problem]) -> list[Member]:
        duplicates(parsed, lambda v: v["enterprise_number"], "enterprise number", problems, "enterprise_number")
        registered = uow.registry.enterprise_numbers()
        result = []
        for row in parsed.rows:
            v = row.values
            if v["enterprise_number"] in registered:
                problems.append(
                    Problem(
                        source, row.line, "enterprise_number", f"member {v['enterprise_number']} is already registered"
                    )
                )
            m = Member(
                v["enterprise_number"],
                v["name"],
                v["category"],
                v["client_group"],
                v["language"],
                v["joined_on"],
                v["left_on"],
                v["vote_weight"] or Decimal(1),
            )
            problems.extend(Problem(source, row.line, field, message) for field, message in member_problems(m))
            result.append(m)
        return result

    def write(uow: RegistryImports, records: Sequence[Member], batch_id: int | None) -> None:
        uow.registry.add_members(records)

    return run_import(uow, "members", text, source, MEMBER_COLUMNS, validate, write)


@requires(IMPORT)
def import_engagements(uow: EngagementImports, path: Path) -> ImportResult:
    """Engagements (BSM): code, member, kind, title, service, budget, starts_on[, ends_on,
    buyer_reference, weight]. The member must be registered and the service in the catalogue."""
    return import_engagements_text(uow, read_text(path), str(path))


@requires(IMPORT)
def import_engagements_text(uow: EngagementImports, text: str, source: str) -> ImportResult:
    def validate(uow: EngagementImports, parsed: CsvFile, problems: list[Problem]) -> list[Engagement]:
        catalogue = uow.costing.offered_services()
        duplicates(parsed, lambda v: v["code"], "engagement code", problems, "code")
        registered = uow.registry.enterprise_numbers()
        existing = uow.registry.engagement_codes()
        result = []
        for row in parsed.rows:
            v = row.values
            if v["code"] in existing:
                problems.append(Problem(source, row.line, "code", f"engagement {v['code']} already exists"))
            if v["member"] not in registered:
                problems.append(Problem(source, row.line, "member", f"no member with enterprise number {v['member']}"))
            e = Engagement(
                v["code"],
                v["member"],
                v["kind"],
                v["title"],
                v["service"],
                v["budget"],
                v["starts_on"],
                v["ends_on"],
                v["buyer_reference"] or "",
                v["weight"] or Decimal(1),
            )
            problems.extend(
                Problem(source, row.line, field, message) for field, message in engagement_problems(e, catalogue)
            )
            result.append(e)
        return result

    def write(uow: EngagementImports, records: Sequence[Engagement], batch_id: int | None) -> None:
        uow.registry.add_engagements(records)

    return run_import(uow, "engagements", text, source, ENGAGEMENT_COLUMNS, validate, write)


@requires(IMPORT)
def import_commitments(uow: RegistryImports, path: Path) -> ImportResult:
    """Commitments: engagement, period, amount, description (of existing engagements)."""
    return import_commitments_text(uow, read_text(path), str(path))


@requires(IMPORT)
def import_commitments_text(uow: RegistryImports, text: str, source: str) -> ImportResult:
    def validate(uow: RegistryImports, parsed: CsvFile, problems: list[Problem]) -> list[Commitment]:
        engagements = uow.registry.engagement_codes()
        result = []
        for row in parsed.rows:
            v = row.values
            if v["engagement"] not in engagements:
                problems.append(Problem(source, row.line, "engagement", f"unknown engagement {v['engagement']!r}"))
                continue
            result.append(Commitment(v["engagement"], v["period"], v["amount"], v["description"]))
        return result

    def write(uow: RegistryImports, records: Sequence[Commitment], batch_id: int | None) -> None:
        uow.registry.add_commitments(records)

    return run_import(uow, "commitments", text, source, COMMITMENT_COLUMNS, validate, write)
