"""The OCDS publication of framework agreements: the pattern of the standard's guidance (first stage
with hasFrameworkAgreement, lots, one award per supplier; each call-off its own process related by
'framework'), records compiled from the releases, and every package valid for libcoveocds."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import json_merge_patch
from ocdsmerge.merge import get_merge_rules

from mutua.purchasing import ocds
from mutua.purchasing.domain import (
    Agreement,
    AgreementDocument,
    AwardRule,
    Channel,
    DocumentKind,
    Lot,
    LotKind,
    LotSupplier,
    Order,
    OrderLine,
    OrderStatus,
    Procedure,
    PurchasingClause,
    Region,
    Supplier,
)
from tests.ocds_check import EXTENSIONS_DIR, STANDARD_ZIP, problems

GENT = "0207451227"
LEUVEN = "0207521608"
LAPTOPS = Agreement(
    "CSMART-2024-LAPTOPS",
    "Laptops en docking stations",
    "Ordinateurs portables et stations d'accueil",
    Procedure.OPEN,
    award_date=date(2024, 2, 1),
    starts_on=date(2024, 3, 1),
    ends_on=date(2026, 2, 28),
    ceiling=Decimal("5000000.00"),
    cpv=("30213100",),
    clause=PurchasingClause(categories=("A",), regions=(Region.FLEMISH,)),
    renewals=2,
    renewed=1,
    commission_rate=Decimal("0.015"),
)
CONSULTANCY = Agreement(
    "CSMART-2023-ICT",
    "ICT-consultancy",
    "Consultance TIC",
    Procedure.COMPETITIVE_NEGOTIATION,
    award_date=date(2023, 6, 1),
    starts_on=date(2023, 7, 1),
    ends_on=date(2027, 6, 30),
    ceiling=Decimal("12000000.00"),
    cpv=("72000000",),
    clause=PurchasingClause(bodies=(GENT,)),
)
LOTS = (
    Lot(LAPTOPS.reference, 1, "Standaard", "Standard", Decimal("3000000.00"), ("30213100",)),
    Lot(LAPTOPS.reference, 2, "Zwaar", "Lourd", Decimal("2000000.00"), award_rule=AwardRule.MINI_COMPETITION),
    Lot(CONSULTANCY.reference, 1, "Analisten", "Analystes", Decimal("12000000.00"), kind=LotKind.CONSULTANCY),
)
SUPPLIERS = (
    Supplier("ECON", "Econocom Products & Solutions NV", "0422646816", street="Leonardo da Vincilaan 3"),
    Supplier("DELL", "Dell BV", None, country="NL"),
    Supplier("CRONOS", "The Cronos Group NV", "0467373659"),
)
LOT_SUPPLIERS = (
    LotSupplier(LAPTOPS.reference, 1, "ECON", 1),
    LotSupplier(LAPTOPS.reference, 1, "DELL", 2),
    LotSupplier(LAPTOPS.reference, 2, "DELL"),
    LotSupplier(LAPTOPS.reference, 2, "ECON"),
    LotSupplier(CONSULTANCY.reference, 1, "CRONOS", 1),
)


def _line(quantity: str, price: str) -> OrderLine:
    amount = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
    return OrderLine(1, 7, "LAP-14", "Laptop 14 inch", "C62", Decimal(quantity), Decimal(price), amount)


ORDERS = (
    Order(  # placed and invoiced: a finished direct call-off
        "PO-2024-000001",
        GENT,
        LAPTOPS.reference,
        1,
        "ECON",
        OrderStatus.INVOICED,
        Channel.DIRECT,
        date(2024, 4, 1),
        (_line("3", "799.99"),),
        approved_on=date(2024, 4, 1),
        placed_on=date(2024, 4, 2),
        delivered_on=date(2024, 4, 20),
        invoiced_on=date(2024, 5, 2),
    ),
    Order(  # a mini-competition, through the association
        "PO-2024-000002",
        LEUVEN,
        LAPTOPS.reference,
        2,
        "DELL",
        OrderStatus.PLACED,
        Channel.ASSOCIATION,
        date(2024, 5, 1),
        (_line("10", "1499.50"),),
        approved_on=date(2024, 5, 1),
        placed_on=date(2024, 5, 3),
    ),
    Order(  # a draft: no contracting process yet
        "PO-2024-000003",
        GENT,
        LAPTOPS.reference,
        1,
        "ECON",
        OrderStatus.DRAFT,
        Channel.DIRECT,
        date(2024, 6, 1),
        (_line("1", "799.99"),),
    ),
    Order(  # cancelled after it was placed
        "PO-2024-000004",
        GENT,
        CONSULTANCY.reference,
        1,
        "CRONOS",
        OrderStatus.CANCELLED,
        Channel.DIRECT,
        date(2024, 6, 1),
        (OrderLine(1, 9, "ANA-S", "Senior analyst", "DAY", Decimal("20"), Decimal("812.40"), Decimal("16248.00")),),
        engagement="GENT-ERP",
        approved_on=date(2024, 6, 1),
        placed_on=date(2024, 6, 3),
        cancelled_on=date(2024, 6, 10),
    ),
)
SPEC = AgreementDocument(
    LAPTOPS.reference, DocumentKind.SPECIFICATION, "bestek.pdf", "application/pdf", "ab" * 32, 1234, title="Bestek"
)
PUBLICATION = ocds.Publication(
    prefix="ocds-mutua0",
    publisher=ocds.Party("C-smart vzw", "0456789073", city="Gent"),
    published=datetime(2024, 7, 1, 8, 0, tzinfo=UTC),
    base_uri="https://aankoop.example.be/ocds/",
    agreements=(LAPTOPS, CONSULTANCY),
    lots=LOTS,
    lot_suppliers=LOT_SUPPLIERS,
    suppliers=SUPPLIERS,
    orders=ORDERS,
    documents=(SPEC,),
    members={GENT: "Stad Gent", LEUVEN: "Stad Leuven"},
)


def _releases(package: dict[str, Any], ocid: str) -> list[dict[str, Any]]:
    return [r for r in package["releases"] if r["ocid"] == ocid]


def test_every_package_passes_libcoveocds_with_its_extensions_and_no_additional_field(shared_dir: Path) -> None:
    files = ocds.packages(PUBLICATION)
    assert sorted(files) == [
        "CSMART-2023-ICT-records.json",
        "CSMART-2023-ICT-releases.json",
        "CSMART-2024-LAPTOPS-records.json",
        "CSMART-2024-LAPTOPS-releases.json",
    ]
    for name, package in files.items():
        assert problems(package, shared_dir) == [], name


def test_the_checker_does_report_a_broken_package(shared_dir: Path) -> None:
    package = json.loads(json.dumps(ocds.packages(PUBLICATION)["CSMART-2024-LAPTOPS-releases.json"]))
    package["releases"][0]["tender"]["procurementMethod"] = "by lottery"  # a closed codelist
    package["releases"][0]["tender"]["lots"][0]["colour"] = "blue"  # in no schema
    found = problems(package, shared_dir)
    assert any("procurementMethod" in p for p in found), found
    assert any("colour" in p for p in found), found


def test_an_agreement_is_a_first_stage_with_lots_and_one_award_per_supplier() -> None:
    package = ocds.release_package(PUBLICATION, LAPTOPS)
    tender_release, award_release = _releases(package, "ocds-mutua0-CSMART-2024-LAPTOPS")
    tender = tender_release["tender"]
    assert tender_release["tag"] == ["tender"]
    assert tender["techniques"]["hasFrameworkAgreement"] is True
    assert tender["techniques"]["frameworkAgreement"]["method"] == "withAndWithoutReopeningCompetition"
    assert tender["procurementMethod"] == "open"
    assert tender["value"] == {"amount": 5000000, "currency": "EUR"}
    assert [lot["id"] for lot in tender["lots"]] == ["1", "2"]
    assert [lot["techniques"]["frameworkAgreement"]["method"] for lot in tender["lots"]] == [
        "withoutReopeningCompetition",
        "withReopeningCompetition",
    ]
    # the term as renewed once, and as far as the renewals allow
    assert tender["contractPeriod"]["endDate"] == "2027-02-28T00:00:00Z"
    assert tender["contractPeriod"]["maxExtentDate"] == "2028-02-28T00:00:00Z"
    assert tender["documents"][0]["description"] == "SHA-256 " + "ab" * 32
    assert award_release["tag"] == ["award"]
    awards = {a["suppliers"][0]["name"]: a for a in award_release["awards"]}
    assert set(awards) == {"Dell BV", "Econocom Products & Solutions NV"}
    assert awards["Dell BV"]["relatedLots"] == ["1", "2"]
    assert awards["Dell BV"]["description"] == "lot 1: cascade rank 2; lot 2: mini-competition"
    supplier_ids = {p["id"] for p in award_release["parties"] if "supplier" in p["roles"]}
    assert supplier_ids == {"BE-BCE_KBO-0422646816", "supplier-DELL"}


def test_each_placed_call_off_is_its_own_process_related_to_its_agreement_by_framework() -> None:
    package = ocds.release_package(PUBLICATION, LAPTOPS)
    ocids = {r["ocid"] for r in package["releases"]}
    assert ocids == {
        "ocds-mutua0-CSMART-2024-LAPTOPS",
        "ocds-mutua0-PO-2024-000001",
        "ocds-mutua0-PO-2024-000002",
    }  # the draft is not published
    direct, invoiced = _releases(package, "ocds-mutua0-PO-2024-000001")
    assert direct["tag"] == ["award", "contract"]
    assert direct["relatedProcesses"] == [
        {
            "id": "1",
            "relationship": ["framework"],
            "title": LAPTOPS.title_nl,
            "scheme": "ocid",
            "identifier": "ocds-mutua0-CSMART-2024-LAPTOPS",
        }
    ]
    assert direct["tender"]["competitive"] is False
    assert direct["buyer"] == {"id": f"BE-BCE_KBO-{GENT}", "name": "Stad Gent"}
    assert direct["awards"][0]["value"] == {"amount": 2399.97, "currency": "EUR"}
    assert direct["contracts"][0]["awardID"] == direct["awards"][0]["id"]
    assert invoiced["tag"] == ["contractUpdate"]
    (mini,) = _releases(package, "ocds-mutua0-PO-2024-000002")
    assert mini["tender"]["competitive"] is True
    assert mini["tender"]["procuringEntity"]["name"] == "C-smart vzw"  # ordered through the association


def test_records_are_compiled_from_the_releases_with_the_latest_contract_status() -> None:
    consultancy = ocds.packages(PUBLICATION)["CSMART-2023-ICT-records.json"]
    assert consultancy["packages"] == ["https://aankoop.example.be/ocds/CSMART-2023-ICT-releases.json"]
    records = {r["ocid"]: r for r in consultancy["records"]}
    cancelled = records["ocds-mutua0-PO-2024-000004"]
    assert [r["tag"] for r in cancelled["releases"]] == [["award", "contract"], ["contractUpdate"]]
    compiled = cancelled["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["contracts"][0]["status"] == "cancelled"
    assert compiled["contracts"][0]["value"] == {"amount": 16248, "currency": "EUR"}  # kept from the first
    assert compiled["relatedProcesses"][0]["identifier"] == "ocds-mutua0-CSMART-2023-ICT"
    first = records["ocds-mutua0-CSMART-2023-ICT"]["compiledRelease"]
    assert first["tender"]["status"] == "complete"  # the award release's, over the tender release's
    assert first["tender"]["lots"][0]["title"] == "Analisten"  # kept from the tender release


def test_the_merge_rules_are_those_of_the_standard_and_the_declared_extensions(shared_dir: Path) -> None:
    with zipfile.ZipFile(shared_dir / STANDARD_ZIP) as archive:
        schema = json.loads(archive.read("standard-1__1__5/schema/release-schema.json"))
    for url in ocds.EXTENSIONS:
        repository, version = url.split("/")[-3:-1]
        patch = json.loads((EXTENSIONS_DIR / repository / version / "release-schema.json").read_text())
        schema = json_merge_patch.merge(schema, patch)
    assert get_merge_rules(schema) == ocds.MERGE_RULES


def test_amounts_are_exact_json_numbers() -> None:
    text = json.dumps(ocds.release_package(PUBLICATION, LAPTOPS))
    assert '"amount": 14995' in text  # 10 x 1,499.50
    assert '"amount": 799.99' in text
