"""What the charging context's use cases need: its repository (the close's inputs and outputs), what
they read of the registry and of the cost model, and their units of work, as Protocols."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from mutua.charging.domain import (
    Charge,
    ChargeTotal,
    Drivers,
    LedgerLine,
    LedgerTotal,
    MemberShare,
    MonthlyCharge,
    Share,
    TimeEntry,
    TrueUpRun,
    UsageLine,
    UsageMonth,
)
from mutua.costing.domain.model import CostModel
from mutua.kernel.periods import Period
from mutua.kernel.ports import ImportLog, Transaction
from mutua.registry.domain import Engagement, Member


class Charging(Protocol):
    """The close's inputs (ledger, time sheets, usage), closed periods, runs, charges, true-up
    shares and carried balances. Every write is audited by the repository."""

    # -- periods -----------------------------------------------------------------------------

    def closed_periods(self) -> set[int]:
        """The closed months (YYYYMM)."""
        ...

    def closed_models(self, period_keys: Iterable[int]) -> dict[int, int]:
        """Of these months, the closed ones -> the version of the cost model their close used."""
        ...

    def latest_closed_period(self) -> Period | None: ...

    def lock_closing(self) -> None:
        """Wait for any other close or true-up to end, and keep them waiting until this transaction
        ends: taken before checking what is closed, so two runs never both find a month (or a year's
        true-up) still to do."""
        ...

    def lock_period(self, period: Period, model_id: int) -> None:
        """Lock a month for good (a Conflict if it is closed already); audited as ``lock``."""
        ...

    def close_fingerprint(self, year: int) -> tuple[int, int]:
        """(months of ``year`` closed, the newest run of ``year``): changes with every close and true-up."""
        ...

    # -- the close's inputs -------------------------------------------------------------------

    def known_entry_ids(self, entry_ids: Sequence[str]) -> set[str]:
        """Those of ``entry_ids`` already in the ledger."""
        ...

    def booked_time(self, period_keys: Iterable[int]) -> set[tuple[str, str, date]]:
        """(person, engagement, day) of the time entries already in these months."""
        ...

    def imported_usage(self) -> set[tuple[str, str, int]]:
        """(engagement, service, month) of the usage imported from files."""
        ...

    def add_ledger_lines(self, batch_id: int, lines: Sequence[LedgerLine]) -> None: ...

    def add_time_entries(self, batch_id: int, entries: Sequence[TimeEntry]) -> None: ...

    def add_usage(self, batch_id: int, lines: Sequence[UsageLine]) -> None: ...

    def direct_costs_by_centre(self, period_keys: Iterable[int]) -> dict[str, Decimal]:
        """The ledger's cost per centre (non-deductible VAT included; income negative)."""
        ...

    def drivers(self, period_keys: Iterable[int]) -> Drivers:
        """Usage, hours and real cost per engagement, summed over the months."""
        ...

    def ledger_totals(self, period_keys: Iterable[int]) -> list[LedgerTotal]:
        """The ledger's cost per account class and centre."""
        ...

    def usage_by_month(self, year: int, member: str | None = None, engagement: str | None = None) -> list[UsageMonth]:
        """Usage per engagement, service and month of ``year`` (ordered by month, engagement, service)."""
        ...

    # -- the close's outputs ------------------------------------------------------------------

    def add_run(
        self, kind: str, period: Period, model_id: int, total_cost: Decimal, total_charged: Decimal, mode: str = ""
    ) -> int:
        """Record a close (``close``) or a true-up (``true_up``, period December); returns its id. A
        second true-up of a year is a Conflict (the database refuses it)."""
        ...

    def add_charges(self, run_id: int, kind: str, rows: Sequence[Charge]) -> None: ...

    def charges(
        self, period_keys: Iterable[int], member: str | None = None, kind: str | None = None
    ) -> list[Charge]: ...

    def charged_sums(self, period_keys: Iterable[int], kind: str) -> dict[tuple[str, str], Decimal]:
        """Charges of one kind summed per (engagement, service)."""
        ...

    def charged_totals(self, period_keys: Iterable[int]) -> list[ChargeTotal]:
        """Every charge summed per member, engagement and service."""
        ...

    def monthly_charges(
        self, period_keys: Iterable[int], member: str | None = None, engagement: str | None = None
    ) -> list[MonthlyCharge]:
        """Charges summed per engagement, service, month and kind."""
        ...

    def add_true_up_shares(self, run_id: int, year: int, shares: Iterable[Share]) -> None: ...

    def true_up_run(self, year: int) -> TrueUpRun | None: ...

    def true_up_by_member(self, year: int) -> list[MemberShare]:
        """The year's true-up shares summed per member (by the member's name)."""
        ...

    def carry_forwards(self, year: int) -> dict[str, Decimal]: ...

    def add_carry_forwards(self, run_id: int, year: int, amounts: Mapping[str, Decimal]) -> None: ...


class RegistryReader(Protocol):
    """What charging reads of the registry: members, engagements, commitments."""

    def members(self) -> list[Member]: ...

    def member(self, enterprise_number: str) -> Member | None: ...

    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]: ...

    def commitments(self, year: int) -> dict[str, list[tuple[Period, Decimal, str]]]:
        """Per engagement code: its commitments of ``year`` (month, amount, description)."""
        ...


class CostModels(Protocol):
    """The cost model in force (the costing context keeps it)."""

    def cost_model(self, on: date | None = None) -> tuple[int, CostModel]:
        """(its id, the model) in force on ``on`` (today by default); a Conflict when none was imported."""
        ...

    def cost_model_version(self, model_id: int) -> CostModel:
        """The model of version ``model_id``, as imported."""
        ...


class ChargingUnitOfWork(Transaction, Protocol):
    """A transaction with what the close, the true-up and the read models use."""

    @property
    def charging(self) -> Charging: ...

    @property
    def registry(self) -> RegistryReader: ...

    @property
    def costing(self) -> CostModels: ...


class ChargingImports(ChargingUnitOfWork, Protocol):
    """A unit of work that imports the close's input files (logged by SHA-256)."""

    batches: ImportLog
