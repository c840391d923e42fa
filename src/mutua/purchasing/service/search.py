"""Searching the catalogues: full text in Dutch and French with facets (agreement, lot, CPV
division, supplier, price range). Every user may search; what a member may *order* is decided when
it orders (its accessions), not here."""

from __future__ import annotations

from mutua.kernel.access import Permission, requires
from mutua.purchasing.domain.search import CatalogueQuery, CatalogueResult
from mutua.purchasing.ports import SearchUnitOfWork


@requires(Permission())
def search_catalogue(uow: SearchUnitOfWork, query: CatalogueQuery) -> CatalogueResult:
    """A page of the items matching the query, their total and the facets' counts."""
    with uow:
        return uow.catalogue_search.search(query)
