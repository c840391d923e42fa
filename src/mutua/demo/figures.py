"""The demo association's figures and members: Smals' 2018 turnover and shares, the cost mix, the
services' volumes, Belgian working days, the real 2019 member list with synthetic enterprise numbers."""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from importlib import resources

from mutua.kernel.money import split

TURNOVER = Decimal("321649376")
ACTIVITY_SHARE = {
    "development": Decimal("0.174"),
    "infrastructure": Decimal("0.235"),
    "secondment": Decimal("0.288"),
    "consultancy": Decimal("0.303"),
}
GROUP_SHARE = {
    "social_security": Decimal("0.642"),
    "federal_public_service": Decimal("0.064"),
    "other": Decimal("0.294"),
}
OTHER_INCOME = (TURNOVER * Decimal("0.014") / Decimal("0.986")).quantize(Decimal(1))
# Where the association books its other operating income (class 74), as an association would: on the
# centre whose costs it recovers (account, share of OTHER_INCOME, what it is).
OTHER_INCOME_BOOKED = {
    "FAC": ("743000", Decimal("0.40"), "Recovered costs: sublet offices, parking and energy re-invoiced"),
    "HR": ("740000", Decimal("0.35"), "Operating subsidies: training and employment grants"),
    "ICTW": ("743000", Decimal("0.25"), "Recovered costs: workstations and telephony re-invoiced"),
}
SUPPORT_COST = {
    "FAC": Decimal("7200000"),
    "HR": Decimal("5600000"),
    "ICTW": Decimal("6100000"),
    "FIN": Decimal("4300000"),
}
# The purchasing team (the central purchasing body, centre PUR; DOMAIN.md: EUR 245 k budgeted for
# 2024, funded by the suppliers' commissions): its staff, and the e-procurement platform and tender
# publications it pays for. Its income is not written here: it is the year's commission statements,
# booked from them (`mutua purchasing commissions ledger YEAR`) as any association would.
PURCHASING_CENTRE = "PUR"
PURCHASING_COST = {
    "620000": (Decimal("245000"), "Remuneration, purchasing team"),
    "611000": (Decimal("25000"), "E-procurement platform and tender publications"),
}
# Share of the infrastructure activity per service centre, and the plan of each usage service:
# (centre share, annual planned volume in the service's unit).
INFRA = {
    "VM": Decimal("0.16"),
    "HYP": Decimal("0.08"),
    "STO": Decimal("0.14"),
    "BCK": Decimal("0.07"),
    "ARC": Decimal("0.05"),
    "API": Decimal("0.09"),
    "DC": Decimal("0.12"),
    "OPS": Decimal("0.15"),
    "CC": Decimal("0.08"),
    "PRT": Decimal("0.06"),
}
USAGE_PLAN = {  # service: (centre, annual volume)
    "VMAAS": ("VM", 13_140_000),
    "HYPAAS": ("HYP", 600_000),
    "STAAS": ("STO", 96_000_000),
    "BAAS": ("BCK", 60_000_000),
    "ARCH": ("ARC", 36_000_000),
    "APIGW": ("API", 12_000_000),
    "DCAAS": ("DC", 4_800),
    "CONTACT": ("CC", 300_000),
    "PRINT": ("PRT", 4_800_000),
}
USAGE_DECIMALS = {
    "VMAAS": 2,
    "HYPAAS": 0,
    "STAAS": 3,
    "BAAS": 3,
    "ARCH": 3,
    "APIGW": 3,
    "DCAAS": 0,
    "CONTACT": 0,
    "PRINT": 0,
}
GRADES = {"junior": 62, "medior": 74, "senior": 88, "expert": 104}
GRADE_MIX = {"junior": 0.2, "medior": 0.35, "senior": 0.3, "expert": 0.15}
# (share of salaries 62, services 61, depreciation 63, other 64) of each centre's own cost.
COST_MIX = {
    "support": (0.45, 0.47, 0.05, 0.03),
    "DEV": (0.83, 0.15, 0.02, 0.0),
    "infra": (0.30, 0.55, 0.15, 0.0),
}
ACCOUNTS = {
    0: ("620000", "Remuneration"),
    1: ("611000", "Maintenance, licences and services"),
    2: ("630000", "Depreciation"),
    3: ("640000", "Other operating costs"),
}


def _easter(year: int) -> date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def working_days(year: int) -> list[date]:
    easter = _easter(year)
    holidays = {
        date(year, 1, 1),
        easter + timedelta(days=1),
        date(year, 5, 1),
        easter + timedelta(days=39),
        easter + timedelta(days=50),
        date(year, 7, 21),
        date(year, 8, 15),
        date(year, 11, 1),
        date(year, 11, 11),
        date(year, 12, 25),
    }
    day, result = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5 and day not in holidays:
            result.append(day)
        day += timedelta(days=1)
    return result


def synthetic_enterprise_number(index: int) -> str:
    base = 2_000_000 + index * 7919
    return f"{base:08d}{97 - base % 97:02d}"


_FR = re.compile(
    r"CPAS|Agence|Wallon|Bruxelles|Forem|Office de|Service Public|Société|Institut Wallon|"
    r"^Le |^L’|^Mon Toit|^En bord|FamiWal|Iriscare|Actiris|CRP|Commission|COCOF|IMIO|EvereCity"
)
_SOCIAL = re.compile(
    r"Sociaal Fonds|Fonds voor|Waarborg en sociaal|Kas der|FamiWal|Iriscare|Sigedis|Floreal|"
    r"Vereniging van|VESOFO|Sefocam|Kinderbijslag|Uitbetaling van Toelagen|Constructiv"
)
_FEDERAL = re.compile(
    r"^FOD |^POD |Federaal|Federale|Nationaal|Kamer van|Senaat|Gegevensbescherming|"
    r"Instituut voor Gerechtelijke|Centrale Raad|Nationale Arbeidsraad|Fedasil|Sciensano|"
    r"War Heritage|Centrale Toezichtsraad|Commissie voor de regulering"
)


def classify(name: str, category: str) -> tuple[str, str]:
    """(client group, language) of a member, from its name and category."""
    language = "fr" if _FR.search(name) else "nl"
    if category == "A":
        group = "federal_public_service" if re.match(r"^(FOD|POD) ", name) else "social_security"
    elif _SOCIAL.search(name):
        group = "social_security"
    elif _FEDERAL.search(name):
        group = "federal_public_service"
    else:
        group = "other"
    return group, language


@dataclass
class DemoMember:
    number: str
    name: str
    category: str
    group: str
    language: str
    size: float  # relative size within its group (skewed)


@dataclass
class Plan:
    year: int
    members: list[DemoMember]
    centre_cost: dict[str, Decimal] = field(default_factory=dict)  # planned own cost per centre


def load_members(rng: random.Random) -> list[DemoMember]:
    text = resources.files("mutua.demo").joinpath("members_2019.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    members = []
    for i, row in enumerate(rows):
        group, language = classify(row["name"], row["category"])
        size = rng.paretovariate(1.3) * (4 if row["category"] == "A" else 1)
        members.append(DemoMember(synthetic_enterprise_number(i), row["name"], row["category"], group, language, size))
    return members


def _cents(x: float) -> Decimal:
    return Decimal(round(x * 100)) / 100


def spread(
    total: Decimal, n: int, rng: random.Random, noise: float = 0.06, profile: Sequence[float] | None = None
) -> list[Decimal]:
    """``total`` over ``n`` parts with some noise, cent-exact (largest remainder)."""
    weights = {
        i: Fraction(max(0.01, (profile[i] if profile else 1.0) * rng.gauss(1, noise))).limit_denominator(10**6)
        for i in range(n)
    }
    parts = split(total.quantize(Decimal("0.01")), weights)
    return [parts[i] for i in range(n)]


def pick_by_group(
    members: list[DemoMember], groups: dict[str, list[DemoMember]], count: int, rng: random.Random
) -> list[DemoMember]:
    """``count`` members (repeats allowed), each group in its target share, big members more often."""
    chosen: list[DemoMember] = []
    for g, share in GROUP_SHARE.items():
        n = max(1, round(count * float(share)))
        pool = groups[g]
        chosen.extend(rng.choices(pool, weights=[m.size for m in pool], k=n))
    return chosen


def group_weights(members: list[DemoMember], groups: dict[str, list[DemoMember]]) -> dict[str, float]:
    """A weight per member such that each group's weights add up to its target share."""
    result = {}
    for g, share in GROUP_SHARE.items():
        total = sum(m.size for m in groups[g])
        for m in groups[g]:
            result[m.number] = float(share) * m.size / total
    return result
