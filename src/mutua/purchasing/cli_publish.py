"""``mutua purchasing ocds -o DIR`` (the OCDS publication) and ``mutua purchasing statement-files``
(a commission statement's UBL and PDF): commands of the purchasing group registered by
:func:`register` (``purchasing/cli.py`` calls it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from mutua.platform.cli.output import counted, out, refused, run, say, whole
from mutua.platform.cli.runtime import state

DEFAULT_PREFIX = "ocds-mutua0"


def ocds_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder the JSON files are written to.")],
    prefix: Annotated[
        str,
        typer.Option(help="The association's OCID prefix (ocds- and six characters, registered with the OCP)."),
    ] = DEFAULT_PREFIX,
    base_uri: Annotated[
        str, typer.Option("--base-uri", help="Where the files will be published (each package's uri).")
    ] = "https://example.org/ocds",
) -> None:
    """Publish every agreement, lot, award and call-off as OCDS 1.1 release and record packages."""
    from mutua.purchasing import ocds
    from mutua.purchasing.service import publication

    if not (prefix.startswith("ocds-") and len(prefix) == 11 and prefix[5:].isalnum()):
        raise refused("an OCID prefix is ocds- and six letters or digits, not {prefix}", prefix=repr(prefix))
    records = run(lambda: publication.publication_records(state.uow()))
    seller = records.association
    files = ocds.packages(
        ocds.Publication(
            prefix=prefix,
            publisher=ocds.Party(
                seller.name,
                seller.enterprise_number,
                street=seller.street,
                postcode=seller.postal_code,
                city=seller.city,
                country=seller.country,
            ),
            published=datetime.now(UTC).replace(microsecond=0),
            base_uri=base_uri,
            agreements=records.agreements,
            lots=records.lots,
            lot_suppliers=records.lot_suppliers,
            suppliers=records.suppliers,
            orders=records.orders,
            documents=records.documents,
            members=records.members,
        )
    )
    output.mkdir(parents=True, exist_ok=True)
    for name, package in files.items():
        (output / name).write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    releases = sum(len(p.get("releases", ())) for p in files.values())
    said = counted(
        len(files),
        "{n} package ({releases} releases) written to {folder}",
        "{n} packages ({releases} releases) written to {folder}",
        releases=whole(releases),
        folder=output,
    )
    out.print(said, markup=False, highlight=False)


def statement_files_command(
    number: Annotated[str, typer.Argument(help="The statement's number, COM-YYYY-NNNNNN.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder the files are written to.")],
    language: Annotated[str | None, typer.Option(help="The PDF's language (nl, fr, en); the supplier's.")] = None,
) -> None:
    """Write a commission statement's Peppol UBL invoice and its PDF."""
    from mutua.purchasing.service import documents

    ubl = run(lambda: documents.statement_ubl(state.uow(), number))
    pdf = run(lambda: documents.statement_pdf(state.uow(), number, language))
    output.mkdir(parents=True, exist_ok=True)
    (output / f"{number}.xml").write_bytes(ubl)
    (output / f"{number}.pdf").write_bytes(pdf)
    out.print(say("{number}.xml and {number}.pdf written to {folder}", number=number, folder=output), markup=False)


def register(group: typer.Typer) -> None:
    """Add the publication's and the statements' documents' commands to ``mutua purchasing``."""
    group.command("ocds")(ocds_command)
    group.command("statement-files")(statement_files_command)
