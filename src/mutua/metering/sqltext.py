"""SQL text for DuckDB that names things the code does not choose (a cost model's properties).

Two rules, and no other way in:

* a **name** (a column, a field of a ``data`` struct) is written with :func:`identifier`: DuckDB's
  quoted identifier, double quotes around it and each double quote inside doubled, so whatever it
  holds is read as one name and never as syntax;
* a **value** (a JSON pointer, a text to compare or prefix, a file path) is never written into the
  text: it is bound as a parameter (:class:`Parameters` numbers them ``$1``, ``$2`` ...).

The duckdb package exposes no public quoting function, hence :func:`identifier`.
"""

from __future__ import annotations


def identifier(name: str) -> str:
    """``name`` as a DuckDB quoted identifier (``x"y`` -> ``"x""y"``).

    Raises:
        ValueError: the name holds a NUL character (DuckDB would cut the name there).
    """
    if "\x00" in name:
        raise ValueError(f"a SQL name cannot hold a NUL character: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def json_pointer(key: str) -> str:
    """The JSON pointer (RFC 6901) to the top-level ``key`` of an object, for DuckDB's JSON functions:
    ``~`` becomes ``~0`` and ``/`` becomes ``~1``; any other character stands for itself. Bind it as a
    parameter."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


class Parameters:
    """The values bound to one statement, each written in its text as ``$n``."""

    def __init__(self) -> None:
        self.values: list[object] = []

    def add(self, value: object) -> str:
        """Bind ``value``; returns the placeholder to write in its place."""
        self.values.append(value)
        return f"${len(self.values)}"
