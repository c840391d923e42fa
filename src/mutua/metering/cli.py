"""``mutua metering``: ingest event files, serve the HTTP endpoint, flush, materialise, usage."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from mutua.metering.domain import IngestResult, Rejection
    from mutua.metering.store import DuckEventStore

from mutua.kernel.problems import Problem
from mutua.platform.cli.output import (
    JsonFlag,
    between,
    counted,
    err,
    nothing,
    out,
    period_arg,
    print_json,
    refused,
    refused_for,
    run,
    say,
    whole,
)
from mutua.platform.cli.output import language as _language
from mutua.platform.cli.runtime import state
from mutua.platform.i18n import catalogued, format_number, labeller, problem_text, semicolon

app = typer.Typer(no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Commands of the metering context."""


def _field(name: str | None) -> str:
    """An event's field as a reader sees it: a CloudEvents attribute named in the language, its
    name beside it (``tijdstip (time)``), else the name as it is (``id``, ``data.gb``); ``-`` for none."""
    if name is None:
        return "-"
    language = _language()
    return name if language == "en" else catalogued(f"field {name}", language) or name


def _rejection_line(source: str, rejection: Rejection) -> str:
    """``file:line: field: reason`` (``http[index]`` for an event without a line) in the language."""
    where = source if rejection.line is not None else f"{source}[{rejection.index}]"
    problem = Problem(where, rejection.line, _field(rejection.field), rejection.reason)
    return problem_text(problem, _language())


def _events() -> DuckEventStore:
    """The event store of the data dir."""
    from mutua.metering.store import DuckEventStore

    return DuckEventStore(state.settings.data_dir)


metering_app = typer.Typer(
    help="Metering: usage events in (files, HTTP), exactly once; monthly totals out.", no_args_is_help=True
)

app.add_typer(metering_app, name="metering")


@metering_app.command("ingest")
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CloudEvents files: .jsonl/.json, .csv or .parquet.")],
    as_json: JsonFlag = False,
) -> None:
    """Ingest event files: duplicates count once, bad events are listed, the rest is stored."""
    # one commit per file; the next file is read and validated while one is stored (ingest_files)
    from mutua.metering.service import ingest_files

    results: list[IngestResult] = []
    ticks: list[Callable[[str, float], None]] = []  # one per file, in order
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, disable=as_json
        ) as progress:

            def ticker(file: Path) -> Callable[[str, float], None]:
                task: list[TaskID] = []  # added when the file is first read (by the staging thread)

                def tick(what: str, done: float) -> None:
                    if not task:
                        task.append(progress.add_task("", total=1.0))
                    progress.update(task[0], completed=done, description=f"{file.name}{between()}{say(what)}")

                ticks.append(tick)
                return tick

            def ingest() -> None:
                for result in ingest_files(state.uow(), _events(), files, ticker):
                    ticks[len(results)]("done", 1.0)
                    results.append(result)

            run(ingest)
    finally:  # the files committed before a refused one are reported too
        _report(results, as_json)
    if any(r.rejected for r in results):
        raise typer.Exit(2)


def _report(results: Sequence[IngestResult], as_json: bool) -> None:
    if as_json:
        print_json([r.as_dict() for r in results])
    else:
        for r in results:
            rate = round(r.received / r.seconds) if r.seconds else 0
            counts = ", ".join(
                (
                    counted(r.received, "{n} event read", "{n} events read"),
                    counted(r.accepted, "{n} taken", "{n} taken"),
                    counted(
                        r.duplicates,
                        "{n} duplicate (already taken, nothing changed)",
                        "{n} duplicates (already taken, nothing changed)",
                    ),
                    counted(len(r.rejected), "{n} rejected", "{n} rejected"),
                    counted(r.late, "{n} late", "{n} late"),
                )
            )
            speed = counted(rate, "{n} event/s", "{n} events/s")
            out.print(
                f"{r.source}{between()}{counts}{semicolon(_language())}{speed}",
                markup=False,
                highlight=False,
            )
            for rej in r.rejected[:200]:
                err.print(f"  {_rejection_line(r.source, rej)}", markup=False, highlight=False)
            if len(r.rejected) > 200:
                err.print(
                    f"  {say('... and {n} more (--json lists them all)', n=len(r.rejected) - 200)}",
                    markup=False,
                    highlight=False,
                )


@metering_app.command("serve")
def serve(
    host: Annotated[str, typer.Option(envvar="MUTUA_METERING_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="MUTUA_METERING_PORT")] = 8089,
    flush_events: Annotated[int, typer.Option(envvar="MUTUA_METERING_FLUSH_EVENTS")] = 1_000_000,
    workers: Annotated[
        int, typer.Option(envvar="MUTUA_METERING_WORKERS", help="Worker processes (default: one per core).")
    ] = 0,
) -> None:
    """Serve POST /events (CloudEvents, single or batch); acknowledged only once durably stored."""
    import os

    import uvicorn

    from mutua.metering.http import UNIT_OF_WORK_VARIABLE

    settings = state.settings
    state.engine()  # creates or migrates the schema once, before any worker starts
    from mutua.metering.senders import SenderKeys

    live = [k for k in SenderKeys(settings.data_dir).keys() if k.revoked is None]  # noqa: SIM118 (a method)
    if not live:
        err.print(
            say("no sender key yet: POST /events is refused (401) until one is made: mutua metering keys create"),
            markup=False,
            highlight=False,
        )
    factory = state.runtime.unit_of_work  # the workers import it by name (they are new processes)
    os.environ.update(
        {
            "MUTUA_DATA_DIR": str(settings.data_dir),
            "MUTUA_ACTOR": settings.actor,
            "MUTUA_METERING_FLUSH_EVENTS": str(flush_events),
            UNIT_OF_WORK_VARIABLE: f"{factory.__module__}:{factory.__qualname__}",
        }
    )
    if settings.database_url:
        os.environ["MUTUA_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        "mutua.metering.http:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers or os.cpu_count() or 1,
        log_level="warning",
        access_log=False,
        server_header=False,
    )


@metering_app.command("flush")
def flush(as_json: JsonFlag = False) -> None:
    """Move events acknowledged over HTTP into a Parquet segment (safe to repeat)."""
    from mutua.metering.service import flush as action

    result = run(lambda: action(state.uow(), _events()))
    if as_json:
        print_json(result.as_dict())
    else:
        flushed = counted(result.accepted, "{n} event flushed", "{n} events flushed")
        stored = counted(result.duplicates, "{n} already stored", "{n} already stored")
        out.print(f"{flushed}, {stored}", highlight=False)


@metering_app.command("materialise")
def materialise(
    period: Annotated[str, typer.Argument(help="The month, YYYY-MM.")],
    engine: Annotated[
        str,
        typer.Option(
            envvar="MUTUA_METERING_ENGINE",
            help="duckdb (this machine) or spark (a Spark cluster reading the store from a shared filesystem).",
        ),
    ] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(
            envvar="MUTUA_SPARK_MASTER",
            help="The Spark master (spark://host:7077; default local[*]) for --engine spark.",
        ),
    ] = None,
    spark_store: Annotated[
        str | None,
        typer.Option(
            envvar="MUTUA_SPARK_STORE",
            help="The store's metering folder as the executors name it (default: the same path as here).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write a month's metered totals into the usage the close charges (replaces earlier ones)."""
    from mutua.metering.service import materialise as action

    events = _events()
    if engine == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise refused("Spark is not installed: pip install 'mutua[spark]'", "--engine") from None
        from mutua.metering.spark import SparkAggregator

        events.aggregator = SparkAggregator(spark_master, root=events.root, store_url=spark_store)
    elif engine != "duckdb":
        raise refused("{engine} is not an engine (duckdb, spark)", "--engine", engine=repr(engine))
    result = run(lambda: action(state.uow(), events, period_arg(period)))
    if as_json:
        print_json(result.as_dict())
    else:
        rows = counted(result.rows, "{n} usage row", "{n} usage rows")
        events_read = counted(result.events, "from {n} event", "from {n} events")
        late = counted(result.late_rows, "{n} late adjustment", "{n} late adjustments")
        pending = (
            counted(result.pending, "; {n} HTTP event not flushed yet", "; {n} HTTP events not flushed yet")
            if result.pending
            else ""
        )
        out.print(f"{result.period}{between()}{rows} {events_read} ({late}){pending}", highlight=False)


USAGE_HEADERS = {
    "member": "Member",
    "engagement": "Engagement",
    "meter": "Meter",
    "aggregation": "Aggregation",
    "origin_period": "Month of use",
    "late": "Late",
    "events": "Events",
    "quantity": "Quantity",
    "unit": "Unit",
}
"""The usage table's columns (the JSON and CSV names) as its headers say them (messages' ids)."""
AGGREGATION_NAMES = {
    "count": "Count",
    "sum": "Sum",
    "max": "Maximum",
    "latest": "Latest",
    "time_weighted_average": "Time-weighted average",
    "unique_count": "Unique count",
}
"""An aggregation's code (the JSON's and CSV's) as the usage table names it (messages' ids)."""
STATS_LABELS = {
    "segments": "Segments",
    "stored_events": "Stored events",
    "claimed_keys": "Claimed keys",
    "pending_http_events": "HTTP events not flushed yet",
    "periods": "Months",
}
"""``metering stats``' figures (the JSON names) as its lines say them (messages' ids)."""


@metering_app.command("usage")
def usage(
    period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
    member: Annotated[str | None, typer.Option(help="A member's enterprise number.")] = None,
    meter: Annotated[str | None, typer.Option(help="A meter code.")] = None,
    as_json: JsonFlag = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV lines.")] = False,
) -> None:
    """Usage per member, meter and period (month-to-date while open), from the rollups."""
    from mutua.metering.service import usage_view
    from mutua.registry.domain import enterprise_number

    number = None
    if member is not None:
        try:
            number = enterprise_number(member)
        except ValueError as exc:
            raise refused_for(exc) from None
    view = run(lambda: usage_view(state.uow(), _events(), period_arg(period), number, meter))
    data = view.as_json()
    if as_json:
        print_json(data)
        return
    columns = ("member", "engagement", "meter", "aggregation", "origin_period", "late", "events", "quantity", "unit")
    if as_csv:
        from mutua.platform.files.csv_out import csv_text

        lines = ([ln[c] for c in columns] for ln in data["lines"])
        sys.stdout.write(csv_text(columns, lines, numeric=("events", "quantity")))
        return
    if not data["lines"]:
        none = {
            (False, False): "no usage events metered for {period}",
            (True, False): "no usage events metered for {period} of member {member}",
            (False, True): "no usage events metered for {period} on meter {meter}",
            (True, True): "no usage events metered for {period} of member {member} on meter {meter}",
        }[(bool(number), bool(meter))]
        why = say(
            "the event store holds none for it (usage imported as CSV, `mutua import usage`, is charged "
            "by the close but not metered: see `mutua statement`)"
        )
        nothing(escape(say(none, period=view.period, member=number, meter=meter) + between() + why))
        return
    title = "Usage {period} (closed)" if view.closed else "Usage {period} (month to date)"
    table = Table(title=say(title, period=view.period))
    for c in columns:
        table.add_column(say(USAGE_HEADERS[c]), justify="right" if c in ("events", "quantity") else "left")
    for ln in data["lines"]:
        table.add_row(*[_usage_cell(c, ln[c]) for c in columns])
    out.print(table)


def _usage_cell(column: str, value: Any) -> str:
    """A cell of the usage table as the command's language shows it: numbers grouped and with its
    decimal sign, the aggregation and the unit named in it (the JSON and CSV keep the codes)."""
    language = _language()
    if value is None or value == "":
        return ""
    if column == "late":
        return say("late") if value else ""
    if column == "events":
        return whole(int(value))
    if column == "quantity":
        number = Decimal(str(value))
        places = max(0, -int(number.as_tuple().exponent))
        return str(value) if language == "en" else format_number(number, language, places)
    if column == "aggregation":
        return say(AGGREGATION_NAMES.get(str(value), str(value)))
    if column == "unit":
        return labeller(language)(str(value))
    return str(value)


@metering_app.command("stats")
def stats(as_json: JsonFlag = False) -> None:
    """What the event store holds."""
    from mutua.metering.service import stats as action

    data = action(_events()).as_dict()
    if as_json:
        print_json(data)
    else:
        for k, v in data.items():
            shown = (", ".join(v) or "-") if isinstance(v, list) else whole(v)
            out.print(f"{say(STATS_LABELS[k])}{between()}{shown}", markup=False, highlight=False)


keys_app = typer.Typer(
    help="The keys of the senders allowed to POST /events (each allowed some sources and event types).",
    no_args_is_help=True,
)
metering_app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who sends with this key (free text).")],
    source: Annotated[
        list[str], typer.Option("--source", help="A source it may send (pattern, e.g. '/gateway/*'; repeat).")
    ],
    event_type: Annotated[
        list[str], typer.Option("--type", help="An event type it may send (pattern, e.g. 'be.mutua.*'; repeat).")
    ],
    oidc_client: Annotated[
        str | None,
        typer.Option(help="An OpenID Connect client id: it sends access tokens (MUTUA_METERING_OIDC_*), no key."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Make a sender key: printed once (only its hash is kept); send it as Authorization: Bearer KEY."""
    from mutua.metering.senders import SenderKeys
    from mutua.metering.service import create_sender_key

    key, token = run(
        lambda: create_sender_key(
            state.uow(), SenderKeys(state.settings.data_dir), name, source, event_type, oidc_client
        )
    )
    if as_json:
        print_json({**key.as_dict(), "key": token or None})
    elif key.client_id:
        said = say(
            "sender {key} for {name}: OpenID Connect client {client}",
            key=key.key_id,
            name=key.name,
            client=key.client_id,
        )
        out.print(said, markup=False, highlight=False)
    else:
        said = say("sender key {key} for {name} (shown once, keep it secret):", key=key.key_id, name=key.name)
        out.print(said, markup=False, highlight=False)
        out.print(token, markup=False, highlight=False, soft_wrap=True)


@keys_app.command("list")
def keys_list(as_json: JsonFlag = False) -> None:
    """The sender keys, with what each may send (never the keys themselves)."""
    from mutua.metering.senders import SenderKeys
    from mutua.metering.service import sender_keys

    keys = run(lambda: sender_keys(SenderKeys(state.settings.data_dir)))
    if as_json:
        print_json([k.as_dict() for k in keys])
        return
    table = Table(title=say("Sender keys"))
    for c in ("Key", "Name", "Sources", "Event types", "Created", "Revoked"):
        table.add_column(say(c))
    for k in keys:
        table.add_row(k.key_id, k.name, " ".join(k.sources), " ".join(k.types), k.created, k.revoked or "")
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id (from keys list).")]) -> None:
    """Revoke a sender key: refused from its next request on."""
    from mutua.metering.senders import SenderKeys
    from mutua.metering.service import revoke_sender_key

    key = run(lambda: revoke_sender_key(state.uow(), SenderKeys(state.settings.data_dir), key_id))
    said = say("sender key {key} ({name}) revoked at {revoked}", key=key.key_id, name=key.name, revoked=key.revoked)
    out.print(said, markup=False, highlight=False)
