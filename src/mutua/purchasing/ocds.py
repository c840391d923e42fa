"""Publication in the Open Contracting Data Standard (OCDS 1.1): the agreements, their lots and
awards, and the call-offs, as release packages and the record packages compiled from them.

The mapping follows the standard's guidance on framework agreements
(https://standard.open-contracting.org/latest/en/guidance/map/framework_agreements/):

- an **agreement** is the first stage, one contracting process (``ocid`` = prefix + reference): a
  ``tender`` release (``tender.techniques.hasFrameworkAgreement`` true, its lots, CPV items, the
  ceiling as value, the term as ``contractPeriod`` with the renewals as ``maxExtentDate``), then an
  ``award`` release with **one award per supplier** (its lots in ``relatedLots``, its cascade rank in
  the description) and the tender complete (a closed framework);
- an **order** (call-off) is the second stage, a contracting process of its own (``ocid`` = prefix +
  order number) linked to its agreement by ``relatedProcesses`` (relationship ``framework``, scheme
  ``ocid``): an ``award`` + ``contract`` release when placed (``tender.competitive`` true under a
  mini-competition, false for a cascade's direct call-off; the member as buyer), a
  ``contractUpdate`` when invoiced (contract terminated) or cancelled.

Two extensions are declared (lots, techniques: the latter carries ``tender.competitive``).
Records are compiled with ocdsmerge on the standard's merge rules (:data:`MERGE_RULES`, taken from
the 1.1.5 release schema with both extensions; a test recomputes them from the schema), so no schema
is fetched at run time. Everything here is pure: records in, JSON-ready dictionaries out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from mutua.purchasing.domain import (
    Agreement,
    AgreementDocument,
    AwardRule,
    DocumentKind,
    Lot,
    LotKind,
    LotSupplier,
    Order,
    OrderStatus,
    Supplier,
)

OCDS_VERSION = "1.1"
EXTENSIONS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
)
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
CURRENCY = "EUR"
KBO_SCHEME = "BE-BCE_KBO"  # org-id.guide: Crossroads Bank for Enterprises (Belgium)

MERGE_RULES: dict[tuple[str, ...], str] = {
    ("id",): "omitWhenMerged",
    ("date",): "omitWhenMerged",
    ("tag",): "omitWhenMerged",
    ("parties", "additionalIdentifiers"): "wholeListMerge",
    ("parties", "roles"): "wholeListMerge",
    ("buyer", "additionalIdentifiers"): "wholeListMerge",
    ("planning", "documents", "relatedLots"): "wholeListMerge",
    ("planning", "milestones", "documents", "relatedLots"): "wholeListMerge",
    ("planning", "milestones", "relatedLots"): "wholeListMerge",
    ("tender", "procuringEntity", "additionalIdentifiers"): "wholeListMerge",
    ("tender", "items", "additionalClassifications"): "wholeListMerge",
    ("tender", "additionalProcurementCategories"): "wholeListMerge",
    ("tender", "submissionMethod"): "wholeListMerge",
    ("tender", "tenderers", "additionalIdentifiers"): "wholeListMerge",
    ("tender", "documents", "relatedLots"): "wholeListMerge",
    ("tender", "milestones", "documents", "relatedLots"): "wholeListMerge",
    ("tender", "milestones", "relatedLots"): "wholeListMerge",
    ("tender", "amendments", "changes"): "wholeListMerge",
    ("tender", "amendment", "changes"): "wholeListMerge",
    ("tender", "lotGroups", "relatedLots"): "wholeListMerge",
    ("awards", "suppliers", "additionalIdentifiers"): "wholeListMerge",
    ("awards", "items", "additionalClassifications"): "wholeListMerge",
    ("awards", "documents", "relatedLots"): "wholeListMerge",
    ("awards", "amendments", "changes"): "wholeListMerge",
    ("awards", "amendment", "changes"): "wholeListMerge",
    ("awards", "relatedLots"): "wholeListMerge",
    ("contracts", "items", "additionalClassifications"): "wholeListMerge",
    ("contracts", "documents", "relatedLots"): "wholeListMerge",
    ("contracts", "implementation", "transactions", "payer", "additionalIdentifiers"): "wholeListMerge",
    ("contracts", "implementation", "transactions", "payee", "additionalIdentifiers"): "wholeListMerge",
    ("contracts", "implementation", "milestones", "documents", "relatedLots"): "wholeListMerge",
    ("contracts", "implementation", "milestones", "relatedLots"): "wholeListMerge",
    ("contracts", "implementation", "documents", "relatedLots"): "wholeListMerge",
    ("contracts", "relatedProcesses", "relationship"): "wholeListMerge",
    ("contracts", "milestones", "documents", "relatedLots"): "wholeListMerge",
    ("contracts", "milestones", "relatedLots"): "wholeListMerge",
    ("contracts", "amendments", "changes"): "wholeListMerge",
    ("contracts", "amendment", "changes"): "wholeListMerge",
    ("relatedProcesses", "relationship"): "wholeListMerge",
}
"""ocdsmerge's rules for OCDS 1.1.5 patched by the lots and techniques extensions (lots adds its
``relatedLots`` lists)."""

_DOCUMENT_TYPES = {
    DocumentKind.SPECIFICATION: "biddingDocuments",
    DocumentKind.AWARD_DECISION: "awardNotice",
}


@dataclass(frozen=True)
class Party:
    """An organisation as published: the association, a member (buyer) or a supplier."""

    name: str
    enterprise_number: str | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "BE"
    local_id: str = ""  # when there is no enterprise number (a foreign supplier): ``supplier-CODE``

    @property
    def id(self) -> str:
        if self.enterprise_number:
            return f"{KBO_SCHEME}-{self.enterprise_number}"
        return self.local_id or self.name

    def as_ocds(self, roles: Iterable[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.enterprise_number:
            out["identifier"] = {"scheme": KBO_SCHEME, "id": self.enterprise_number, "legalName": self.name}
        address = {
            k: v
            for k, v in (
                ("streetAddress", self.street),
                ("locality", self.city),
                ("postalCode", self.postcode),
                ("countryName", self.country),
            )
            if v
        }
        if address:
            out["address"] = address
        out["roles"] = sorted(set(roles))
        return out

    def reference(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Publication:
    """What is published: the association's agreements with their lots, suppliers and documents,
    and the orders placed under them.

    Attributes:
        prefix: the association's OCID prefix (``ocds-`` and six characters, registered with the
            Open Contracting Partnership).
        publisher: the association (procuring entity of every agreement, publisher of the data).
        published: when the packages are published.
        base_uri: where the packages are published (their ``uri`` is this + the file's name).
        agreements, lots, lot_suppliers, suppliers, orders, documents: the records.
        members: the ordering members by enterprise number (their name; the buyers of call-offs).
    """

    prefix: str
    publisher: Party
    published: datetime
    base_uri: str
    agreements: Sequence[Agreement]
    lots: Sequence[Lot]
    lot_suppliers: Sequence[LotSupplier]
    suppliers: Sequence[Supplier]
    orders: Sequence[Order] = ()
    documents: Sequence[AgreementDocument] = ()
    members: Mapping[str, str] = field(default_factory=dict)

    def ocid(self, identifier: str) -> str:
        return f"{self.prefix}-{identifier}"


def _amount(value: Decimal) -> float | int:
    """An amount as a JSON number: exact for cents (shortest round-trip of a float)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _value(amount: Decimal) -> dict[str, Any]:
    return {"amount": _amount(amount), "currency": CURRENCY}


def _stamp(day: date, seconds: int = 0) -> str:
    """A release date: the day at midnight UTC (plus ``seconds`` to order releases of one day)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{day.isoformat()}T{hours:02d}:{minutes:02d}:{secs:02d}Z"


def _supplier_party(supplier: Supplier) -> Party:
    return Party(
        name=supplier.name,
        enterprise_number=supplier.enterprise_number,
        street=supplier.street,
        postcode=supplier.postcode,
        city=supplier.city,
        country=supplier.country,
        local_id=f"supplier-{supplier.code}",
    )


def _method(rules: Iterable[AwardRule]) -> str:
    found = set(rules)
    if found == {AwardRule.CASCADE}:
        return AwardRule.CASCADE.ocds_method
    if found == {AwardRule.MINI_COMPETITION}:
        return AwardRule.MINI_COMPETITION.ocds_method
    return "withAndWithoutReopeningCompetition"


def _category(kinds: Iterable[LotKind]) -> str:
    return "goods" if set(kinds) <= {LotKind.GOODS} else "services"


def _cpv_items(codes: Sequence[str], prefix: str, lot: int | None = None) -> list[dict[str, Any]]:
    items = []
    for i, code in enumerate(codes, start=1):
        item: dict[str, Any] = {
            "id": f"{prefix}{i}",
            "description": f"CPV {code}",
            "classification": {"scheme": "CPV", "id": code},
        }
        if lot is not None:
            item["relatedLot"] = str(lot)
        items.append(item)
    return items


def _lot(lot: Lot, agreement: Agreement) -> dict[str, Any]:
    return {
        "id": str(lot.number),
        "title": lot.title_nl,
        "title_fr": lot.title_fr,
        "status": "active",
        "value": _value(lot.ceiling),
        "contractPeriod": {"startDate": _stamp(agreement.starts_on), "endDate": _stamp(agreement.term_end)},
        "techniques": {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {"method": lot.award_rule.ocds_method},
        },
    }


def _agreement_tender(p: Publication, agreement: Agreement, lots: Sequence[Lot]) -> dict[str, Any]:
    items = _cpv_items(agreement.cpv, "A")
    for lot in lots:
        items += _cpv_items(lot.cpv, f"L{lot.number}-", lot.number)
    documents = [
        {
            "id": d.sha256[:16],
            "documentType": _DOCUMENT_TYPES[d.kind],
            "title": d.title or d.filename,
            "description": f"SHA-256 {d.sha256}",
            "format": d.media_type,
        }
        for d in p.documents
        if d.agreement == agreement.reference and d.member is None and d.kind in _DOCUMENT_TYPES
    ]
    tender: dict[str, Any] = {
        "id": agreement.reference,
        "title": agreement.title_nl,
        "title_fr": agreement.title_fr,
        "status": "active",
        "procuringEntity": p.publisher.reference(),
        "procurementMethod": agreement.procedure.ocds_method,
        "procurementMethodDetails": agreement.procedure.value,
        "mainProcurementCategory": _category(lot.kind for lot in lots),
        "value": _value(agreement.ceiling),
        "contractPeriod": {
            "startDate": _stamp(agreement.starts_on),
            "endDate": _stamp(agreement.term_end),
            "maxExtentDate": _stamp(agreement.last_possible_end),
        },
        "techniques": {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {
                "method": _method(lot.award_rule for lot in lots),
                "buyerCategories": agreement.clause.describe(),
            },
        },
        "items": items,
        "lots": [_lot(lot, agreement) for lot in lots],
    }
    if agreement.description:
        tender["description"] = agreement.description
    if documents:
        tender["documents"] = documents
    return tender


def _release(
    p: Publication, ocid: str, suffix: str, when: str, tags: list[str], body: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "ocid": ocid,
        "id": f"{ocid}-{suffix}",
        "date": when,
        "tag": tags,
        "initiationType": "tender",
        "language": "nl",  # the titles; their French is in the ``_fr`` language variants
        **body,
    }


def agreement_releases(p: Publication, agreement: Agreement) -> list[dict[str, Any]]:
    """The first stage: the tender release, then the award release (one award per supplier)."""
    ocid = p.ocid(agreement.reference)
    lots = sorted((x for x in p.lots if x.agreement == agreement.reference), key=lambda x: x.number)
    tender = _agreement_tender(p, agreement, lots)
    entity = p.publisher.as_ocds(["procuringEntity"])
    releases = [
        _release(p, ocid, "tender", _stamp(agreement.award_date), ["tender"], {"parties": [entity], "tender": tender})
    ]
    suppliers = {s.code: s for s in p.suppliers}
    by_supplier: dict[str, list[LotSupplier]] = {}
    for ls in p.lot_suppliers:
        if ls.agreement == agreement.reference:
            by_supplier.setdefault(ls.supplier, []).append(ls)
    awards = []
    parties = [entity]
    for code in sorted(by_supplier):
        party = _supplier_party(suppliers[code])
        parties.append(party.as_ocds(["supplier"]))
        places = sorted(by_supplier[code], key=lambda x: x.lot)
        awards.append(
            {
                "id": f"{agreement.reference}-{code}",
                "title": f"{agreement.reference}: {party.name}",
                "description": "; ".join(
                    f"lot {x.lot}: " + (f"cascade rank {x.rank}" if x.rank is not None else "mini-competition")
                    for x in places
                ),
                "status": "active",
                "date": _stamp(agreement.award_date),
                "suppliers": [party.reference()],
                "relatedLots": [str(x.lot) for x in places],
                "contractPeriod": {"startDate": _stamp(agreement.starts_on), "endDate": _stamp(agreement.term_end)},
            }
        )
    if awards:
        releases.append(
            _release(
                p,
                ocid,
                "award",
                _stamp(agreement.award_date, 1),
                ["award"],
                {"parties": parties, "tender": {"id": agreement.reference, "status": "complete"}, "awards": awards},
            )
        )
    return releases


def _line_items(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "id": str(line.line),
            "description": line.description or line.code,
            "quantity": _amount(line.quantity),
            "unit": {
                "scheme": "UNCEFACT",
                "id": line.unit,
                "name": line.unit,
                "value": _value(line.unit_price),
            },
            "relatedLot": str(order.lot),
        }
        for line in order.lines
    ]


def _published_orders(p: Publication, agreement: Agreement) -> list[Order]:
    """The call-offs of an agreement that were placed with a supplier (drafts, and orders cancelled
    before they were placed, are not contracting processes)."""
    return sorted(
        (o for o in p.orders if o.agreement == agreement.reference and o.placed_on is not None),
        key=lambda o: o.number,
    )


def call_off_releases(p: Publication, agreement: Agreement, order: Order) -> list[dict[str, Any]]:
    """A call-off (second stage) as its own contracting process, related to its agreement."""
    assert order.placed_on is not None
    ocid = p.ocid(order.number)
    lot = next(x for x in p.lots if x.agreement == order.agreement and x.number == order.lot)
    supplier = _supplier_party(next(s for s in p.suppliers if s.code == order.supplier))
    buyer = Party(name=p.members.get(order.member, order.member), enterprise_number=order.member)
    competitive = lot.award_rule is AwardRule.MINI_COMPETITION
    related = [
        {
            "id": "1",
            "relationship": ["framework"],
            "title": agreement.title_nl,
            "scheme": "ocid",
            "identifier": p.ocid(agreement.reference),
        }
    ]
    buyer_roles = ["buyer"]
    entity = buyer
    if order.channel.value == "association":
        entity = p.publisher
    parties = {buyer.id: buyer.as_ocds(buyer_roles), supplier.id: supplier.as_ocds(["supplier"])}
    if entity is p.publisher:
        parties[p.publisher.id] = p.publisher.as_ocds(["procuringEntity"])
    else:
        parties[buyer.id] = buyer.as_ocds([*buyer_roles, "procuringEntity"])
    items = _line_items(order)
    tender: dict[str, Any] = {
        "id": order.number,
        "status": "complete",
        "competitive": competitive,
        "procuringEntity": entity.reference(),
    }
    if competitive:
        tender["procurementMethod"] = agreement.procedure.ocds_method
    contract: dict[str, Any] = {
        "id": order.number,
        "awardID": order.number,
        "title": f"{agreement.reference} lot {order.lot}",
        "status": "active",
        "value": _value(order.value),
        "items": items,
        "dateSigned": _stamp(order.placed_on),
    }
    body = {
        "parties": list(parties.values()),
        "buyer": buyer.reference(),
        "tender": tender,
        "awards": [
            {
                "id": order.number,
                "status": "active",
                "date": _stamp(order.placed_on),
                "value": _value(order.value),
                "suppliers": [supplier.reference()],
                "items": items,
                "relatedLots": [str(order.lot)],
            }
        ],
        "contracts": [contract],
        "relatedProcesses": related,
    }
    releases = [_release(p, ocid, "placed", _stamp(order.placed_on), ["award", "contract"], body)]
    end: tuple[str, date, str] | None = None
    if order.status is OrderStatus.CANCELLED and order.cancelled_on is not None:
        end = ("cancelled", order.cancelled_on, "cancelled")
    elif order.status is OrderStatus.INVOICED and order.invoiced_on is not None:
        end = ("invoiced", order.invoiced_on, "terminated")
    if end is not None:
        suffix, day, status = end
        releases.append(
            _release(
                p,
                ocid,
                suffix,
                _stamp(day, 1 if day == order.placed_on else 0),
                ["contractUpdate"],
                {"contracts": [{"id": order.number, "awardID": order.number, "status": status}]},
            )
        )
    return releases


def _package_meta(p: Publication, name: str) -> dict[str, Any]:
    return {
        "uri": f"{p.base_uri.rstrip('/')}/{name}",
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": p.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "publisher": {"name": p.publisher.name, "scheme": KBO_SCHEME, "uid": p.publisher.enterprise_number or ""},
        "license": LICENSE,
        "publicationPolicy": f"{p.base_uri.rstrip('/')}/publication-policy",
    }


def release_package(p: Publication, agreement: Agreement) -> dict[str, Any]:
    """One agreement's release package: its first stage and every call-off's releases."""
    releases = agreement_releases(p, agreement)
    for order in _published_orders(p, agreement):
        releases += call_off_releases(p, agreement, order)
    return {**_package_meta(p, f"{agreement.reference}-releases.json"), "releases": releases}


def compile_records(releases: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per ``ocid``: its releases and the compiled release (ocdsmerge, the standard's
    merge rules), in the order of first appearance."""
    from ocdsmerge import Merger

    merger = Merger(merge_rules=MERGE_RULES)
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for release in releases:
        by_ocid.setdefault(str(release["ocid"]), []).append(dict(release))
    return [
        {"ocid": ocid, "releases": group, "compiledRelease": merger.create_compiled_release(group)}
        for ocid, group in by_ocid.items()
    ]


def record_package(p: Publication, agreement: Agreement, releases: Mapping[str, Any]) -> dict[str, Any]:
    """One agreement's record package, compiled from its release package."""
    meta = _package_meta(p, f"{agreement.reference}-records.json")
    return {**meta, "packages": [releases["uri"]], "records": compile_records(releases["releases"])}


def packages(p: Publication) -> dict[str, dict[str, Any]]:
    """Every file of the publication by name: per agreement ``<reference>-releases.json`` and
    ``<reference>-records.json``."""
    out: dict[str, dict[str, Any]] = {}
    for agreement in sorted(p.agreements, key=lambda a: a.reference):
        releases = release_package(p, agreement)
        out[f"{agreement.reference}-releases.json"] = releases
        out[f"{agreement.reference}-records.json"] = record_package(p, agreement, releases)
    return out
