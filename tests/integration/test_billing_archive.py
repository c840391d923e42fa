"""Invoices, credit notes and statements as archivable, accessible PDFs (issue 14, item 7): PDF/A-3
(level A: tagged) declared PDF/UA-1 too, with the document's UBL as issued embedded as an associated
file (as Factur-X and ZUGFeRD do), read back with pikepdf; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import Engine

from mutua.billing import service as billing
from mutua.bootstrap import unit_of_work
from mutua.charging.service.close import TrueUpMode, close_period, true_up
from mutua.charging.service.reporting import member_statement
from mutua.kernel.periods import Period, months_of
from tests.integration import small
from tests.integration.small import A, B

JAN = Period(2025, 1)
PDFA = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUA = "{http://www.aiim.org/pdfua/ns/id/}"


@pytest.fixture
def issued_year(engine: Engine, tmp_path: Path) -> Engine:
    small.registry(engine, tmp_path)
    for p in months_of(2025):
        small.month(engine, tmp_path, str(p))
        close_period(unit_of_work(engine), p)
    true_up(unit_of_work(engine), 2025, TrueUpMode.SETTLE)
    billing.issue_year(unit_of_work(engine), 2025)
    return engine


def archived(data: bytes) -> pikepdf.Pdf:
    """The PDF, after checking what makes it PDF/A-3a and PDF/UA-1: the identification in the XMP
    metadata, a structure tree, marked content, the title displayed."""
    pdf = pikepdf.open(io.BytesIO(data))
    meta = pdf.open_metadata()
    assert (meta.get(f"{PDFA}part"), meta.get(f"{PDFA}conformance")) == ("3", "A")
    assert meta.get(f"{PDFUA}part") == "1"
    assert meta.get("{http://purl.org/dc/elements/1.1/}title")
    assert "/StructTreeRoot" in pdf.Root and len(pdf.Root.StructTreeRoot.K) > 0
    assert bool(pdf.Root.MarkInfo.Marked)
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
    assert "/OutputIntents" in pdf.Root
    return pdf


def embedded(pdf: pikepdf.Pdf) -> dict[str, tuple[str, bytes]]:
    """Each associated file (listed once in the catalogue's /AF): name -> (relationship, content)."""
    associated = [str(f.F) for f in pdf.Root.AF]
    assert len(associated) == len(set(associated)) == len(pdf.attachments)
    return {name: (str(f.relationship), f.get_file().read_bytes()) for name, f in pdf.attachments.items()}


def test_an_invoice_pdf_is_pdf_a_3_tagged_in_the_buyers_language_with_its_issued_ubl_embedded(
    issued_year: Engine,
) -> None:
    for doc in billing.list_documents(unit_of_work(issued_year), period=JAN):
        pdf = archived(billing.invoice_pdf(unit_of_work(issued_year), doc.number))
        assert str(pdf.Root.Lang) == {A: "nl", B: "fr"}[doc.member]
        issued = billing.document_ubl(unit_of_work(issued_year), doc.number)
        assert embedded(pdf) == {f"{doc.number}.xml": ("/Alternative", issued)}
        assert pdf.attachments[f"{doc.number}.xml"].get_file().mime_type == "text/xml"


def test_a_credit_note_is_called_a_credit_note_and_embeds_its_ubl(issued_year: Engine) -> None:
    from mutua.billing.documents import pdf as pdf_documents

    for doc in billing.list_documents(unit_of_work(issued_year), period=JAN):  # each January invoice cancelled
        billing.issue_correction(unit_of_work(issued_year), doc.number, "wrong engagement", date(2026, 1, 5))
    january = billing.list_documents(unit_of_work(issued_year), period=JAN)
    credit_notes = [d for d in january if d.kind.value == "credit_note"]
    assert len(credit_notes) == 2 and len(january) == 4
    loaded = billing.load_documents(unit_of_work(issued_year), numbers=[d.number for d in january])
    dates = {"nl": ("Datum creditnota", "Factuurdatum"), "fr": ("Date de la note de crédit", "Date de facture")}
    for doc in loaded.documents:
        buyer = loaded.members[doc.draft.member]
        html = pdf_documents.invoice_html(doc, loaded.association, buyer)
        credit_date, invoice_date = dates[buyer.language.value]
        if doc.kind.value == "credit_note":
            assert credit_date in html and invoice_date not in html
        else:
            assert invoice_date in html and credit_date not in html
    number = credit_notes[0].number
    pdf = archived(billing.invoice_pdf(unit_of_work(issued_year), number))
    assert embedded(pdf)[f"{number}.xml"] == ("/Alternative", billing.document_ubl(unit_of_work(issued_year), number))


def test_a_statement_pdf_is_pdf_a_3_tagged_with_the_periods_documents_ubl_as_supplements(issued_year: Engine) -> None:
    december = Period(2025, 12)
    documents = billing.list_documents(unit_of_work(issued_year), period=december, member=B)
    assert len(documents) == 2  # December's invoice and the true-up's document
    statement = member_statement(unit_of_work(issued_year), B, december)
    pdf = archived(billing.statement_pdf(unit_of_work(issued_year), B, december, statement))
    assert str(pdf.Root.Lang) == "fr"
    assert embedded(pdf) == {
        f"{d.number}.xml": ("/Supplement", billing.document_ubl(unit_of_work(issued_year), d.number)) for d in documents
    }


def test_exported_pdfs_embed_the_ubl_written_beside_them(issued_year: Engine, tmp_path: Path) -> None:
    written = billing.export_documents(unit_of_work(issued_year), tmp_path / "out", period=JAN, pdf=True)
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert len(pdfs) == 2
    for path in pdfs:
        xml = path.with_suffix(".xml")
        assert embedded(archived(path.read_bytes())) == {xml.name: ("/Alternative", xml.read_bytes())}
