"""The CPV 2008 main vocabulary (Regulation (EC) No 213/2008), as shipped with Mutua in
``mutua/purchasing/data/cpv2008.csv`` (9,454 codes, 8 digits, English names; see its SOURCE).

A code is written with or without its check digit (``30213100`` or ``30213100-6``); Mutua keeps the
8 digits. Its division is the first two digits (``30``: office and computing machinery).
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from importlib import resources

_CODE = re.compile(r"^(\d{8})(?:-\d)?$")


@cache
def vocabulary() -> dict[str, str]:
    """Every code of the main vocabulary -> its English name."""
    text = resources.files("mutua.purchasing").joinpath("data/cpv2008.csv").read_text(encoding="utf-8")
    return {row["code"]: row["name_en"] for row in csv.DictReader(io.StringIO(text))}


def normalise(text: str) -> str | None:
    """The 8 digits of a code as written (with or without its check digit), or None when it is no
    code at all."""
    found = _CODE.match(text.strip())
    return found.group(1) if found else None


def problem(text: str) -> str | None:
    """Why ``text`` is not a CPV 2008 main vocabulary code, or None when it is one.

    >>> problem("30213100-6") is None, problem("30213199")
    (True, "'30213199' is not a code of the CPV 2008 main vocabulary")
    """
    code = normalise(text)
    if code is None:
        return f"{text.strip()[:20]!r} is not a CPV code (8 digits, optionally -check digit)"
    if code not in vocabulary():
        return f"{code!r} is not a code of the CPV 2008 main vocabulary"
    return None


def division(code: str) -> str:
    """The code's division (its first two digits)."""
    return code[:2]


def name(code: str) -> str:
    return vocabulary().get(code, "")
