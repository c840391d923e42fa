"""What the domain says and names, in the member's language: problems and refusals through the
``messages`` catalogue's templates, units and codes through ``label``, percentages with the
language's decimal comma."""

from __future__ import annotations

from decimal import Decimal

from mutua.platform.i18n import format_fraction_as_percent, format_percent, labeller, translate_message
from mutua.platform.web.pages import formatters


def test_a_problem_is_translated_through_the_template_it_matches_with_its_values_put_back() -> None:
    text = "no 2026 tariff for service VMAAS (Virtual machines)"
    assert translate_message(text, "nl") == "geen tarief 2026 voor dienst VMAAS (Virtual machines)"
    names = labeller("fr", {"Virtual machines": "Machines virtuelles"})
    assert translate_message(text, "fr", label=names) == "pas de tarif 2026 pour le service VMAAS (Machines virtuelles)"
    assert translate_message(text, "en") == text


def test_a_message_of_several_parts_is_translated_part_by_part() -> None:
    text = "cost model: tariffs: no 2026 tariff for service DEV-H (Development)"
    assert translate_message(text, "nl") == "kostenmodel: tarieven: geen tarief 2026 voor dienst DEV-H (Development)"
    assert translate_message(text, "fr").startswith("modèle de coûts : tarifs : pas de tarif 2026")


def test_a_refusal_names_the_role_and_the_action_in_the_language() -> None:
    text = "holder-a (budget_holder) may not read association"
    assert translate_message(text, "nl") == "holder-a (budgethouder) mag niet de gegevens van de vereniging lezen"
    assert translate_message("request rejected: 2 problems, nothing written", "fr") == (
        "requête refusé(e) : 2 erreurs, rien n'est enregistré"
    )
    assert translate_message("Not Found", "nl") == "Niet gevonden"


def test_an_unknown_message_stays_as_it_is() -> None:
    assert translate_message("something nobody wrote down", "nl") == "something nobody wrote down"


def test_units_codes_and_names_are_labelled_from_the_model_then_the_catalogues() -> None:
    label = labeller("nl", {"Services": "Diensten en diverse goederen", "VM-hour": "uur VM"})
    assert label("VM-hour") == "uur VM"  # the model's own word wins
    assert label("EUR at cost") == "EUR tegen kostprijs"
    assert label("GB-month") == "GB-maand"
    assert label("step_down") == "trapsgewijze verdeling"
    assert label("budget_holder") == "budgethouder"
    assert label("61 Services") == "61 Diensten en diverse goederen"  # a ledger node: code and name
    assert label("Services (senior)") == "Diensten en diverse goederen (senior)"
    assert label("medior") == "medior"
    assert label(None) == ""
    assert labeller("fr")("month") == "mois"


def test_percentages_have_the_languages_decimal_comma() -> None:
    assert format_percent(Decimal("47.62"), "nl") == "47,62\u00a0%"
    assert format_percent(Decimal("47.62"), "en") == "47.62\u00a0%"
    assert format_fraction_as_percent(Decimal("0.0525"), "fr") == "5,25\u00a0%"
    assert format_fraction_as_percent(Decimal("0.1"), "nl") == "10\u00a0%"


def test_prices_show_their_meaningful_decimals_and_at_least_the_cents() -> None:
    nl = formatters("nl")
    assert nl["price"](Decimal("1889.690000")) == "1.889,69"
    assert nl["price"](Decimal("0.920397")) == "0,920397"
    assert nl["price"](Decimal("60")) == "60,00"
    assert nl["rate"](Decimal("0.0525")) == "5,25\u00a0%"
    assert nl["percent"]("47.6") == "47,60\u00a0%"


def test_an_amount_put_back_into_a_translated_message_is_written_in_the_languages_format() -> None:
    text = (
        "above the ceiling of lot 1 of CSMART-2023-LAPTOPS: 1950.00 ordered of 24000000.00, "
        "this order (100.00) would bring it to 2050.00"
    )
    assert translate_message(text, "nl") == (
        "boven het plafond van perceel 1 van CSMART-2023-LAPTOPS: 1.950,00 besteld van 24.000.000,00, "
        "deze bestelling (100,00) zou het op 2.050,00 brengen"
    )
    french = translate_message(text, "fr")
    assert "lot 1 de CSMART-2023-LAPTOPS" in french  # integers (a lot, a year, a line) stay as they are
    assert "1\u202f950,00 commandés sur 24\u202f000\u202f000,00" in french
    assert translate_message(text, "en") == text
    # a number the code writes with thousands separators is read as one number
    assert translate_message("the order's value 200000000.00 is beyond the bound of 100,000,000.00", "nl").endswith(
        "100.000.000,00"
    )
