"""Every CSV Mutua writes neutralises cells a spreadsheet would run as a formula (OWASP: a single
quote in front), and keeps numbers as numbers: the decision is by column."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from mutua.platform.files.csv_out import csv_text, safe_cell


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"],
)
def test_a_text_cell_that_begins_like_a_formula_gets_a_single_quote_in_front(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert safe_cell(text, numeric=True) == "'" + text  # a formula is not a number in any column


def test_numbers_stay_numbers_in_numeric_columns_and_as_numbers_anywhere() -> None:
    assert safe_cell("-12.50", numeric=True) == "-12.50"
    assert safe_cell("+3", numeric=True) == "+3"
    assert safe_cell(Decimal("-12.50")) == Decimal("-12.50")
    assert safe_cell(-3) == -3
    assert safe_cell("-12.50") == "'-12.50"  # the same text in a text column is text
    assert safe_cell(None) == "" and safe_cell("Portal") == "Portal" and safe_cell("") == ""


def test_csv_text_neutralises_text_columns_and_reads_back_the_amounts_unchanged() -> None:
    text = csv_text(
        ("title", "amount"),
        [['=HYPERLINK("http://evil.example")', Decimal("-12.50")], ["Portal", "-0.01"]],
        numeric=("amount",),
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["title", "amount"],
        ['\'=HYPERLINK("http://evil.example")', "-12.50"],
        ["Portal", "-0.01"],
    ]
