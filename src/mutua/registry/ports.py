"""What the registry's use cases need: its repository, the import log, and the service catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mutua.kernel.ports import ImportLog, Transaction
from mutua.registry.domain import Commitment, Engagement, Member, OfferedService


class Registry(Protocol):
    """Members, their engagements and commitments."""

    def members(self) -> list[Member]:
        """Every member, by name."""
        ...

    def member(self, enterprise_number: str) -> Member | None: ...

    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]:
        """The engagements (of one member, or the one with ``code``), by code."""
        ...

    def enterprise_numbers(self) -> set[str]:
        """The enterprise numbers of every registered member."""
        ...

    def engagement_codes(self) -> set[str]: ...

    def add_members(self, members: Sequence[Member]) -> None:
        """Register new members (their enterprise numbers are not registered yet)."""
        ...

    def add_engagements(self, engagements: Sequence[Engagement]) -> None:
        """Keep new engagements (new codes, of registered members)."""
        ...

    def add_commitments(self, commitments: Sequence[Commitment]) -> None:
        """Keep commitments (of existing engagements)."""
        ...


class Catalogue(Protocol):
    """The services an engagement may name (the costing context keeps the catalogue)."""

    def offered_services(self) -> dict[str, OfferedService]:
        """The services of the cost model in force, by code (refused when there is none)."""
        ...


class RegistryUnitOfWork(Transaction, Protocol):
    @property
    def registry(self) -> Registry: ...


class RegistryImports(RegistryUnitOfWork, Protocol):
    """A unit of work that imports files (they are logged by SHA-256)."""

    batches: ImportLog


class EngagementImports(RegistryImports, Protocol):
    @property
    def costing(self) -> Catalogue: ...
