"""Benchmark: joint purchasing's catalogue search and price-list import (issue 11).

1. **Search**: a catalogue of ``--items`` items (5 agreements, 4 lots each, 2 suppliers a lot,
   Dutch and French descriptions drawn from a product vocabulary) on SQLite (FTS5) and PostgreSQL
   (tsvector + GIN); a mix of searches (words in either language, prefixes, facet filters, a price
   range, browsing with no words) each run ``--rounds`` times through ``SqlCatalogueSearch``
   (the page of 20 items *and* every facet's counts): p50 and p95 per engine. Target p95 < 50 ms.
2. **Import**: a ``--lines``-line CSV price list imported through the use case
   (``import_price_list_bytes``: parse, check every line, merge with the lot's catalogue, write
   items, prices and the full-text index in one transaction). Target < 10 s.

    .venv/bin/python bench/bench_purchasing.py [--items 100000] [--lines 100000] [--rounds 20]
        [--engines sqlite,postgresql]

Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from mutua.bootstrap import migrate, unit_of_work
from mutua.platform.db.engine import make_engine
from mutua.purchasing.domain import (
    Agreement,
    AwardRule,
    CatalogueItem,
    Lot,
    LotSupplier,
    Procedure,
    PurchasingClause,
    Supplier,
)
from mutua.purchasing.domain.search import CatalogueQuery
from mutua.purchasing.search import SqlCatalogueSearch
from mutua.purchasing.service.catalogue import import_price_list_bytes

POSTGRES_URL = os.environ.get("MUTUA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DAY = date(2025, 1, 1)
# (Dutch, French, CPV, price range)
PRODUCTS = (
    ("Laptop", "Ordinateur portable", "30213100", (450, 2400)),
    ("Beeldscherm", "Écran", "30231300", (120, 900)),
    ("Toetsenbord", "Clavier", "30237460", (15, 120)),
    ("Muis", "Souris", "30237410", (8, 90)),
    ("Laserprinter", "Imprimante laser", "30232110", (180, 6000)),
    ("Toner", "Toner", "30125100", (30, 260)),
    ("Dockingstation", "Station d'accueil", "30237000", (90, 400)),
    ("Kabel", "Câble", "32421000", (3, 60)),
    ("Headset", "Casque", "32342100", (20, 300)),
    ("Tablet", "Tablette", "30213200", (200, 1400)),
    ("Server", "Serveur", "48820000", (1500, 25000)),
    ("Softwarelicentie", "Licence logicielle", "48000000", (5, 2000)),
)
QUALITIES = (
    ("zwart", "noir"),
    ("draadloos", "sans fil"),
    ("professioneel", "professionnel"),
    ("compact", "compact"),
    ("ergonomisch", "ergonomique"),
    ("robuust", "robuste"),
    ("energiezuinig", "économe en énergie"),
    ("voor vergaderzalen", "pour salles de réunion"),
)
BRANDS = ("Aurora", "Borealis", "Cirrus", "Delta", "Equinox", "Fjord", "Gamma", "Helix", "Ion", "Juno")
SIZES = ("13 inch", "14 inch", "15 inch", "24 inch", "27 inch", "USB-C", "HDMI", "A4", "A3", "1 TB")
FRENCH_SIZES = {
    "13 inch": "13 pouces",
    "14 inch": "14 pouces",
    "15 inch": "15 pouces",
    "24 inch": "24 pouces",
    "27 inch": "27 pouces",
}


def line(rng: random.Random, n: int) -> tuple[str, str, str, str, Decimal]:
    nl, fr, cpv, (low, high) = rng.choice(PRODUCTS)
    quality_nl, quality_fr = rng.choice(QUALITIES)
    brand, size = rng.choice(BRANDS), rng.choice(SIZES)
    price = Decimal(rng.randint(low * 100, high * 100)) / 100
    return (
        f"ITEM-{n:07d}",
        f"{brand} {nl} {size} {quality_nl}",
        f"{fr} {brand} {FRENCH_SIZES.get(size, size)} {quality_fr}",
        cpv,
        price,
    )


def catalogue(engine: Engine, items: int, seed: int = 11) -> None:
    """5 agreements x 4 lots x 2 suppliers, ``items`` items spread over them."""
    rng = random.Random(seed)
    uow = unit_of_work(engine, "bench")
    suppliers = [Supplier(f"SUP{i}", f"Supplier {i} NV") for i in range(10)]
    pairs: list[tuple[str, int, str]] = []
    with uow:
        uow.purchasing.add_suppliers(suppliers)
        for a in range(5):
            ref = f"BENCH-{a}"
            lots = [
                Lot(
                    ref,
                    n,
                    f"Perceel {n}",
                    f"Lot {n}",
                    Decimal("10000000.00"),
                    award_rule=AwardRule.CASCADE if n % 2 else AwardRule.MINI_COMPETITION,
                )
                for n in range(1, 5)
            ]
            awarded = [LotSupplier(ref, n, f"SUP{(a * 2 + k) % 10}", k + 1) for n in range(1, 5) for k in range(2)]
            uow.purchasing.add_agreement(
                Agreement(
                    ref,
                    f"Raamovereenkomst {a}",
                    f"Accord-cadre {a}",
                    Procedure.OPEN,
                    DAY,
                    DAY,
                    date(2028, 12, 31),
                    Decimal("50000000.00"),
                    ("30200000",),
                    PurchasingClause(("A",)),
                ),
                lots,
                awarded,
            )
            pairs += [(ref, w.lot, w.supplier) for w in awarded]
        per_pair = items // len(pairs)
        n = 0
        for index, (ref, lot, supplier) in enumerate(pairs):
            count = per_pair + (items - per_pair * len(pairs) if index == len(pairs) - 1 else 0)
            batch = []
            for _ in range(count):
                code, nl, fr, cpv, price = line(rng, n)
                n += 1
                batch.append(CatalogueItem(ref, lot, supplier, code, cpv, nl, fr, "C62", price, DAY))
            uow.purchasing.add_items(batch, "price_list", "bench")
        uow.commit()


QUERIES = (
    CatalogueQuery("laptop"),
    CatalogueQuery("ordinateur portable 14"),
    CatalogueQuery("écran 27", language="fr"),
    CatalogueQuery("toner zwart"),
    CatalogueQuery("draadloze muis"),
    CatalogueQuery("souris sans fil", language="fr"),
    CatalogueQuery("licentie"),
    CatalogueQuery("aurora dock"),
    CatalogueQuery("kabel", supplier="SUP3"),
    CatalogueQuery("laptop", agreement="BENCH-2", lot=3),
    CatalogueQuery("printer", price_min=Decimal("500"), price_max=Decimal("2000")),
    CatalogueQuery("", agreement="BENCH-1"),
    CatalogueQuery("", cpv_division="30", sort="price"),
    CatalogueQuery(""),
    CatalogueQuery("helix", offset=20),
    CatalogueQuery("ITEM-0012345"),
)


def search_times(engine: Engine, rounds: int) -> dict[str, Any]:
    times: list[float] = []
    per_query: dict[str, float] = {}
    totals: dict[str, int] = {}
    with engine.connect() as connection:
        search = SqlCatalogueSearch(connection)
        for q in QUERIES:  # warm the caches once
            search.search(q)
        for _ in range(rounds):
            for q in QUERIES:
                start = time.perf_counter()
                result = search.search(q)
                elapsed = time.perf_counter() - start
                times.append(elapsed)
                key = f"{q.text}|{q.agreement}|{q.supplier}|{q.cpv_division}|{q.price_min}|{q.offset}"
                per_query[key] = max(per_query.get(key, 0.0), elapsed)
                totals[key] = result.total
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    slowest = max(per_query, key=lambda k: per_query[k])
    return {
        "searches": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(times[-1] * 1000, 2),
        "slowest_query": slowest,
        "matches": totals,
    }


def import_time(engine: Engine, lines: int) -> dict[str, Any]:
    uow = unit_of_work(engine, "bench")
    with uow:
        uow.purchasing.add_suppliers([Supplier("IMPORT", "Import BV")])
        uow.purchasing.add_agreement(
            Agreement(
                "BENCH-IMPORT",
                "Import",
                "Import",
                Procedure.OPEN,
                DAY,
                DAY,
                date(2028, 12, 31),
                Decimal("50000000.00"),
                ("30200000",),
                PurchasingClause(("A",)),
            ),
            [Lot("BENCH-IMPORT", 1, "Alles", "Tout", Decimal("50000000.00"))],
            [LotSupplier("BENCH-IMPORT", 1, "IMPORT", 1)],
        )
        uow.commit()
    rng = random.Random(7)
    rows = ["code,cpv,description_nl,description_fr,unit,price"]
    for n in range(lines):
        code, nl, fr, cpv, price = line(rng, n)
        rows.append(f'{code},{cpv},{nl},"{fr}",C62,{price}')
    data = ("\n".join(rows) + "\n").encode("utf-8")
    start = time.perf_counter()
    result = import_price_list_bytes(
        unit_of_work(engine, "bench"), "BENCH-IMPORT", 1, "IMPORT", data, "prices.csv", DAY
    )
    elapsed = time.perf_counter() - start
    assert result.new == lines, result
    return {"lines": lines, "bytes": len(data), "seconds": round(elapsed, 2), "lines_per_second": int(lines / elapsed)}


def _sqlite(folder: Path, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{folder / name}")
    migrate(engine)
    return engine


def run(engine_name: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    schemas: list[str] = []
    admin = None

    def fresh(name: str) -> Engine:
        nonlocal admin
        if engine_name == "sqlite":
            return _sqlite(folder, name)
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = admin or make_engine(POSTGRES_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        engine = make_engine(POSTGRES_URL, schema=schema)
        migrate(engine)
        return engine

    try:
        if args.items:
            engine = fresh("search.sqlite")
            start = time.perf_counter()
            catalogue(engine, args.items)
            if engine_name == "postgresql":  # what autovacuum does after a bulk load: statistics, visibility map
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE purchasing_items"))
                    c.execute(text("ANALYZE"))
            out["load_seconds"] = round(time.perf_counter() - start, 1)
            out["search"] = search_times(engine, args.rounds)
            engine.dispose()
        if args.lines:
            engine = fresh("import.sqlite")
            out["import"] = import_time(engine, args.lines)
            engine.dispose()
    finally:
        if admin is not None:
            with admin.begin() as c:
                for schema in schemas:
                    c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    results: dict[str, Any] = {"items": args.items, "lines": args.lines, "rounds": args.rounds}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.engines.split(","):
            started = time.perf_counter()
            results[name] = run(name, Path(tmp), args)
            print(f"{name}: {json.dumps(results[name])}  ({time.perf_counter() - started:.0f} s)", flush=True)
    for name in args.engines.split(","):
        r = results[name]
        if "search" in r:
            r["search"].pop("matches", None)
    results["targets"] = {"search_p95_ms": 50, "import_seconds": 10}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
