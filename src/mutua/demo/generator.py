"""A believable association for the demo, written as the input files a real one would send.

Built from the real member list of 15 May 2019 and DOMAIN.md's figures (Smals 2018): turnover near
EUR 321.6 M, split by activity (development 17.4 %, infrastructure 23.5 %, secondment 28.8 %,
consultants 30.3 %) and by client group (social security 64.2 %, federal public services 6.4 %,
others 29.4 %), a 2018-like cost structure, support centres, time sheets, secondments, consultants'
invoices with non-deductible VAT, and shared-cloud usage; its other operating income booked on the
support centres whose costs it recovers. Besides the year's twelve months, the January after it
(ledger, time sheets, usage: month 13 here, drawn from a second random stream so that the year is
the same with or without it), for a controller to close. Enterprise numbers are synthetic (valid
check digits, not the members' real numbers). Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import random
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from mutua.costing.domain.allocation import allocate_support
from mutua.costing.domain.model import CostModel
from mutua.demo.figures import (
    ACCOUNTS,
    ACTIVITY_SHARE,
    COST_MIX,
    GRADE_MIX,
    GRADES,
    GROUP_SHARE,
    INFRA,
    OTHER_INCOME,
    OTHER_INCOME_BOOKED,
    PURCHASING_CENTRE,
    PURCHASING_COST,
    SUPPORT_COST,
    TURNOVER,
    USAGE_DECIMALS,
    USAGE_PLAN,
    DemoMember,
    group_weights,
    load_members,
    pick_by_group,
    spread,
    working_days,
)
from mutua.kernel.money import split
from mutua.kernel.periods import Period, months_of


class DemoBuilder:
    """Writes the demo's input files into a folder."""

    def __init__(self, year: int, seed: int = 2018) -> None:
        self.year = year
        self.rng = random.Random(seed)
        self.later = random.Random(seed + 1)  # the January after the year (month 13)
        self.team = random.Random(seed + 2)  # the purchasing team's cost (a stream of its own)
        self.members = load_members(self.rng)
        self.groups: dict[str, list[DemoMember]] = {g: [m for m in self.members if m.group == g] for g in GROUP_SHARE}
        self.engagements: list[dict[str, Any]] = []
        self.ledger: dict[int, list[dict[str, Any]]] = {m: [] for m in range(1, 14)}
        self.time: dict[int, list[dict[str, Any]]] = {m: [] for m in range(1, 14)}
        self.usage: dict[int, list[dict[str, Any]]] = {m: [] for m in range(1, 14)}
        self.commitments: list[dict[str, Any]] = []
        self.tariffs: list[dict[str, Any]] = []
        self._entry = 0

    # -- plan ----------------------------------------------------------------------------------

    def _final_targets(self, model: CostModel) -> dict[str, Decimal]:
        targets = {
            "DEV": TURNOVER * ACTIVITY_SHARE["development"],
            "SEC": TURNOVER * ACTIVITY_SHARE["secondment"],
            "CONS": TURNOVER * ACTIVITY_SHARE["consultancy"],
        }
        for centre, share in INFRA.items():
            targets[centre] = TURNOVER * ACTIVITY_SHARE["infrastructure"] * share
        return {k: v.quantize(Decimal(1)) for k, v in targets.items()}

    def plan_direct_costs(self, model: CostModel) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
        """Own costs per centre such that, after support allocation, each final centre costs its target."""
        targets = self._final_targets(model)
        support = dict(SUPPORT_COST)
        support[PURCHASING_CENTRE] = sum((amount for amount, _ in PURCHASING_COST.values()), Decimal(0))
        for centre, (_, share, _) in OTHER_INCOME_BOOKED.items():
            support[centre] -= OTHER_INCOME * share
        direct = {**support, **targets}
        for _ in range(6):
            allocation = allocate_support(model, direct)
            for code, target in targets.items():
                received = allocation.final[code] - direct[code]
                direct[code] = (target - received).quantize(Decimal(1))
        return direct, targets

    # -- files ---------------------------------------------------------------------------------

    def period(self, month: int) -> Period:
        """Month 1 to 12 of the year, or 13: the January after it."""
        return Period(self.year, month) if month <= 12 else Period(self.year + 1, 1)

    def january_after(self, annual: Decimal, noise: float = 0.03) -> Decimal:
        """A twelfth of ``annual`` with some noise and a little growth: month 13's amount."""
        return (annual / 12 * Decimal(str(round(self.later.gauss(1.02, noise), 4)))).quantize(Decimal("0.01"))

    def _line(
        self,
        month: int,
        account: str,
        centre: str,
        amount: Decimal,
        nd_vat: Decimal = Decimal(0),
        engagement: str = "",
        description: str = "",
    ) -> None:
        self._entry += 1
        self.ledger[month].append(
            {
                "entry_id": f"{self.period(month).year}-{self._entry:07d}",
                "period": str(self.period(month)),
                "account": account,
                "centre": centre if not account.startswith(("65", "66", "67", "75")) else "",
                "amount": f"{amount:.2f}",
                "nd_vat": f"{nd_vat:.2f}" if nd_vat else "",
                "engagement": engagement,
                "description": description,
            }
        )

    def _own_cost_lines(self, centre: str, annual: Decimal, mix: tuple[float, ...], actual_factor: float) -> None:
        annual_actual = (annual * Decimal(str(round(actual_factor, 4)))).quantize(Decimal("0.01"))
        parts = split(annual_actual, {i: Fraction(w).limit_denominator(1000) for i, w in enumerate(mix) if w > 0})
        for kind, amount in parts.items():
            account, label = ACCOUNTS[kind]
            profile = [1.0] * 12
            if kind == 0:  # holiday pay in June, end-of-year premium in December
                profile[5], profile[11] = 1.9, 1.85
            for month, value in enumerate(spread(amount, 12, self.rng, 0.03, profile), start=1):
                self._line(month, account, centre, value, description=f"{label} {centre}")
            self._line(13, account, centre, self.january_after(amount), description=f"{label} {centre}")

    def build(self, model: CostModel) -> None:
        rng = self.rng
        direct, targets = self.plan_direct_costs(model)
        # Support centres: their own costs, and the other income that recovers part of them.
        for code in SUPPORT_COST:
            self._own_cost_lines(code, SUPPORT_COST[code], COST_MIX["support"], rng.gauss(1, 0.015))
        for centre, (account, share, label) in OTHER_INCOME_BOOKED.items():
            income = (OTHER_INCOME * share).quantize(Decimal("0.01"))
            for month, value in enumerate(spread(income, 12, rng, 0.1), start=1):
                self._line(month, account, centre, value, description=label)
            self._line(13, account, centre, self.january_after(income, 0.1), description=label)
        self._development(direct["DEV"], targets["DEV"])
        self._secondment(direct["SEC"], targets["SEC"])
        self._consultancy(direct["CONS"], targets["CONS"])
        self._infrastructure(model, direct, targets)
        self._purchasing_team()

    def _purchasing_team(self) -> None:
        """The purchasing team's own cost on its centre, the twelve months and the January after
        (drawn from a stream of its own, written last: the rest of the year is as without it)."""
        rng = self.team
        factor = Decimal(str(round(rng.gauss(1, 0.015), 4)))
        for account, (annual, label) in PURCHASING_COST.items():
            amount = (annual * factor).quantize(Decimal("0.01"))
            profile = [1.0] * 12
            if account.startswith("62"):  # holiday pay in June, end-of-year premium in December
                profile[5], profile[11] = 1.9, 1.85
            for month, value in enumerate(spread(amount, 12, rng, 0.03, profile), start=1):
                self._line(month, account, PURCHASING_CENTRE, value, description=label)
            january = (amount / 12 * Decimal(str(round(rng.gauss(1.02, 0.03), 4)))).quantize(Decimal("0.01"))
            self._line(13, account, PURCHASING_CENTRE, january, description=label)

    def _development(self, own_cost: Decimal, target: Decimal) -> None:
        rng, year = self.rng, self.year
        self._own_cost_lines("DEV", own_cost, COST_MIX["DEV"], rng.gauss(1, 0.015))
        days = working_days(year)
        people = 480
        projects: list[dict[str, Any]] = []
        members = pick_by_group(self.members, self.groups, 150, rng)
        for i, m in enumerate(members, start=1):
            projects.append(
                self._engagement(
                    f"PRJ-{i:04d}", m, "project", f"Project {i:04d}: application for {m.name}", "DEV-H", Decimal(0)
                )
            )
        by_group: dict[str, list[dict[str, Any]]] = {g: [p for p in projects if p["_group"] == g] for g in GROUP_SHARE}
        planned_weighted_hours = 0.0
        staff = []
        n_by_group = {g: round(people * float(s)) for g, s in GROUP_SHARE.items()}
        person = 0
        for g, n in n_by_group.items():
            for _ in range(n):
                person += 1
                grade = rng.choices(list(GRADE_MIX), weights=list(GRADE_MIX.values()))[0]
                main = rng.choice(by_group[g])
                second = rng.choice(by_group[g]) if rng.random() < 0.2 else None
                staff.append((f"P{person:04d}", grade, main, second))
        planned_hours: dict[str, float] = {}
        for pid, grade, main, second in staff:
            for day in days:
                if rng.random() < 0.09:  # leave and sickness
                    continue
                month = day.month
                if second is not None and second is not main:
                    self.time[month].append(
                        {
                            "person": pid,
                            "grade": grade,
                            "engagement": main["code"],
                            "date": day.isoformat(),
                            "hours": "4.60",
                        }
                    )
                    self.time[month].append(
                        {
                            "person": pid,
                            "grade": grade,
                            "engagement": second["code"],
                            "date": day.isoformat(),
                            "hours": "3.00",
                        }
                    )
                    planned_hours[main["code"]] = planned_hours.get(main["code"], 0) + 4.6 * GRADES[grade]
                    planned_hours[second["code"]] = planned_hours.get(second["code"], 0) + 3.0 * GRADES[grade]
                else:
                    self.time[month].append(
                        {
                            "person": pid,
                            "grade": grade,
                            "engagement": main["code"],
                            "date": day.isoformat(),
                            "hours": "7.60",
                        }
                    )
                    planned_hours[main["code"]] = planned_hours.get(main["code"], 0) + 7.6 * GRADES[grade]
                planned_weighted_hours += 7.6 * GRADES[grade]
        january = [d for d in working_days(year + 1) if d.month == 1]
        for pid, grade, main, second in staff:
            for day in january:
                if self.later.random() < 0.09:
                    continue
                split_day = second is not None and second is not main
                for eng, hours in ((main, "4.60"), (second, "3.00")) if split_day else ((main, "7.60"),):
                    assert eng is not None
                    self.time[13].append(
                        {
                            "person": pid,
                            "grade": grade,
                            "engagement": eng["code"],
                            "date": day.isoformat(),
                            "hours": hours,
                        }
                    )
        k = float(target) / planned_weighted_hours * rng.gauss(1, 0.01)
        self.tariffs.append(
            {"year": year, "service": "DEV-H", "grades": {g: f"{r * k:.2f}" for g, r in GRADES.items()}}
        )
        for p in projects:
            p["budget"] = f"{planned_hours.get(p['code'], 0) * k * rng.uniform(0.9, 1.2):.2f}"

    def _secondment(self, own_cost: Decimal, target: Decimal) -> None:
        rng, year = self.rng, self.year
        team_cost = Decimal("600000")
        self._own_cost_lines("SEC", team_cost, (1.0, 0, 0, 0), rng.gauss(1, 0.01))
        passed_on = own_cost - team_cost
        members = pick_by_group(self.members, self.groups, 180, rng)
        engagements = []
        for i, m in enumerate(members, start=1):
            engagements.append(
                self._engagement(
                    f"SEC-{i:04d}", m, "secondment", f"Secondment of ICT staff to {m.name}", "SECOND", Decimal(0)
                )
            )
        split_weights = self._engagement_weights(engagements, 0.3)
        annual = split(
            (passed_on * Decimal(str(round(rng.gauss(1, 0.01), 4)))).quantize(Decimal("0.01")), split_weights
        )
        profile = [1.0] * 12
        profile[5], profile[11] = 1.9, 1.85
        for e in engagements:
            months = spread(annual[e["code"]], 12, rng, 0.02, profile)
            for month, value in enumerate(months, start=1):
                self._line(
                    month, "620200", "SEC", value, engagement=e["code"], description=f"Seconded staff, {e['code']}"
                )
            self._line(
                13,
                "620200",
                "SEC",
                self.january_after(annual[e["code"]], 0.02),
                engagement=e["code"],
                description=f"Seconded staff, {e['code']}",
            )
            e["budget"] = f"{float(annual[e['code']]) * float(target / own_cost) * rng.uniform(0.95, 1.15):.2f}"
        markup = (target / passed_on - 1).quantize(Decimal("0.0001"))
        self.tariffs.append({"year": year, "service": "SECOND", "markup": str(markup)})

    def _consultancy(self, own_cost: Decimal, target: Decimal) -> None:
        rng, year = self.rng, self.year
        team_cost = Decimal("1200000")
        self._own_cost_lines("CONS", team_cost, (0.9, 0.1, 0, 0), rng.gauss(1, 0.01))
        passed_on = own_cost - team_cost
        members = pick_by_group(self.members, self.groups, 220, rng)
        engagements = [
            self._engagement(
                f"ORD-{i:04d}",
                m,
                "consultancy",
                f"Consultancy order {i:04d} under framework agreement for {m.name}",
                "CONSULT",
                Decimal(0),
            )
            for i, m in enumerate(members, start=1)
        ]
        split_weights = self._engagement_weights(engagements, 0.4)
        annual = split(
            (passed_on * Decimal(str(round(rng.gauss(1, 0.01), 4)))).quantize(Decimal("0.01")), split_weights
        )
        for e in engagements:
            gross = annual[e["code"]]
            monthly = [*spread(gross, 12, rng, 0.25), self.january_after(gross, 0.25)]
            for month, value in enumerate(monthly, start=1):
                net = (value / Decimal("1.21")).quantize(Decimal("0.01"))
                self._line(
                    month,
                    "613000",
                    "CONS",
                    net,
                    nd_vat=value - net,
                    engagement=e["code"],
                    description=f"Supplier invoice, consultants on {e['code']} (VAT 21 % not deductible)",
                )
            e["budget"] = f"{float(gross) * float(target / own_cost) * rng.uniform(0.95, 1.2):.2f}"
            if rng.random() < 0.15:
                self.commitments.append(
                    {
                        "engagement": e["code"],
                        "period": str(Period(year, rng.randint(7, 12))),
                        "amount": f"{float(gross) * 0.1:.2f}",
                        "description": "Milestone payment foreseen in the order",
                    }
                )
        markup = (target / passed_on - 1).quantize(Decimal("0.0001"))
        self.tariffs.append({"year": year, "service": "CONSULT", "markup": str(markup)})

    def _infrastructure(self, model: CostModel, direct: dict[str, Decimal], targets: dict[str, Decimal]) -> None:
        rng, year = self.rng, self.year
        for centre in INFRA:
            self._own_cost_lines(centre, direct[centre], COST_MIX["infra"], rng.gauss(1, 0.02))
        subscribers = []
        for pool in self.groups.values():
            n = max(3, round(len(pool) * 0.6))
            subscribers.extend(rng.sample(pool, min(n, len(pool))))
        weights = group_weights(self.members, self.groups)
        sub_total = {g: sum(weights[m.number] for m in subscribers if m.group == g) for g in GROUP_SHARE}
        share = {m.number: weights[m.number] / sub_total[m.group] * float(GROUP_SHARE[m.group]) for m in subscribers}
        for i, m in enumerate(subscribers, start=1):
            eng = self._engagement(
                f"SVC-{i:04d}",
                m,
                "service",
                f"Shared-cloud services for {m.name}",
                "MONITOR",
                Decimal(0),
                weight=f"{share[m.number] * 1000:.6f}",
            )
            itsm = self._engagement(
                f"ITSM-{i:04d}", m, "service", f"IT service management for {m.name}", "ITSM", Decimal(0)
            )
            budget = 0.0
            for service, (centre, volume) in USAGE_PLAN.items():
                if service == "DCAAS" and share[m.number] < 0.002:
                    continue
                qty_year = volume * share[m.number] * rng.uniform(0.85, 1.15)
                tariff = float(targets[centre]) / volume
                budget += qty_year * tariff
                places = USAGE_DECIMALS[service]
                for month in range(1, 14):
                    drawn = rng if month <= 12 else self.later
                    q = max(0.0, qty_year / 12 * drawn.gauss(1.0 + 0.004 * (month - 6), 0.04))
                    self.usage[month].append(
                        {
                            "member": m.number,
                            "engagement": eng["code"],
                            "service": service,
                            "period": str(self.period(month)),
                            "quantity": f"{q:.{places}f}",
                        }
                    )
            eng["budget"] = f"{budget * 1.1 + float(targets['OPS']) * share[m.number] * 0.7:.2f}"
            itsm["budget"] = f"{float(targets['OPS']) * 0.3 / len(subscribers) * 1.05:.2f}"
        for service, (centre, volume) in USAGE_PLAN.items():
            price = Decimal(str(float(targets[centre]) / volume)).quantize(Decimal("0.000001"))
            self.tariffs.append({"year": year, "service": service, "price": str(price)})
        ops = targets["OPS"]
        self.tariffs.append({"year": year, "service": "MONITOR", "annual": f"{ops * Decimal('0.7'):.2f}"})
        self.tariffs.append({"year": year, "service": "ITSM", "annual": f"{ops * Decimal('0.3'):.2f}"})

    def _engagement_weights(self, engagements: list[dict[str, Any]], spread: float) -> dict[str, Fraction]:
        """Weights that give each client group its target share, each engagement a random part of it."""
        raw = {e["code"]: self.rng.uniform(1 - spread, 1 + spread) for e in engagements}
        group_total: dict[str, float] = {}
        for e in engagements:
            group_total[e["_group"]] = group_total.get(e["_group"], 0.0) + raw[e["code"]]
        return {
            e["code"]: Fraction(
                float(GROUP_SHARE[e["_group"]]) * raw[e["code"]] / group_total[e["_group"]]
            ).limit_denominator(10**9)
            for e in engagements
        }

    def _engagement(
        self, code: str, m: DemoMember, kind: str, title: str, service: str, budget: Decimal, weight: str = ""
    ) -> dict[str, Any]:
        e = {
            "code": code,
            "member": m.number,
            "kind": kind,
            "title": in_language(title, m.language)[:300],
            "service": service,
            "budget": f"{budget:.2f}",
            "starts_on": date(self.year, 1, 1).isoformat(),
            "ends_on": "",
            "buyer_reference": f"BH-{m.number[-4:]}-{code}",
            "weight": weight,
            "_group": m.group,
        }
        self.engagements.append(e)
        return e

    # -- writing -------------------------------------------------------------------------------

    def write(self, folder: Path, model_text: str) -> dict[str, Any]:
        folder.mkdir(parents=True, exist_ok=True)
        data = yaml.safe_load(model_text)
        data["tariffs"] = self.tariffs
        (folder / "cost-model.yaml").write_text(
            "# Mutua demo cost model (tariffs of the demo year computed from its plan).\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110),
            encoding="utf-8",
        )
        _write_csv(
            folder / "members.csv",
            [
                "enterprise_number",
                "name",
                "category",
                "client_group",
                "language",
                "joined_on",
                "left_on",
                "vote_weight",
            ],
            [
                {
                    "enterprise_number": m.number,
                    "name": m.name,
                    "category": m.category,
                    "client_group": m.group,
                    "language": m.language,
                    "joined_on": "2001-01-01",
                    "left_on": "",
                    "vote_weight": f"{max(1, round(m.size * 10))}",
                }
                for m in self.members
            ],
        )
        _write_csv(
            folder / "engagements.csv",
            [
                "code",
                "member",
                "kind",
                "title",
                "service",
                "budget",
                "starts_on",
                "ends_on",
                "buyer_reference",
                "weight",
            ],
            [{k: v for k, v in e.items() if not k.startswith("_")} for e in self.engagements],
        )
        _write_csv(folder / "commitments.csv", ["engagement", "period", "amount", "description"], self.commitments)
        files: dict[str, Any] = {"ledger": [], "time": [], "usage": []}
        for month, p in enumerate([*months_of(self.year), self.period(13)], start=1):
            for kind, rows, header in (
                (
                    "ledger",
                    self.ledger[month],
                    ["entry_id", "period", "account", "centre", "amount", "nd_vat", "engagement", "description"],
                ),
                ("time", self.time[month], ["person", "grade", "engagement", "date", "hours"]),
                ("usage", self.usage[month], ["member", "engagement", "service", "period", "quantity"]),
            ):
                path = folder / f"{kind}-{p}.csv"
                _write_csv(path, header, rows)
                files[kind].append(path)
        return files


def _write_csv(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


# The demo's engagement titles in the member's language (a member names its engagements itself).
_TITLES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), nl, fr)
    for pattern, nl, fr in (
        (r"Project (\d+): application for (.+)", r"Project \1: toepassing voor \2", r"Projet \1 : application pour \2"),
        (
            r"Secondment of ICT staff to (.+)",
            r"Detachering van ICT-personeel naar \1",
            r"Détachement de personnel ICT à \1",
        ),
        (
            r"Consultancy order (\d+) under framework agreement for (.+)",
            r"Consultancyopdracht \1 onder raamovereenkomst voor \2",
            r"Commande de consultance \1 sous accord-cadre pour \2",
        ),
        (r"Shared-cloud services for (.+)", r"Gedeelde clouddiensten voor \1", r"Services cloud partagés pour \1"),
        (r"IT service management for (.+)", r"IT-dienstbeheer voor \1", r"Gestion des services IT pour \1"),
    )
)


def in_language(title: str, language: str) -> str:
    """A demo engagement's title in Dutch or French for a member that reads it (English otherwise)."""
    for pattern, nl, fr in _TITLES:
        if language in ("nl", "fr") and pattern.fullmatch(title):
            return pattern.sub(nl if language == "nl" else fr, title)
    return title
