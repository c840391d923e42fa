"""Metering use cases: ingest event files and flush the events acknowledged over HTTP, exactly
once; aggregate a period and write its totals into the close's usage; show usage from the
rollups; say what the store holds.

Each takes the unit of work (the database: the cost model, the engagements, the closed periods,
the usage written for the close, the audit trail) and the event store (the events themselves),
both as the Protocols of :mod:`mutua.metering.ports`. The store commits on its own, before the
database records what it did: an ingestion's audit entry follows the commit of its events.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from pathlib import Path

from mutua.costing.domain.meters import Meter
from mutua.costing.domain.model import CostModel
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.periods import Period
from mutua.kernel.problems import NotFound, Problem, Rejected
from mutua.metering.catalogue import Catalogue, build_catalogue, now_us
from mutua.metering.closing import MaterialiseResult, refuse_closed, service_quantities
from mutua.metering.domain import IngestResult, StoreStats, Total
from mutua.metering.ports import EventStore, ProgressFn, UnitOfWork
from mutua.metering.senders import SenderKey, SenderKeys
from mutua.metering.views import UsageView, usage_lines


def load_catalogue(uow: UnitOfWork, events: EventStore | None = None) -> tuple[CostModel, Catalogue]:
    """The cost model's meters, the subjects and the periods no longer open to usage (locked by a
    close, or sealed in ``events`` by :func:`materialise`), as validation needs them."""
    with uow:
        _, model = uow.costing.cost_model()
        engagements = uow.registry.engagements()
        closed = uow.charging.closed_periods()
    if events is not None:
        closed |= events.sealed()
    return model, build_catalogue(model, engagements, closed, now_us())


def _record(uow: UnitOfWork, result: IngestResult, what: str) -> None:
    with uow:
        uow.audit.record(what, "metering_segment", result.segment or "-", **result.counts())
        uow.commit()


@requires(Permission(Action.CLOSE))
def ingest_files(
    uow: UnitOfWork,
    events: EventStore,
    paths: Sequence[Path],
    progress: Callable[[Path], ProgressFn | None] = lambda _: None,
) -> Generator[IngestResult]:
    """Ingest JSON lines, CSV or Parquet files of CloudEvents, one commit each (each audited as an
    ``ingest``): bad events are rejected one by one, duplicates (in a file or taken earlier) change
    nothing, the rest is stored durably once. Every file must exist before any is taken."""
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise NotFound(f"no such file: {missing[0]}")
    _, catalogue = load_catalogue(uow, events)
    for result in events.ingest_files(catalogue, paths, progress):
        _record(uow, result, "ingest")
        yield result


@requires(Permission(Action.CLOSE))
def ingest_file(uow: UnitOfWork, events: EventStore, path: Path, progress: ProgressFn | None = None) -> IngestResult:
    """:func:`ingest_files` of one file."""
    results = ingest_files(uow, events, [path], lambda _: progress)
    try:
        return next(results)
    finally:
        results.close()


@requires(Permission(Action.CLOSE))
def flush(uow: UnitOfWork, events: EventStore) -> IngestResult:
    """Move the events acknowledged over HTTP into the store (each commit audited as a ``flush``).
    Safe to repeat, and safe beside running servers and file ingestion."""
    _, catalogue = load_catalogue(uow, events)
    total = IngestResult("http")
    for result in events.flush(catalogue):
        _record(uow, result, "flush")
        total = total.plus(result)
    return total


@requires(Permission(Action.READ_ASSOCIATION))
def aggregate_period(events: EventStore, period: Period, meters: Sequence[Meter] = ()) -> list[Total]:
    """The monthly totals of the events charged in ``period`` (``meters``: the model's, for the
    state their meters carry in from earlier months; without, nothing is carried)."""
    return events.aggregate(period, meters)


@requires(Permission(Action.CLOSE))
def materialise(uow: UnitOfWork, events: EventStore, period: Period, *, flush_first: bool = True) -> MaterialiseResult:
    """Write ``period``'s metered totals into the close's usage (source ``metering``).

    Events acknowledged over HTTP are flushed first, so the totals hold every acknowledged event.
    The period is then *sealed* for metering: an event for it that arrives later is charged in the
    next open period as late (so none can fall between this and the close). Idempotent: the
    period's earlier metering usage is replaced. A locked period is refused."""
    with uow:
        refuse_closed(period, uow.charging.closed_periods())
        _, model = uow.costing.cost_model()
    if flush_first:
        flush(uow, events)
    events.seal(period)
    pending = events.pending_http_events()
    totals = events.aggregate(period, model.meters)
    counted = sum(t.events for t in totals)
    with uow:
        refuse_closed(period, uow.charging.closed_periods())
        known = {e.code for e in uow.registry.engagements()}
        quantities = {k: q for k, q in service_quantities(model, totals).items() if k[0] in known}
        batch_id = uow.batches.add("metering", f"metering {period}", "-", len(quantities))
        uow.charging.replace_metered_usage(period, quantities, batch_id)
        uow.audit.record("materialise", "metering_period", str(period), rows=len(quantities), events=counted)
        uow.commit()
    late_rows = sum(1 for _, _, origin in quantities if origin != period.key)
    return MaterialiseResult(period, len(quantities), counted, late_rows, pending, batch_id)


@requires(Permission(Action.READ_ASSOCIATION))
def usage_view(
    uow: UnitOfWork, events: EventStore, period: Period, member: str | None = None, meter: str | None = None
) -> UsageView:
    """Usage per member, meter and period from the rollups (month-to-date while open).

    Sum, count, max and latest are exact from the rollups; unique count and time-weighted average
    need every event, so for them the view shows the totals last written for the close."""
    rows = events.usage(period, member, meter)
    with uow:
        _, model = uow.costing.cost_model()
        closed = period.key in uow.charging.closed_periods()
        materialised = uow.charging.metered_quantities(period)
    return UsageView(period, closed, member, tuple(usage_lines(rows, model, materialised)))


@requires(Permission(Action.READ_ASSOCIATION))
def stats(events: EventStore) -> StoreStats:
    """What the store holds: segments, stored events, claimed keys, pending HTTP events."""
    return events.stats()


# -- the keys of the senders allowed to POST /events (senders.py) ---------------------------


@requires(Permission(Action.MANAGE_USERS))
def create_sender_key(
    uow: UnitOfWork,
    keys: SenderKeys,
    name: str,
    sources: Sequence[str],
    types: Sequence[str],
    client_id: str | None = None,
) -> tuple[SenderKey, str]:
    """A new sender key, allowed ``sources`` and event ``types`` (patterns); returns the key itself,
    shown once (only its hash is kept). With ``client_id``: an OpenID Connect client's entry
    (it sends access tokens; no key). Audited."""
    try:
        key, token = keys.create(name, sources, types, client_id)
    except ValueError as exc:
        raise Rejected([Problem("sender key", None, None, str(exc))], "sender key") from None
    with uow:
        uow.audit.record(
            "create",
            "metering_sender_key",
            key.key_id,
            name=key.name,
            sources=list(key.sources),
            types=list(key.types),
            oidc_client=key.client_id,
        )
        uow.commit()
    return key, token


@requires(Permission(Action.MANAGE_USERS))
def revoke_sender_key(uow: UnitOfWork, keys: SenderKeys, key_id: str) -> SenderKey:
    """Revoke a sender key: refused from its next request on (every server worker). Audited."""
    key = keys.revoke(key_id)
    if key is None:
        raise NotFound(f"no sender key {key_id}")
    with uow:
        uow.audit.record("revoke", "metering_sender_key", key.key_id, name=key.name)
        uow.commit()
    return key


@requires(Permission(Action.MANAGE_USERS))
def sender_keys(keys: SenderKeys) -> list[SenderKey]:
    """The sender keys, revoked ones included (never the keys themselves)."""
    return keys.keys()
