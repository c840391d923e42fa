"""Searching the catalogues: the question (full text in Dutch or French, facet filters, a page) and
the answer (the page of items, the total, the facets' counts). Pure records and rules; the
database's full-text search (SQLite FTS5, PostgreSQL tsvector) is :mod:`mutua.purchasing.search`.

Facets are *disjunctive* for agreement, lot, CPV division and supplier: each one's counts apply
every filter but its own, so a member sees what choosing another value would give. The price facet
counts apply every filter (a price range is typed, not picked from the buckets).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mutua.purchasing.domain import CatalogueItem

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
MAX_QUERY_LENGTH = 200
MAX_PAGE = 100
FACETS = ("agreement", "lot", "cpv", "supplier", "price")
PRICE_BUCKETS: tuple[tuple[Decimal, Decimal | None], ...] = (
    (Decimal("0"), Decimal("100")),
    (Decimal("100"), Decimal("500")),
    (Decimal("500"), Decimal("1000")),
    (Decimal("1000"), Decimal("5000")),
    (Decimal("5000"), None),
)
"""The price facet's buckets in EUR: from (inclusive) to (exclusive); the last has no upper end."""
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # a run of letters and digits, as indexed
_SEPARATORS = re.compile(r"[\W_]+")


def bucket_key(low: Decimal, high: Decimal | None) -> str:
    return f"{low:f}-{high:f}" if high is not None else f"{low:f}-"


def bucket_of(price: Decimal) -> str:
    for low, high in PRICE_BUCKETS:
        if price >= low and (high is None or price < high):
            return bucket_key(low, high)
    return bucket_key(*PRICE_BUCKETS[0])  # a negative price is refused at import; never here


def indexed_words(*texts: str) -> str:
    """The words of ``texts`` as the full-text index reads them: every run of letters and digits,
    one space between, the rest (punctuation, symbols, spaces) a separator, as SQLite's FTS5
    tokenizer splits (the text PostgreSQL's index is built on: its own parser would keep
    ``HP/Compaq`` or ``13.3`` as one token).

    >>> indexed_words("Toner HP/Compaq 13,3\\"", "ITEM-0042")
    'Toner HP Compaq 13 3 ITEM 0042'
    """
    return _SEPARATORS.sub(" ", " ".join(texts)).strip()


def terms(text: str) -> tuple[str, ...]:
    """The words of a search, lower case, at most :data:`MAX_TERMS` of at most
    :data:`MAX_TERM_LENGTH` characters: letters and digits only (no operator of either engine's
    query language survives), split where :func:`indexed_words` splits (``_`` too), accents kept
    (each engine folds them its own way).

    >>> terms("Laptop 14\\" (écran) -- OR docking*"), terms("DL_5440")
    (('laptop', '14', 'écran', 'or', 'docking'), ('dl', '5440'))
    """
    normal = unicodedata.normalize("NFC", text[:MAX_QUERY_LENGTH]).lower()
    return tuple(w[:MAX_TERM_LENGTH] for w in _WORD.findall(normal))[:MAX_TERMS]


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    """A search of the catalogues.

    Attributes:
        text: the words searched in the items' Dutch and French descriptions and codes (every word
            must occur, as a word or the start of one); empty to browse.
        agreement: only this agreement's items (its reference).
        lot: only this lot's items (with ``agreement``).
        cpv_division: only items whose CPV code starts with these two digits.
        supplier: only this supplier's items (its code).
        price_min: only items priced at least this (EUR, excl. VAT).
        price_max: only items priced at most this.
        on: only items orderable that day (None: every item not withdrawn).
        language: the language the items are sorted and shown in (nl, fr, en).
        sort: ``description`` (alphabetical in ``language``) or ``price`` (cheapest first).
        limit: the page's size (at most :data:`MAX_PAGE`).
        offset: how many items the page skips.
    """

    text: str = ""
    agreement: str | None = None
    lot: int | None = None
    cpv_division: str | None = None
    supplier: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    on: date | None = None
    language: str = "nl"
    sort: str = "description"
    limit: int = 20
    offset: int = 0

    def __post_init__(self) -> None:
        if self.sort not in ("description", "price"):
            raise ValueError(f"sort must be description or price, not {self.sort!r}")
        if not 1 <= self.limit <= MAX_PAGE or self.offset < 0:
            raise ValueError(f"a page is 1 to {MAX_PAGE} items from an offset of 0 or more")
        if self.cpv_division is not None and not (len(self.cpv_division) == 2 and self.cpv_division.isdigit()):
            raise ValueError(f"a CPV division is two digits, not {self.cpv_division!r}")
        if self.lot is not None and self.agreement is None:
            raise ValueError("a lot is chosen within an agreement")

    @property
    def terms(self) -> tuple[str, ...]:
        return terms(self.text)


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet with how many items have it.

    Attributes:
        key: what a filter takes (``CSMART-2024-LAPTOPS``, ``CSMART-2024-LAPTOPS/2``, ``30``,
            ``ECONOCOM``, ``100-500``).
        label: what a person reads (a title, a name; the key for a CPV division or a price bucket).
        count: the items with that value, under the other filters.
        selected: whether the query filters on it.
    """

    key: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True, slots=True)
class CatalogueResult:
    """A page of the search's items, their total, and the facets.

    Attributes:
        query: the search.
        total: how many items match every filter.
        items: the page's items.
        facets: per facet name (:data:`FACETS`), its values with their counts, most frequent first
            (prices in bucket order).
        supplier_names: each supplier's name by code (for the page's items).
        lot_titles: each lot's title by ``(agreement, lot)`` in the query's language.
    """

    query: CatalogueQuery
    total: int
    items: tuple[CatalogueItem, ...]
    facets: Mapping[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    supplier_names: Mapping[str, str] = field(default_factory=dict)
    lot_titles: Mapping[tuple[str, int], str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of the search's cube: how many matching items share an agreement, lot, supplier,
    CPV division and price bucket (the facets are sums over cells)."""

    agreement: str
    lot: int
    supplier: str
    cpv_division: str
    bucket: str
    count: int


def facets(
    query: CatalogueQuery,
    cells: Iterable[Cell],
    agreement_titles: Mapping[str, str],
    lot_titles: Mapping[tuple[str, int], str],
    supplier_names: Mapping[str, str],
) -> tuple[int, dict[str, tuple[FacetValue, ...]]]:
    """The total and the facets from the cube's cells (computed under the text, the day and the
    price range, not the facet filters)."""
    agreement, lot, division, supplier = query.agreement, query.lot, query.cpv_division, query.supplier
    total = 0
    by_agreement: dict[str, int] = {}
    by_lot: dict[str, int] = {}
    by_cpv: dict[str, int] = {}
    by_supplier: dict[str, int] = {}
    by_price: dict[str, int] = {}
    # each cell once: a facet counts the cells that pass every filter but its own, so a cell that
    # fails one filter counts in that filter's facet only, and a cell that fails two in none
    for cell in cells:
        fails_agreement = agreement is not None and cell.agreement != agreement
        fails_lot = lot is not None and (cell.agreement != agreement or cell.lot != lot)
        fails_cpv = division is not None and cell.cpv_division != division
        fails_supplier = supplier is not None and cell.supplier != supplier
        failed = fails_agreement + fails_lot + fails_cpv + fails_supplier
        if failed > 1:
            continue
        n = cell.count
        if failed == 0:
            total += n
            by_price[cell.bucket] = by_price.get(cell.bucket, 0) + n
        if not (fails_lot or fails_cpv or fails_supplier):
            by_agreement[cell.agreement] = by_agreement.get(cell.agreement, 0) + n
        if not (fails_agreement or fails_cpv or fails_supplier):
            key = f"{cell.agreement}/{cell.lot}"
            by_lot[key] = by_lot.get(key, 0) + n
        if not (fails_agreement or fails_lot or fails_supplier):
            by_cpv[cell.cpv_division] = by_cpv.get(cell.cpv_division, 0) + n
        if not (fails_agreement or fails_lot or fails_cpv):
            by_supplier[cell.supplier] = by_supplier.get(cell.supplier, 0) + n

    def ranked(counts: Mapping[str, int], label: object, selected: str | None) -> tuple[FacetValue, ...]:
        values = [FacetValue(k, label(k), n, k == selected) for k, n in counts.items() if n]  # type: ignore[operator]
        return tuple(sorted(values, key=lambda v: (-v.count, v.label, v.key)))

    def lot_label(key: str) -> str:
        reference, _, number = key.rpartition("/")
        return f"{reference} {number}: {lot_titles.get((reference, int(number)), '')}".rstrip(": ")

    selected_lot = f"{query.agreement}/{query.lot}" if query.lot is not None else None
    prices = tuple(
        FacetValue(bucket_key(low, high), bucket_key(low, high), by_price.get(bucket_key(low, high), 0))
        for low, high in PRICE_BUCKETS
        if by_price.get(bucket_key(low, high), 0)
    )
    return total, {
        "agreement": ranked(by_agreement, lambda k: agreement_titles.get(k, k), query.agreement),
        "lot": ranked(by_lot, lot_label, selected_lot),
        "cpv": ranked(by_cpv, lambda k: k, query.cpv_division),
        "supplier": ranked(by_supplier, lambda k: supplier_names.get(k, k), query.supplier),
        "price": prices,
    }
