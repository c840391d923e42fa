"""Pagination of the API's lists, the same everywhere: ``?limit=`` (1 to 500, default 100) and
``?cursor=`` (the ``next_cursor`` of the previous page, opaque), answered in one envelope::

    {"items": [...], "next_cursor": "eyJwIjoxMDB9" | null}

The last page has ``next_cursor: null``. A list route declares its page type as a subclass of
:class:`Page` (``class MemberPage(Page[MemberOut])``: a named schema for generated clients), takes
:data:`Limit` and :data:`Cursor` and answers :func:`page_of` (a list in memory, by position) or its
own keyset cursor (:func:`encode` / :func:`decode`, e.g. the audit trail's entry id).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from mutua.kernel.problems import Problem
from mutua.platform.web.problems import InvalidRequest

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many items in the page.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Where the page starts: the `next_cursor` of the previous page (none: the first page).",
    ),
]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass it as `cursor` for the next page; null on the last page."
    )


def encode(**position: int) -> str:
    """An opaque cursor for a position (``p=100`` or ``before=4711``)."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, key: str) -> int | None:
    """The position ``key`` of a cursor made by :func:`encode` (None: no cursor); a cursor that is
    not one is an invalid request (422)."""
    if cursor is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = data[key]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise InvalidRequest([Problem("request", None, "cursor", "not a cursor of this list: start again without one")])


def page_of(items: Sequence[T], limit: int, cursor: str | None, out: Callable[[T], U]) -> tuple[list[U], str | None]:
    """A page of a list in memory (in its order): the items from the cursor's position, each
    turned into its response model by ``out``, and the next page's cursor."""
    start = decode(cursor, "p") or 0
    end = start + limit
    return [out(x) for x in items[start:end]], (encode(p=end) if end < len(items) else None)
