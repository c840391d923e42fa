"""PDF rendering with WeasyPrint (imported when first used), and the numbers documents print: every
decimal a value has and none it lacks, amounts as money, in the reader's language."""

from __future__ import annotations

from decimal import Decimal

from mutua.platform.i18n import format_money, format_number


def number(value: Decimal | str, lang: str) -> str:
    """All the decimals the value has (tariffs have up to 9), none it lacks."""
    d = Decimal(value).normalize()
    exponent = d.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_number(d, lang, places)


def money(value: Decimal | str, lang: str) -> str:
    return format_money(Decimal(value), lang)


def render(html: str) -> bytes:
    """An HTML page (with its CSS inline) as PDF."""
    from weasyprint import HTML

    result = HTML(string=html).write_pdf()
    assert isinstance(result, bytes)
    return result
