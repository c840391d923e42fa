"""PDF rendering with WeasyPrint (imported when first used), and the numbers documents print: every
decimal a value has and none it lacks, amounts as money, in the reader's language.

Every document is PDF/A-3 level A (archivable and tagged) declared PDF/UA-1 too, with the files it
carries (its UBL, as Factur-X and ZUGFeRD embed their XML) embedded as associated files: billing's
invoices, credit notes and statements, purchasing's commission statements.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from mutua.platform.i18n import format_money, format_number

PDF_VARIANT = "pdf/a-3a"
"""PDF/A-3 level A: archivable (fonts embedded, sRGB output intent, XMP metadata), files may be
embedded as associated files, and tagged (a structure tree, the language, the title shown)."""
_PDFUA_ID = b'<rdf:Description xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" rdf:about="" pdfuaid:part="1"/>'


def number(value: Decimal | str, lang: str) -> str:
    """All the decimals the value has (tariffs have up to 9), none it lacks."""
    d = Decimal(value).normalize()
    exponent = d.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_number(d, lang, places)


def money(value: Decimal | str, lang: str) -> str:
    return format_money(Decimal(value), lang)


@dataclass(frozen=True, slots=True)
class Embedded:
    """A file embedded in a PDF as an associated file (PDF/A-3 ``/AF``), as Factur-X and ZUGFeRD
    embed their XML: ``relationship`` is ``Alternative`` (the same document, machine-readable) or
    ``Supplement`` (a document the PDF refers to)."""

    name: str
    content: bytes
    description: str
    relationship: str
    day: date


def finish(document: Any, pdf: Any) -> None:
    """Declare PDF/UA-1 beside PDF/A-3a in the XMP metadata (both need the tags WeasyPrint writes:
    structure tree, language, marked content, the title displayed) and list each associated file
    once in the catalogue's ``/AF`` (WeasyPrint's ``finisher``)."""
    ref = int(pdf.catalog["Metadata"].split()[0])
    stream = pdf.objects[ref]
    content = b"".join(x if isinstance(x, bytes) else str(x).encode() for x in stream.stream)
    stream.stream = [content.replace(b"</rdf:RDF>", _PDFUA_ID + b"</rdf:RDF>", 1)]
    if "AF" in pdf.catalog:
        pdf.catalog["AF"][:] = list(dict.fromkeys(pdf.catalog["AF"]))


def render(html: str, embedded: Sequence[Embedded] = ()) -> bytes:
    """An HTML page (with its CSS inline, its language and title set) as a tagged PDF/A-3a
    (declared PDF/UA-1 too), with ``embedded`` files attached."""
    from weasyprint import HTML, Attachment

    stamp = [datetime(e.day.year, e.day.month, e.day.day) for e in embedded]  # noqa: DTZ001 (a PDF date)
    attachments = [
        Attachment(
            file_obj=io.BytesIO(e.content),
            name=e.name,
            description=e.description,
            relationship=e.relationship,
            created=at,
            modified=at,
        )
        for e, at in zip(embedded, stamp, strict=True)
    ]
    with warnings.catch_warnings():
        # WeasyPrint opens its sRGB profile (the PDF/A output intent) without closing it
        warnings.simplefilter("ignore", ResourceWarning)
        result = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT, attachments=attachments, finisher=finish)
    assert isinstance(result, bytes)
    return result
