"""The units a catalogue may use: the common codes of UN/ECE Recommendation 20 (Codes for Units of
Measure Used in International Trade, rev. 17), as Peppol BIS and EN 16931 invoices carry them.

The list is the codes a supplier's price list for ICT goods and services uses in practice; a price
list line with any other code is refused, naming the code.
"""

from __future__ import annotations

REC20: dict[str, str] = {
    "C62": "one",
    "H87": "piece",
    "EA": "each",
    "SET": "set",
    "PR": "pair",
    "NAR": "number of articles",
    "NPR": "number of pairs",
    "XBX": "box",
    "XPK": "pack",
    "PK": "pack",
    "BX": "box",
    "RM": "ream",
    "RO": "roll",
    "LS": "lump sum",
    "E48": "service unit",
    "ACT": "activity",
    "E49": "working day",
    "DAY": "day",
    "HUR": "hour",
    "MIN": "minute",
    "WEE": "week",
    "MON": "month",
    "QAN": "quarter (of a year)",
    "ANN": "year",
    "KGM": "kilogram",
    "GRM": "gram",
    "TNE": "tonne",
    "MTR": "metre",
    "CMT": "centimetre",
    "MMT": "millimetre",
    "KMT": "kilometre",
    "MTK": "square metre",
    "MTQ": "cubic metre",
    "LTR": "litre",
    "KWH": "kilowatt hour",
    "KWT": "kilowatt",
    "2P": "kilobyte",
    "4L": "megabyte",
    "E34": "gigabyte",
    "E35": "terabyte",
    "A99": "bit",
    "E51": "job",
    "IE": "person",
    "MAN": "man",
    "E50": "accounting unit",
    "P1": "percent",
}
"""The accepted codes -> their English names."""

MAN_DAY = "DAY"
"""The unit of a consultancy lot's items: a man-day."""


def problem(code: str) -> str | None:
    """Why ``code`` is not an accepted unit, or None.

    >>> problem("C62") is None, problem("PCS")
    (True, "unknown unit code 'PCS' (UN/ECE recommendation 20: C62, H87, EA, SET, DAY, HUR, MON, ...)")
    """
    if code in REC20:
        return None
    return f"unknown unit code {code[:10]!r} (UN/ECE recommendation 20: C62, H87, EA, SET, DAY, HUR, MON, ...)"
