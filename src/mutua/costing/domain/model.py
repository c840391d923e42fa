"""The cost model: cost centres, which ledger accounts feed them, allocation keys, services, tariffs
and meters. A controller edits it as a file; :func:`build_cost_model` turns its plain data (as
parsed from YAML) into immutable records, returning every problem it finds with the field path.

The records and the reading of each part live with their concept (:mod:`.centres`,
:mod:`.catalogue`, :mod:`.meters`, :mod:`.association`); this module holds the aggregate, the
build that ties the parts together, and the model's plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mutua.costing.domain.association import Association, read_association
from mutua.costing.domain.catalogue import Service, Tariff, read_services, read_tariffs, tariff_to_data
from mutua.costing.domain.centres import (
    AccountRule,
    Centre,
    KeyBasis,
    SupportMethod,
    read_accounts,
    read_centres,
    read_support_allocation,
)
from mutua.costing.domain.ledgerformat import LedgerFormat, ledger_format_to_data, read_ledger_format
from mutua.costing.domain.meters import Meter, read_meters
from mutua.costing.domain.reading import Reader
from mutua.costing.domain.vat import CommissionVat, commission_vat_to_data, read_commission_vat
from mutua.kernel.problems import Problem


@dataclass(frozen=True, slots=True)
class CostModel:
    """The whole cost model, as one immutable value.

    Attributes:
        name: a title.
        version: the controller's version label.
        association: the association's identity.
        support_method: direct, step-down or reciprocal.
        step_down_order: the support centres in step-down order.
        centres, accounts, services, tariffs, meters: the records of :mod:`.centres`, :mod:`.catalogue`
            and :mod:`.meters`.
        ledger_format: how the ledger's files are written (:mod:`.ledgerformat`), if not the default.
        commissions: the VAT of the commissions the suppliers pay (:mod:`.vat`; S at 21 % unless
            the file's ``commissions`` rule says otherwise).
    """

    name: str
    version: str
    association: Association
    support_method: SupportMethod
    step_down_order: tuple[str, ...]
    centres: tuple[Centre, ...]
    accounts: tuple[AccountRule, ...]
    services: tuple[Service, ...]
    tariffs: tuple[Tariff, ...]
    meters: tuple[Meter, ...] = ()
    ledger_format: LedgerFormat | None = None
    commissions: CommissionVat = field(default_factory=CommissionVat)
    _centre_index: dict[str, Centre] = field(default_factory=dict, compare=False, repr=False)
    _service_index: dict[str, Service] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._centre_index.update({c.code: c for c in self.centres})
        self._service_index.update({s.code: s for s in self.services})

    def centre(self, code: str) -> Centre | None:
        return self._centre_index.get(code)

    def service(self, code: str) -> Service | None:
        return self._service_index.get(code)

    @property
    def support_centres(self) -> tuple[Centre, ...]:
        return tuple(c for c in self.centres if not c.is_final)

    @property
    def final_centres(self) -> tuple[Centre, ...]:
        return tuple(c for c in self.centres if c.is_final)

    def services_of(self, centre: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.centre == centre)

    def tariff(self, year: int, service: str) -> Tariff | None:
        for t in self.tariffs:
            if t.year == year and t.service == service:
                return t
        return None

    def account_rule(self, account: str) -> AccountRule | None:
        """The rule with the longest prefix of ``account``, or None if the account is unknown."""
        best: AccountRule | None = None
        for rule in self.accounts:
            if account.startswith(rule.prefix) and (best is None or len(rule.prefix) > len(best.prefix)):
                best = rule
        return best

    def glossary(self, language: str) -> dict[str, str]:
        """What the model names in English (services, centres, accounts, units) in ``language``:
        ``{plain text: translation}`` for every name the file gives in that language."""
        found: dict[str, str] = {}
        named: tuple[Centre | AccountRule | Service, ...] = (*self.centres, *self.accounts, *self.services)
        for record in named:
            if record.names:
                found.setdefault(record.name, record.name_in(language))
        for s in self.services:
            if s.units:
                found.setdefault(s.unit, s.unit_in(language))
        return found

    def meter(self, code: str) -> Meter | None:
        for m in self.meters:
            if m.code == code:
                return m
        return None


def build_cost_model(data: Any, source: str = "cost model") -> tuple[CostModel | None, list[Problem]]:
    """Turn parsed data into a :class:`CostModel`, or return the problems that prevent it.

    Every problem is reported with its field path (``centres[2].kind``); the caller maps paths to
    lines. The model is returned only when there is no problem at all.
    """
    r = Reader(source)
    root = r.mapping(data, "(top)")
    if root is None:
        return None, r.problems
    r.unknown_keys(
        root,
        (
            "name",
            "version",
            "association",
            "support_allocation",
            "centres",
            "accounts",
            "services",
            "tariffs",
            "meters",
            "ledger_format",
            "commissions",
        ),
        "",
    )
    name = r.text(root, "name", "") or ""
    version = r.text(root, "version", "") or ""
    association = read_association(r, root.get("association"))
    centres = read_centres(r, root.get("centres"))
    centre_codes = {c.code: c for c in centres}
    support_method, order = read_support_allocation(r, root.get("support_allocation"), centre_codes)
    accounts = read_accounts(r, root.get("accounts"), centre_codes)
    services = read_services(r, root.get("services"), centre_codes)
    service_codes = {s.code: s for s in services}
    tariffs = read_tariffs(r, root.get("tariffs"), service_codes)
    meters = read_meters(r, root.get("meters"), service_codes)
    ledger_format = read_ledger_format(r, root.get("ledger_format"))
    commissions = read_commission_vat(r, root.get("commissions"))
    _check_final_centres_have_services(r, centres, services)
    if r.problems or association is None or support_method is None:
        return None, r.problems
    return (
        CostModel(
            name=name,
            version=version,
            association=association,
            support_method=support_method,
            step_down_order=order,
            centres=tuple(centres),
            accounts=tuple(accounts),
            services=tuple(services),
            tariffs=tuple(tariffs),
            meters=tuple(meters),
            ledger_format=ledger_format,
            commissions=commissions,
        ),
        [],
    )


def _check_final_centres_have_services(r: Reader, centres: list[Centre], services: list[Service]) -> None:
    with_service = {s.centre for s in services}
    for i, c in enumerate(centres):
        if c.is_final and c.code not in with_service and services:
            r.fail(f"centres[{i}]", f"final centre {c.code!r} has no service to recover its cost through")


def cost_model_to_data(model: CostModel) -> dict[str, Any]:
    """The plain data of a model, as :func:`build_cost_model` reads it (amounts as text)."""
    a = model.association
    data: dict[str, Any] = {
        "name": model.name,
        "version": model.version,
        "association": {
            "name": a.name,
            "enterprise_number": a.enterprise_number,
            "iban": a.iban,
            "bic": a.bic,
            "street": a.street,
            "city": a.city,
            "postal_code": a.postal_code,
            "country": a.country,
            "payment_days": a.payment_days,
        },
        "support_allocation": {"method": model.support_method.value},
        "centres": [],
        "accounts": [],
        "services": [],
        "tariffs": [],
    }
    if model.support_method is SupportMethod.STEP_DOWN:
        data["support_allocation"]["order"] = list(model.step_down_order)
    for c in model.centres:
        item: dict[str, Any] = {"code": c.code, "name": c.name, "kind": c.kind.value}
        if c.names:
            item["names"] = dict(c.names)
        if c.key is not None:
            key: dict[str, Any] = {"basis": c.key.basis.value}
            if c.key.basis is KeyBasis.WEIGHTS:
                key["weights"] = {t: str(w) for t, w in c.key.weights}
            item["key"] = key
        data["centres"].append(item)
    for rule in model.accounts:
        acc: dict[str, Any] = {"prefix": rule.prefix, "name": rule.name}
        if rule.centre:
            acc["centre"] = rule.centre
        if rule.names:
            acc["names"] = dict(rule.names)
        data["accounts"].append(acc)
    for s in model.services:
        service: dict[str, Any] = {
            "code": s.code,
            "name": s.name,
            "centre": s.centre,
            "activity": s.activity.value,
            "charging": s.charging.value,
            "unit": s.unit,
            "unit_code": s.unit_code,
        }
        if s.names:
            service["names"] = dict(s.names)
        if s.units:
            service["units"] = dict(s.units)
        data["services"].append(service)
    data["tariffs"] = [tariff_to_data(t) for t in model.tariffs]
    if model.meters:
        data["meters"] = []
        for mt in model.meters:
            met: dict[str, Any] = {
                "code": mt.code,
                "event_type": mt.event_type,
                "aggregation": mt.aggregation.value,
                "service": mt.service,
            }
            if mt.value_property:
                met["value_property"] = mt.value_property
            if mt.group_by:
                met["group_by"] = list(mt.group_by)
            if mt.multiply_by != 1:
                met["multiply_by"] = str(mt.multiply_by)
            if mt.divide_by != 1:
                met["divide_by"] = str(mt.divide_by)
            if mt.filters:
                met["filter"] = {prop: list(values) for prop, values in mt.filters}
            if mt.rounding.value != "round":
                met["rounding"] = mt.rounding.value
            if mt.decimals != 6:
                met["decimals"] = mt.decimals
            for flag in ("recurring", "increments", "corrections"):
                if getattr(mt, flag):
                    met[flag] = True
            if mt.operation_property:
                met["operation_property"] = mt.operation_property
            data["meters"].append(met)
    if model.ledger_format is not None:
        data["ledger_format"] = ledger_format_to_data(model.ledger_format)
    if model.commissions != CommissionVat():
        data["commissions"] = commission_vat_to_data(model.commissions)
    return data
