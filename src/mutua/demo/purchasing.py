"""The demo's joint purchasing, in the spirit of C-smart's central purchasing body: five framework
agreements (e-inclusion in 3 lots, laptops, ICT consultancy with a cascade of 3 suppliers, cloud
licences, printers), 10,000 catalogue items from the suppliers' price lists, the accessions of a
third of the members by decisions of their councils, a year of orders (the consultancy orders'
invoices booked on the members' consultancy engagements, so that the year's closes charge them at
cost), an indexation and the four quarters' commission statements, whose commissions the demo then
books as the purchasing team's income (:func:`commission_ledger`, imported like any ledger file).

Everything goes through the purchasing context's use cases, as the purchasing team would work:
agreement files (YAML) and price lists (CSV) are written into ``<folder>/purchasing`` and loaded
from there. :func:`build` is called by the demo before the year's first close.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from mutua.kernel.problems import Rejected
from mutua.purchasing.domain import Channel, Quarter
from mutua.purchasing.service import accessions, agreements, catalogue, commissions, orders

ITEMS = 10_000
SEED = 2011  # C-smart's purchasing centre started in 2011


def _number(n: int) -> str:
    """A synthetic Belgian enterprise number (valid check digits) for a demo supplier."""
    first = f"08{n:06d}"
    return first + f"{97 - int(first) % 97:02d}"


SUPPLIERS = [
    ("DIGIPLUS", "Digiplus NV", "Gent"),
    ("INCLUSIO", "Inclusio SRL", "Namur"),
    ("LAPTOPIA", "Laptopia BV", "Antwerpen"),
    ("NOTEBOOKS", "Notebooks & Co SA", "Liège"),
    ("CONSULTA", "Consulta IT NV", "Brussel"),
    ("BYTEWISE", "Bytewise Consulting BV", "Leuven"),
    ("EXPERTIS", "Expertis SA", "Charleroi"),
    ("NIMBUS", "Nimbus Cloud Services NV", "Mechelen"),
    ("STRATUS", "Stratus Licensing SA", "Wavre"),
    ("CIRRUS", "Cirrus Software BV", "Hasselt"),
    ("PRINTEC", "Printec NV", "Brugge"),
    ("TONERO", "Tonero SA", "Mons"),
]


@dataclass(frozen=True)
class Family:
    """A kind of item a lot's price lists carry: CPV code, names, unit, price range."""

    cpv: str
    nl: str
    fr: str
    unit: str
    low: int
    high: int


FAMILIES = {
    "devices": [
        Family("30213100", "Laptop", "Ordinateur portable", "C62", 380, 1400),
        Family("30213200", "Tablet", "Tablette", "C62", 180, 900),
        Family("30237460", "Toetsenbord", "Clavier", "C62", 12, 90),
        Family("30237410", "Muis", "Souris", "C62", 8, 60),
    ],
    "connect": [
        Family("32342100", "Koptelefoon", "Casque", "C62", 15, 180),
        Family("30237200", "Computertoebehoren", "Accessoire informatique", "H87", 5, 120),
        Family("32420000", "Netwerkapparatuur", "Équipement de réseau", "C62", 25, 400),
    ],
    "training": [
        Family("80533100", "Computeropleiding", "Formation informatique", "DAY", 350, 900),
        Family("72600000", "Digitale ondersteuning", "Soutien numérique", "HUR", 45, 95),
    ],
    "laptops": [
        Family("30213100", "Laptop", "Ordinateur portable", "C62", 550, 2400),
        Family("30213300", "Desktop", "Ordinateur de bureau", "C62", 450, 1800),
        Family("30231300", "Beeldscherm", "Écran", "C62", 110, 700),
    ],
    "peripherals": [
        Family("30237200", "Dockingstation", "Station d'accueil", "C62", 90, 350),
        Family("30237460", "Toetsenbord", "Clavier", "C62", 15, 120),
        Family("30237410", "Muis", "Souris", "C62", 10, 80),
    ],
    "consultancy": [Family("72000000", "Consultant", "Consultant", "DAY", 520, 1150)],
    "cloud": [
        Family("48000000", "Softwarelicentie", "Licence logicielle", "ANN", 20, 900),
        Family("72416000", "Cloudabonnement", "Abonnement cloud", "MON", 4, 120),
        Family("72317000", "Opslag", "Stockage", "MON", 2, 60),
    ],
    "printers": [
        Family("30232110", "Laserprinter", "Imprimante laser", "C62", 140, 2200),
        Family("30121100", "Multifunctional", "Multifonction", "C62", 450, 6500),
    ],
    "supplies": [
        Family("30125110", "Toner", "Toner", "C62", 25, 260),
        Family("30197630", "Papier A4", "Papier A4", "RM", 3, 9),
    ],
}
PROFILES = [
    ("Analist", "Analyste"),
    ("Ontwikkelaar", "Développeur"),
    ("Architect", "Architecte"),
    ("Projectleider", "Chef de projet"),
    ("Security-expert", "Expert sécurité"),
    ("Databeheerder", "Gestionnaire de données"),
    ("Testcoördinator", "Coordinateur de tests"),
    ("Scrum master", "Scrum master"),
]
BRANDS = ["Aurora", "Boreal", "Cobalt", "Delta", "Equinox", "Falcon", "Granite", "Helix", "Ion", "Juno"]


def _agreements(year: int) -> list[dict[str, Any]]:
    """The five agreements (as agreement files), their lots' item families and price list sizes."""
    y = year

    def supplier(code: str) -> dict[str, Any]:
        i = next(n for n, s in enumerate(SUPPLIERS) if s[0] == code)
        return {"code": code, "name": SUPPLIERS[i][1], "enterprise_number": _number(i + 1), "city": SUPPLIERS[i][2]}

    return [
        {
            "reference": f"CSMART-{y - 1}-EINCL",
            "title_nl": "E-inclusie: digitale toestellen, connectiviteit en ondersteuning",
            "title_fr": "E-inclusion : appareils numériques, connectivité et accompagnement",
            "procedure": "open",
            "award_date": date(y - 1, 10, 15),
            "starts_on": date(y - 1, 11, 1),
            "ends_on": date(y + 1, 10, 31),
            "renewals": 2,
            "renewal_months": 12,
            "ceiling": "9000000.00",
            "cpv": ["30213200", "32420000", "80533100"],
            "commission_rate": "0.01",
            "reference_markup": "0.14",
            "clause": {"categories": ["A", "B"], "regions": ["flemish", "brussels"]},
            "suppliers": [supplier("DIGIPLUS"), supplier("INCLUSIO")],
            "lots": [
                {
                    "number": 1,
                    "title_nl": "Laptops en tablets voor burgers",
                    "title_fr": "Portables et tablettes pour citoyens",
                    "ceiling": "5000000.00",
                    "cpv": ["30213200"],
                    "award_rule": "cascade",
                    "kind": "goods",
                    "suppliers": [{"code": "DIGIPLUS", "rank": 1}, {"code": "INCLUSIO", "rank": 2}],
                    "_family": "devices",
                    "_items": 1300,
                },
                {
                    "number": 2,
                    "title_nl": "Connectiviteit en toebehoren",
                    "title_fr": "Connectivité et accessoires",
                    "ceiling": "2500000.00",
                    "cpv": ["32420000"],
                    "award_rule": "mini_competition",
                    "kind": "goods",
                    "suppliers": [{"code": "DIGIPLUS"}, {"code": "INCLUSIO"}],
                    "_family": "connect",
                    "_items": 1300,
                },
                {
                    "number": 3,
                    "title_nl": "Digitale vaardigheden en ondersteuning",
                    "title_fr": "Compétences numériques et accompagnement",
                    "ceiling": "1500000.00",
                    "cpv": ["80533100"],
                    "award_rule": "cascade",
                    "kind": "services",
                    "commission_rate": "0.005",
                    "suppliers": [{"code": "INCLUSIO", "rank": 1}, {"code": "DIGIPLUS", "rank": 2}],
                    "_family": "training",
                    "_items": 200,
                },
            ],
        },
        {
            "reference": f"CSMART-{y - 2}-LAPTOPS",
            "title_nl": "Laptops, desktops en beeldschermen",
            "title_fr": "Ordinateurs portables, de bureau et écrans",
            "procedure": "open",
            "award_date": date(y - 2, 2, 10),
            "starts_on": date(y - 2, 3, 1),
            "ends_on": date(y, 2, 28),
            "renewals": 2,
            "renewal_months": 12,
            "ceiling": "24000000.00",
            "cpv": ["30213100", "30213300", "30231300"],
            "commission_rate": "0.012",
            "reference_markup": "0.11",
            "indexation": {"index": "Agoria ICT-prijsindex", "base_value": "100.00", "month": 1},
            "clause": {"categories": ["A", "B", "C"]},
            "suppliers": [supplier("LAPTOPIA"), supplier("NOTEBOOKS")],
            "lots": [
                {
                    "number": 1,
                    "title_nl": "Laptops en desktops",
                    "title_fr": "Portables et ordinateurs de bureau",
                    "ceiling": "18000000.00",
                    "cpv": ["30213100"],
                    "award_rule": "cascade",
                    "kind": "goods",
                    "suppliers": [{"code": "LAPTOPIA", "rank": 1}, {"code": "NOTEBOOKS", "rank": 2}],
                    "_family": "laptops",
                    "_items": 1400,
                },
                {
                    "number": 2,
                    "title_nl": "Randapparatuur",
                    "title_fr": "Périphériques",
                    "ceiling": "6000000.00",
                    "cpv": ["30237200"],
                    "award_rule": "cascade",
                    "kind": "goods",
                    "suppliers": [{"code": "NOTEBOOKS", "rank": 1}, {"code": "LAPTOPIA", "rank": 2}],
                    "_family": "peripherals",
                    "_items": 1100,
                },
            ],
        },
        {
            "reference": f"CSMART-{y - 1}-ICTCONS",
            "title_nl": "ICT-consultancy (regie)",
            "title_fr": "Consultance TIC (régie)",
            "procedure": "competitive_negotiation",
            "award_date": date(y - 1, 11, 20),
            "starts_on": date(y - 1, 12, 1),
            "ends_on": date(y + 1, 11, 30),
            "renewals": 1,
            "renewal_months": 24,
            "ceiling": "60000000.00",
            "cpv": ["72000000", "72200000"],
            "commission_rate": "0.008",
            "reference_markup": "0.18",
            "clause": {"categories": ["A", "B", "C"]},
            "suppliers": [supplier("CONSULTA"), supplier("BYTEWISE"), supplier("EXPERTIS")],
            "lots": [
                {
                    "number": 1,
                    "title_nl": "Consultants in regie (mandagen)",
                    "title_fr": "Consultants en régie (jours-homme)",
                    "ceiling": "60000000.00",
                    "cpv": ["72000000"],
                    "award_rule": "cascade",
                    "kind": "consultancy",
                    "suppliers": [
                        {"code": "CONSULTA", "rank": 1},
                        {"code": "BYTEWISE", "rank": 2},
                        {"code": "EXPERTIS", "rank": 3},
                    ],
                    "_family": "consultancy",
                    "_items": 0,
                },
            ],
        },
        {
            "reference": f"CSMART-{y - 1}-CLOUD",
            "title_nl": "Cloud- en softwarelicenties",
            "title_fr": "Licences cloud et logicielles",
            "procedure": "restricted",
            "award_date": date(y - 1, 5, 2),
            "starts_on": date(y - 1, 6, 1),
            "ends_on": date(y, 5, 31),
            "renewals": 3,
            "renewal_months": 12,
            "ceiling": "15000000.00",
            "cpv": ["48000000", "72416000"],
            "commission_rate": "0.015",
            "reference_markup": "0.09",
            "clause": {"categories": ["A", "B", "C"], "regions": ["federal"]},
            "suppliers": [supplier("NIMBUS"), supplier("STRATUS"), supplier("CIRRUS")],
            "lots": [
                {
                    "number": 1,
                    "title_nl": "Licenties en abonnementen",
                    "title_fr": "Licences et abonnements",
                    "ceiling": "15000000.00",
                    "cpv": ["48000000"],
                    "award_rule": "mini_competition",
                    "kind": "services",
                    "suppliers": [{"code": "NIMBUS"}, {"code": "STRATUS"}, {"code": "CIRRUS"}],
                    "_family": "cloud",
                    "_items": 2000,
                },
            ],
        },
        {
            "reference": f"CSMART-{y - 3}-PRINT",
            "title_nl": "Printers, multifunctionals en verbruiksgoederen",
            "title_fr": "Imprimantes, multifonctions et consommables",
            "procedure": "open",
            "award_date": date(y - 3, 12, 1),
            "starts_on": date(y - 3, 12, 15),
            "ends_on": date(y - 1, 12, 14),
            "renewals": 1,
            "renewal_months": 12,
            "ceiling": "8000000.00",
            "cpv": ["30232110", "30121100", "30125110"],
            "commission_rate": "0.01",
            "reference_markup": "0.12",
            "clause": {"categories": ["A", "B", "C"]},
            "suppliers": [supplier("PRINTEC"), supplier("TONERO")],
            "lots": [
                {
                    "number": 1,
                    "title_nl": "Printers en multifunctionals",
                    "title_fr": "Imprimantes et multifonctions",
                    "ceiling": "5000000.00",
                    "cpv": ["30232110"],
                    "award_rule": "cascade",
                    "kind": "goods",
                    "suppliers": [{"code": "PRINTEC", "rank": 1}, {"code": "TONERO", "rank": 2}],
                    "_family": "printers",
                    "_items": 1200,
                },
                {
                    "number": 2,
                    "title_nl": "Toners en papier",
                    "title_fr": "Toners et papier",
                    "ceiling": "3000000.00",
                    "cpv": ["30125110"],
                    "award_rule": "cascade",
                    "kind": "goods",
                    "suppliers": [{"code": "TONERO", "rank": 1}, {"code": "PRINTEC", "rank": 2}],
                    "_family": "supplies",
                    "_items": 1464,
                },
            ],
        },
    ]


def _price_list(rng: random.Random, lot: dict[str, Any], supplier: str, count: int, start: int) -> str:
    """A supplier's price list of ``count`` items of the lot's families (CSV, as a supplier sends it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "cpv", "description_nl", "description_fr", "unit", "price", "reference_price"])
    families = FAMILIES[lot["_family"]]
    if lot["kind"] == "consultancy":
        for i, (nl, fr) in enumerate(PROFILES, start=1):
            for level, (lnl, lfr), factor in ((0, ("medior", "médior"), 1.0), (1, ("senior", "senior"), 1.3)):
                if level and i > 4:
                    continue
                price = Decimal(rng.randint(560, 880)) * Decimal(str(factor))
                writer.writerow(
                    [
                        f"{supplier[:4]}-P{i:02d}{'S' if level else 'M'}",
                        "72000000",
                        f"{nl} {lnl}",
                        f"{fr} {lfr}",
                        "DAY",
                        f"{price.quantize(Decimal('0.01'))}",
                        "",
                    ]
                )
        return out.getvalue()
    for i in range(count):
        family = families[i % len(families)]
        brand = BRANDS[rng.randrange(len(BRANDS))]
        model = f"{brand} {rng.choice('ABCDEFGHKLMNPRSTVX')}{rng.randint(100, 999)}"
        price = Decimal(rng.randint(family.low * 100, family.high * 100)) / 100
        reference = (price * Decimal(str(round(rng.uniform(1.05, 1.3), 2)))).quantize(Decimal("0.01"))
        writer.writerow(
            [
                f"{supplier[:4]}-{lot['number']}-{start + i:05d}",
                family.cpv,
                f"{family.nl} {model}",
                f"{family.fr} {model}",
                family.unit,
                f"{price:.2f}",
                f"{reference:.2f}" if rng.random() < 0.3 else "",
            ]
        )
    return out.getvalue()


def _regions(members: list[Any], rng: random.Random) -> str:
    """The members' regions: the federal bodies (social security, federal public services) federal,
    the others by language (Dutch: Flemish, a few in Brussels; French: Walloon)."""
    lines = ["enterprise_number,region"]
    for m in members:
        if m.client_group.value in ("social_security", "federal_public_service"):
            region = "federal"
        elif m.language.value == "fr":
            region = "walloon" if rng.random() < 0.8 else "brussels"
        else:
            region = "flemish" if rng.random() < 0.85 else "brussels"
        lines.append(f"{m.enterprise_number},{region}")
    return "\n".join(lines) + "\n"


def build(uow: Any, folder: Path, year: int) -> dict[str, Any]:
    """Build the demo's joint purchasing of ``year`` into the association the demo registered
    (members and engagements), before the year's closes; returns what was done.

    The thousands of small transactions of a year of orders keep one idle connection open beside
    them, so that SQLite does not checkpoint and drop its write-ahead log each time one ends."""
    engine = getattr(uow, "engine", None)
    if engine is None:
        return _build(uow, folder, year)
    with engine.connect():
        return _build(uow, folder, year)


def _build(uow: Any, folder: Path, year: int) -> dict[str, Any]:
    from mutua.registry import service as registry

    rng = random.Random(SEED)
    where = folder / "purchasing"
    where.mkdir(parents=True, exist_ok=True)
    members = registry.members(uow)
    (where / "regions.csv").write_text(_regions(members, rng), encoding="utf-8")
    agreements.import_member_regions(uow, where / "regions.csv")
    (where / "bestek.pdf").write_bytes(b"%PDF-1.4\n% demo tender specification\n")
    (where / "gunning.pdf").write_bytes(b"%PDF-1.4\n% demo award decision\n")
    specs = _agreements(year)
    items = 0
    for spec in specs:
        data = dict(spec)
        data["lots"] = [{k: v for k, v in lot.items() if not k.startswith("_")} for lot in spec["lots"]]
        data["documents"] = [
            {"kind": "specification", "file": "bestek.pdf", "title": "Bestek / Cahier spécial des charges"},
            {"kind": "award_decision", "file": "gunning.pdf", "title": "Gunningsbeslissing / Décision d'attribution"},
        ]
        path = where / f"{spec['reference']}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        agreements.load_agreement(uow, path)
        for lot in spec["lots"]:
            codes = [s["code"] for s in lot["suppliers"]]
            shares = [lot["_items"] // len(codes)] * len(codes)
            shares[0] += lot["_items"] - sum(shares)
            for supplier, count in zip(codes, shares, strict=True):
                text = _price_list(rng, lot, supplier, count, 1)
                list_path = where / f"{spec['reference']}-lot{lot['number']}-{supplier}.csv"
                list_path.write_text(text, encoding="utf-8")
                items += catalogue.import_price_list(
                    uow, spec["reference"], lot["number"], supplier, list_path, spec["starts_on"]
                ).new
    refs = {s["reference"].rsplit("-", 1)[1]: s["reference"] for s in specs}
    # renewals decided before the terms end, and the laptops' yearly indexation
    agreements.renew_agreement(uow, refs["PRINT"], on=date(year - 1, 11, 15))
    agreements.renew_agreement(uow, refs["LAPTOPS"], on=date(year, 1, 10))
    agreements.renew_agreement(uow, refs["CLOUD"], on=date(year, 4, 1))
    indexed = catalogue.index_prices(uow, refs["LAPTOPS"], Decimal("103.85"), date(year, 1, 1))
    joined = _accessions(uow, rng, year, members, refs)
    placed = _orders(uow, rng, year, joined, refs, specs)
    statements = []
    for q in range(1, 5):
        quarter = Quarter(year, q)
        statements += commissions.compute_commissions(uow, quarter, on=quarter.last_day + timedelta(days=5))
    return {
        "agreements": len(specs),
        "items": items,
        "indexed": indexed.indexation.items,
        "accessions": sum(len(v) for v in joined.values()),
        "members_joined": len(joined),
        "orders": placed,
        "commission_statements": len(statements),
    }


def commission_ledger(uow: Any, folder: Path, year: int) -> Path | None:
    """The commission statements issued in ``year`` as a ledger file (income on the purchasing
    team's centre, net of VAT) in ``<folder>/purchasing``, for the close's ledger import; None when
    none was issued in ``year``."""
    from mutua.purchasing.service import funding

    if not any(v.statement.issued_on.year == year for v in commissions.commission_statements(uow)):
        return None
    path = folder / "purchasing" / f"commissions-{year}.csv"
    path.write_text(funding.commission_ledger(uow, year).csv(), encoding="utf-8")
    return path


def _engagements(uow: Any) -> list[Any]:
    """The registered engagements (the registry's repository, read in a transaction of its own)."""
    with uow:
        return list(uow.registry.engagements())


def _accessions(
    uow: Any, rng: random.Random, year: int, members: list[Any], refs: dict[str, str]
) -> dict[str, list[str]]:
    """A third of the members join agreements whose clause covers them (their council's decision);
    the members with consultancy engagements join the consultancy agreement."""
    consulting = sorted({e.member for e in _engagements(uow) if e.kind.value == "consultancy"})
    chosen = set(rng.sample(consulting, min(len(consulting), 30)))
    others = [m.enterprise_number for m in members if m.enterprise_number not in chosen]
    chosen.update(rng.sample(others, max(0, len(members) // 3 - len(chosen))))
    joined: dict[str, list[str]] = {}
    for number in sorted(chosen):
        wanted = [refs["ICTCONS"]] if number in consulting else []
        wanted += [r for r in refs.values() if r not in wanted and rng.random() < 0.55]
        for reference in wanted:
            decided = date(year - 1, 12, rng.randint(1, 28))
            try:
                accessions.join_agreement(
                    uow, number, reference, decided, f"RB-{decided:%Y%m%d}-{rng.randint(1, 99):02d}", on=decided
                )
            except Rejected:  # outside the clause's scope: the council's decision is refused with the reason
                continue
            joined.setdefault(number, []).append(reference)
    return joined


def _orders(
    uow: Any,
    rng: random.Random,
    year: int,
    joined: dict[str, list[str]],
    refs: dict[str, str],
    specs: list[dict[str, Any]],
) -> int:
    """A year of orders through their life; the consultancy orders feed the members' consultancy
    engagements (invoiced in the month, before its close)."""
    lots = {s["reference"]: s["lots"] for s in specs}
    consultancy = {
        e.member: e.code for e in _engagements(uow) if e.kind.value == "consultancy" and e.service == "CONSULT"
    }
    stock: dict[tuple[str, int, str], list[str]] = {}
    made = 0
    pairs = sorted((m, r) for m, refs_ in joined.items() for r in refs_)
    for month in range(1, 13):
        for _ in range(36):
            member, reference = pairs[rng.randrange(len(pairs))]
            if reference == refs["ICTCONS"] and member not in consultancy:
                continue
            lot = rng.choice(lots[reference])
            cascade = lot["award_rule"] == "cascade"
            first = lot["suppliers"][0]["code"]
            supplier = first if cascade and rng.random() < 0.85 else rng.choice(lot["suppliers"])["code"]
            reason = "" if supplier == first or not cascade else "the first-ranked supplier cannot deliver in time"
            key = (reference, lot["number"], supplier)
            if key not in stock:
                found = catalogue.catalogue(uow, reference, lot["number"], supplier, on=date(year, 1, 1))
                stock[key] = [i.code for i in found]
            day = date(year, month, rng.randint(1, 20 if month < 12 else 5))  # the printers' term ends mid-December
            if lot["kind"] == "consultancy":
                lines = [(rng.choice(stock[key]), Decimal(rng.randint(4, 30)))]
            else:
                lines = [(code, Decimal(rng.randint(1, 25))) for code in rng.sample(stock[key], rng.randint(1, 4))]
            try:
                _life(uow, rng, member, reference, lot, supplier, lines, day, reason, consultancy.get(member))
            except Rejected:  # above a ceiling or the engagement's budget: refused, as a buyer would see
                continue
            made += 1
    return made


def _life(
    uow: Any,
    rng: random.Random,
    member: str,
    reference: str,
    lot: dict[str, Any],
    supplier: str,
    lines: list[tuple[str, Decimal]],
    day: date,
    reason: str,
    engagement: str | None,
) -> None:
    consultancy = lot["kind"] == "consultancy"
    number = orders.draft_order(
        uow,
        member,
        reference,
        lot["number"],
        supplier,
        lines,
        engagement=engagement if consultancy else None,
        channel=Channel.ASSOCIATION if consultancy or rng.random() < 0.3 else Channel.DIRECT,
        buyer_reference=f"BST-{day:%Y%m}-{rng.randint(100, 999)}",
        cascade_reason=reason,
        on=day,
    ).order.number
    fate = rng.random()
    if fate < 0.04:
        orders.cancel_order(uow, member, number, "the need was met otherwise", on=day + timedelta(days=2))
        return
    orders.approve_order(uow, member, number, on=day + timedelta(days=1))
    if fate < 0.08 and day.month == 12:
        return
    orders.place_order(uow, member, number, on=day + timedelta(days=2))
    if fate < 0.12 and day.month >= 11:
        return
    if not consultancy and fate < 0.2 and lines[0][1] > 1:  # a first part delivered
        orders.record_delivery(uow, member, number, {1: Decimal(1)}, on=day + timedelta(days=5))
        if day.month == 12:
            return
    orders.record_delivery(uow, member, number, on=day + timedelta(days=7))
    orders.record_invoice(uow, member, number, f"F{day:%y%m}{rng.randint(1000, 9999)}", on=day + timedelta(days=8))
