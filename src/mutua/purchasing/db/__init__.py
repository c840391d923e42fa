"""Joint purchasing's storage: its tables (:mod:`.tables`) and the repository over them
(:class:`SqlPurchasing`, ``uow.purchasing``)."""

from __future__ import annotations

from mutua.purchasing.db import tables as tables
from mutua.purchasing.db.repository import SqlPurchasing as SqlPurchasing
