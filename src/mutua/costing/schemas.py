"""Response shapes of the costing API, for its OpenAPI schema. Amounts are strings (exact decimals)."""

from __future__ import annotations

from pydantic import BaseModel

from mutua.costing.domain.catalogue import Service
from mutua.costing.service import TariffLine
from mutua.platform.web.paging import Page

Amount = str


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


class ServiceOut(BaseModel):
    service: str
    name: str
    centre: str
    activity: str
    charging: str
    unit: str
    unit_code: str

    @classmethod
    def of(cls, s: Service) -> ServiceOut:
        return cls(
            service=s.code,
            name=s.name,
            centre=s.centre,
            activity=s.activity.value,
            charging=s.charging.value,
            unit=s.unit,
            unit_code=s.unit_code,
        )


class Grade(BaseModel):
    grade: str
    rate: Amount


class TariffOut(BaseModel):
    service: str
    name: str
    charging: str
    unit: str
    year: int
    price: Amount | None
    markup: str | None
    annual: Amount | None
    grades: list[Grade]

    @classmethod
    def of(cls, t: TariffLine) -> TariffOut:
        return cls(
            service=t.service,
            name=t.name,
            charging=t.charging.value,
            unit=t.unit,
            year=t.year,
            price=_text(t.price),
            markup=_text(t.markup),
            annual=_text(t.annual),
            grades=[Grade(grade=g.grade, rate=str(g.rate)) for g in t.grades],
        )


class ServicePage(Page[ServiceOut]):
    """A page of the service catalogue."""


class TariffPage(Page[TariffOut]):
    """A page of tariffs."""
