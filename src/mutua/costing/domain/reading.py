"""Reading the cost model's plain data (as parsed from YAML) field by field: every bad field is
recorded as a problem with its path (``centres[2].kind``) instead of stopping at the first.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from mutua.kernel.bounds import beyond
from mutua.kernel.problems import Problem

LANGUAGES = ("nl", "fr", "en")  # the languages of names in the model (mutua.platform.i18n.LANGUAGES)
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


class Reader:
    """Reads typed fields out of nested plain data, recording a problem per bad field."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.source, None, path, message))

    def mapping(self, data: Any, path: str) -> Mapping[str, Any] | None:
        if not isinstance(data, Mapping):
            self.fail(path, f"must be a mapping, not {_kind(data)}")
            return None
        return data

    def seq(self, data: Any, path: str, *, required: bool = True) -> list[Any]:
        if data is None and not required:
            return []
        if not isinstance(data, list):
            self.fail(path, f"must be a list, not {_kind(data)}")
            return []
        return data

    def text(self, m: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}" if path else key, "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            self.fail(f"{path}.{key}" if path else key, f"must be text, not {_kind(value)}")
            return None
        return str(value).strip()

    def filled(self, m: Mapping[str, Any], key: str, path: str) -> str | None:
        """Required text that says something: missing, or empty (blank), is a problem."""
        value = self.text(m, key, path)
        if value == "":
            self.fail(f"{path}.{key}" if path else key, "is empty")
            return None
        return value

    def code(self, m: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = self.text(m, key, path, required=required)
        if value is not None and not _CODE.match(value):
            self.fail(f"{path}.{key}", f"{value!r} is not a code (letters, digits, _ . -; at most 32)")
            return None
        return value

    def decimal(
        self,
        value: Any,
        path: str,
        *,
        positive: bool = False,
        non_negative: bool = False,
        bound: Decimal | None = None,
    ) -> Decimal | None:
        """A number; with ``bound`` (one of :mod:`mutua.kernel.bounds`), at most that either way."""
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            self.fail(path, f"must be a number, not {_kind(value)}")
            return None
        try:
            result = Decimal(str(value).strip())
        except ArithmeticError:
            self.fail(path, f"{value!r} is not a number")
            return None
        if not result.is_finite():
            self.fail(path, f"{value!r} is not a finite number")
            return None
        if bound is not None and (why := beyond(result, bound)) is not None:
            self.fail(path, why)
            return None
        if positive and result <= 0:
            self.fail(path, f"must be greater than zero, not {result}")
            return None
        if non_negative and result < 0:
            self.fail(path, f"must not be negative, not {result}")
            return None
        return result

    def choice(self, m: Mapping[str, Any], key: str, path: str, enum_type: type[enum.StrEnum]) -> Any:
        value = self.text(m, key, path)
        if value is None:
            return None
        try:
            return enum_type(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum_type)
            self.fail(f"{path}.{key}", f"{value!r} is not one of: {allowed}")
            return None

    def names(self, m: Mapping[str, Any], key: str, path: str) -> tuple[tuple[str, str], ...]:
        """An optional ``{nl: ..., fr: ..., en: ...}`` mapping of a name in the languages a member
        reads (a missing language falls back to the record's plain name)."""
        if key not in m or m[key] is None:
            return ()
        where = f"{path}.{key}" if path else key
        found = self.mapping(m[key], where)
        if found is None:
            return ()
        result = []
        for language in found:
            if language not in LANGUAGES:
                self.fail(f"{where}.{language}", f"{language!r} is not a language (allowed: {', '.join(LANGUAGES)})")
                continue
            value = self.filled(found, str(language), where)
            if value is not None:
                result.append((str(language), value))
        return tuple(sorted(result))

    def unknown_keys(self, m: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
        allowed_set = set(allowed)
        for key in m:
            if key not in allowed_set:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"unknown field (allowed: {', '.join(sorted(allowed_set))})")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, Decimal)):
        return "a number"
    return "text" if isinstance(value, str) else type(value).__name__
