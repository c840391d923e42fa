"""What the billing API routes and pages share: the documents the composition root gave them
(:class:`mutua.billing.ports.InvoiceDocuments`) and the file downloads."""

from __future__ import annotations

from fastapi.responses import Response

from mutua.billing.ports import FORMATS, InvoiceDocument, InvoiceDocuments
from mutua.kernel.access import User, require_member
from mutua.kernel.periods import Period
from mutua.kernel.problems import NotFound
from mutua.platform.web.context import Context


def invoice_documents(ctx: Context) -> InvoiceDocuments:
    """The billing documents the composition root gave the routes."""
    docs: InvoiceDocuments = ctx.extensions["invoices"]
    return docs


def find_invoice(user: User, ctx: Context, number: str) -> InvoiceDocument:
    """The document numbered ``number``, if it is the user's member's (else "no invoice ...", as an unknown number)."""
    doc = invoice_documents(ctx).find(number)
    if doc is None:
        raise NotFound(f"no invoice {number!r}")
    require_member(user, doc.member, f"no invoice {number!r}")  # as an unknown number is answered
    return doc


def invoice_file(ctx: Context, user: User, number: str, fmt: str) -> Response:
    doc = find_invoice(user, ctx, number)
    content = invoice_documents(ctx).content(number, fmt) if fmt in doc.formats else None
    if content is None:
        raise NotFound(f"no {fmt.upper()} document for invoice {number!r}")
    ext = "xml" if fmt == "ubl" else fmt
    return Response(
        content,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{number}.{ext}"'},
    )


def statement_pdf_response(ctx: Context, member: str, period: str) -> Response:
    content = invoice_documents(ctx).statement_pdf(member, str(Period.parse(period)))
    if content is None:
        raise NotFound(f"no PDF statement of {member} for {period}")
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="statement-{member}-{period}.pdf"'},
    )
