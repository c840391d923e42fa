"""The cost model's optional ``commissions`` rule: the VAT of the commission statements the suppliers
get (category S at 21 % when it is left out), checked against EN 16931's categories, rates and
exemption reasons; a bad field is reported with the file, its line and the field, in NL/FR/EN."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.small_model import MODEL

from mutua.costing.domain.vat import CommissionVat
from mutua.costing.modelfile import dump_cost_model, parse_cost_model
from mutua.kernel.problems import Rejected
from mutua.platform.i18n import translate_message

EXEMPT = """
commissions:
  vat_category: E
  vat_rate: "0"
  exemption_reason_code: VATEX-EU-132
  exemption_reason: Exempt based on article 132 of Council Directive 2006/112/EC
  exemption_reasons: {nl: "Vrijgesteld krachtens artikel 132", fr: "Exonéré en vertu de l'article 132"}
"""


def _problems(rule: str) -> list[tuple[int | None, str | None, str]]:
    text = MODEL + rule
    with pytest.raises(Rejected) as refused:
        parse_cost_model(text, "model.yaml")
    return [(p.line, p.field, p.message) for p in refused.value.problems]


def test_without_a_rule_commissions_are_at_the_standard_rate_category_s() -> None:
    assert "commissions" not in MODEL
    vat = parse_cost_model(MODEL, "model.yaml").commissions
    assert (vat.category, vat.rate, vat.exemption_reason_code) == ("S", Decimal("0.21"), "")


def test_the_rule_sets_another_standard_rate_and_an_exempt_category_with_its_reasons() -> None:
    assert parse_cost_model(MODEL + 'commissions: {vat_rate: "0.06"}\n', "m.yaml").commissions == CommissionVat(
        "S", Decimal("0.06")
    )
    vat = parse_cost_model(MODEL + EXEMPT, "model.yaml").commissions
    assert (vat.category, vat.rate, vat.exemption_reason_code) == ("E", Decimal(0), "VATEX-EU-132")
    assert vat.reason_in("fr") == "Exonéré en vertu de l'article 132"
    assert vat.reason_in("en") == "Exempt based on article 132 of Council Directive 2006/112/EC"
    reverse = parse_cost_model(MODEL + "commissions: {vat_category: ae, exemption_reason_code: VATEX-EU-AE}\n", "m")
    assert (reverse.commissions.category, reverse.commissions.rate) == ("AE", Decimal(0))


def test_export_then_import_keeps_the_rule() -> None:
    model = parse_cost_model(MODEL + EXEMPT, "model.yaml")
    again = parse_cost_model(dump_cost_model(model), "exported.yaml")
    assert again.commissions == model.commissions
    assert "commissions" not in dump_cost_model(parse_cost_model(MODEL, "model.yaml"))


def test_a_category_outside_en_16931_is_refused_on_its_line() -> None:
    with pytest.raises(Rejected) as refused:
        parse_cost_model(MODEL + "commissions: {vat_category: X}\n", "model.yaml")
    (problem,) = refused.value.problems
    assert str(problem) == (
        f"model.yaml:{len(MODEL.splitlines()) + 1}: commissions.vat_category: "
        "X is not a VAT category of EN 16931 (allowed: S, Z, E, AE, K, G, O, L, M)"
    )


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ('{vat_rate: "0"}', "commissions.vat_rate", "category S is at a rate of more than 0 and less than 1"),
        ('{vat_rate: "21"}', "commissions.vat_rate", "(0.21 is 21 %), not 21"),
        ('{vat_category: Z, vat_rate: "0.06"}', "commissions.vat_rate", "category Z is at a rate of 0, not 0.06"),
        ('{vat_category: E, vat_rate: "0.21", exemption_reason_code: VATEX-EU-132}', "commissions.vat_rate", "of 0"),
        ('{vat_category: L, vat_rate: "-0.07"}', "commissions.vat_rate", "category L is at a rate from 0 to less"),
        (
            "{vat_category: E, exemption_reason: Exempt}",
            "commissions.exemption_reason_code",
            "category E needs an exemption reason code of the VATEX list (EN 16931 BR-E-10)",
        ),
        ("{vat_category: O}", "commissions.exemption_reason_code", "(EN 16931 BR-O-10)"),
        (
            "{vat_category: E, exemption_reason_code: VATEX-EU-999}",
            "commissions.exemption_reason_code",
            "VATEX-EU-999 is not a code of the VATEX list",
        ),
        (
            "{vat_category: K, exemption_reason_code: VATEX-EU-132}",
            "commissions.exemption_reason_code",
            "category K takes the exemption reason code VATEX-EU-IC, not VATEX-EU-132",
        ),
        (
            "{vat_category: E, exemption_reason_code: VATEX-EU-AE}",
            "commissions.exemption_reason_code",
            "VATEX-EU-AE is the exemption reason of category AE, not of E",
        ),
        (
            "{vat_category: S, exemption_reason_code: VATEX-EU-132}",
            "commissions.exemption_reason_code",
            "category S has no exemption reason (EN 16931 BR-S-10)",
        ),
        ("{vat_categry: S}", "commissions.vat_categry", "unknown field"),
        ("S", "commissions", "must be a mapping"),
    ],
)
def test_a_rule_that_en_16931_refuses_is_reported_with_its_field(rule: str, field: str, message: str) -> None:
    found = _problems(f"commissions: {rule}\n")
    assert any(f == field and message in m for _, f, m in found), found
    assert all(line is not None for line, _, _ in found)


def test_the_problems_read_in_dutch_french_and_english() -> None:
    (problem,) = _problems('commissions: {vat_category: E, vat_rate: "0.21", exemption_reason_code: VATEX-EU-132}\n')
    message = problem[2]
    assert (
        translate_message(message, "nl") == "categorie E heeft een tarief van 0, niet 0,21"
    )  # the number in the language's format
    assert translate_message(message, "fr") == "la catégorie E a un taux de 0, pas 0,21"
    assert translate_message(message, "en") == message
    (missing,) = _problems("commissions: {vat_category: AE}\n")
    assert translate_message(missing[2], "fr") == (
        "la catégorie AE exige un code de motif d'exonération de la liste VATEX (EN 16931 BR-AE-10)"
    )
