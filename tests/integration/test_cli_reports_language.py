"""The reports of ``mutua`` (invoices, close, status, statement, report, tariffs, the cost model,
scenarios, exports, imports, users) read in the reader's language (``--lang``): headers, titles,
counts in the language's plural forms, amounts as it writes them (EUR 1.234,56 in Dutch, 1 234,56
EUR in French), days as it writes them, and no English word of the report left. ``--json`` keeps
its codes. Over the portal tests' small association (January closed and invoiced)."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import open_engine
from mutua.platform.i18n import _catalogue, _plural_catalogue, format_moment, format_number
from mutua.platform.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import portal_world as world

runner = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src" / "mutua"

# English words of the reports that no Dutch or French line of them holds (``document``, ``service``,
# ``centre``, ``total``, ``direct``, ``engagement``, ``scenario``, ``status``, ``detail``, ``type``,
# ``code``, ``import`` and ``budget`` are Dutch or French words too, so they are not here)
ENGLISH = re.compile(
    r"\b(issued|invoices?|credit|net|written|to|of|months?|closed|open|true-up|cost|charged|charges?|"
    r"settlement|result|revenue|activity|share|period|statement|over|adopted|change|changed|"
    r"members?|tariffs?|valid|imported|rows?|from|files?|number|kind|due|amount|price|quantity|unit|item|"
    r"yet|not|run|the|and|or|by|under|against|with|less|income|received|passed|allocation|support|"
    r"operational|development|social|security|other|year|hour|zero|yes|no|markup|"
    r"proposed|recovery|difference|model|method|user|added|disabled|enabled|sessions?|tokens?|ended|"
    r"every|password|role|is|now|Period|Invoice|Member|Tariff|Cost|Share|Revenue|Activity|Result)\b"
)
# and the words the French of a report never holds but its Dutch may, or the other way round
ENGLISH_NL = re.compile(
    r"\b(documents|services|centres|total|projection|notes|infrastructure|Services|Centres|Documents|Total)\b"
)

# What a report quotes as it is: the association's own data (names, titles), codes, commands
DATA = (
    "Member A agency",
    "Member B institute",
    "Case system A",
    "VMs of A",
    "VMs of B",
    "Test association",
    "Licence purchase",
    "`mutua model import`",
    "BilledCost",
    "VATEX-EU-132-1F",
    "FOCUS",
    "UTC",
    "medior",
    "senior",
)

COMMANDS_READ = (
    ("invoices", "list", "--period", "2025-01"),
    ("invoices", "show", "2025-000001"),
    ("status", "2025"),
    ("statement", "--member", world.MEMBER_A, "--period", "2025-01"),
    ("report", "2025"),
    ("tariffs", "list", "2025"),
    ("tariffs", "list", "2026"),
    ("invoices", "list", "--period", "2025-02"),
    ("scenario", "compare", "2025", "--method", "direct"),
    ("scenario", "list"),
)


@pytest.fixture(scope="module")
def options(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``--data-dir`` of a SQLite database holding the small association, January invoiced on 3
    February (in English: the reports say what they said before)."""
    folder = tmp_path_factory.mktemp("cli-language")
    engine = open_engine(Settings(data_dir=folder / "data"))
    world.build(engine, folder / "input", users=False)
    engine.dispose()
    opts = ["--data-dir", str(folder / "data")]
    issued = runner.invoke(app, [*opts, "--lang", "en", "invoices", "issue", "2025-01", "--date", "2025-02-03"])
    assert issued.exit_code == 0, issued.output
    assert "invoices 2025-01: 2 documents issued on 2025-02-03 (2 invoices, 0 credit notes)" in issued.output
    return opts


def mutua(options: list[str], lang: str, *args: str) -> str:
    result = runner.invoke(app, [*options, "--lang", lang, *args], terminal_width=300, env={"COLUMNS": "300"})
    assert result.exit_code == 0, (args, result.output)
    return result.output


def lines(output: str) -> list[str]:
    """The lines of a report, its tables' frames and padding taken out."""
    found = []
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]
        if cells and not set("".join(cells)) <= set("━─┏┓┗┛┡┩└┘┳┻╇┴┬╋┼ "):
            found.append(" ".join(cells))
    return found


def english(text: str, lang: str, *codes: str) -> list[str]:
    for code in sorted((*DATA, *codes), key=len, reverse=True):
        text = text.replace(code, " ")
    found = ENGLISH.findall(text)
    return found + (ENGLISH_NL.findall(text) if lang == "nl" else [])


def assert_no_english(output: str, lang: str, *codes: str) -> None:
    leaks = [ln for ln in lines(output) if english(ln, lang, *codes)]
    assert leaks == [], (lang, leaks)


def money(amount: Decimal | str, lang: str) -> str:
    number = format_number(Decimal(amount), lang, 2)
    return f"{number}\u00a0EUR" if lang == "fr" else f"EUR {number}"


def test_the_invoices_list_and_a_document_read_in_french_and_dutch(options: list[str]) -> None:
    listed = json.loads(mutua(options, "fr", "invoices", "list", "--period", "2025-01", "--json"))
    assert listed[0]["kind"] == "invoice"  # the JSON keeps its codes
    total = sum((Decimal(d["total"]) for d in listed), Decimal("0.00"))
    french = mutua(options, "fr", "invoices", "list", "--period", "2025-01")
    said = lines(french)
    header = next(ln for ln in said if ln.startswith("Numéro"))
    assert header.split() == ["Numéro", "Type", "Période", "Membre", "Émis", "le", "Échéance", "Total"]
    assert any(ln.startswith("2025-000001 Facture 2025-01 Member A agency 3 févr. 2025 5 mars 2025") for ln in said)
    assert f"2 documents ; factures moins notes de crédit {money(total, 'fr')}" in said
    assert money(Decimal("1234.5"), "fr") == "1\u202f234,50\u00a0EUR"  # French groups with a narrow space
    assert_no_english(french, "fr")
    dutch = mutua(options, "nl", "invoices", "list", "--period", "2025-01")
    said = lines(dutch)
    assert "Nummer Soort Periode Lid Uitgereikt Vervaldag Totaal" in said
    assert any(ln.startswith("2025-000001 Factuur 2025-01 Member A agency 3 feb 2025 5 mrt 2025") for ln in said)
    assert f"2 documenten; facturen min creditnota's {money(total, 'nl')}" in said
    assert money(total, "nl").startswith("EUR ") and "," in money(total, "nl")
    assert_no_english(dutch, "nl")
    shown = mutua(options, "fr", "invoices", "show", "2025-000001")
    said = lines(shown)
    assert said[0].startswith("Facture 2025-000001 (Période, 2025-01) à Member A agency (0200000043) ; émis le 3 ")
    assert "Engagement Article Quantité Unité Prix Montant" in said
    assert any(ln.startswith("PRJ-A Développement (medior) 8 heure 60,00 480,00") for ln in said), said
    assert any(ln.startswith("total ") and "EUR (exonéré de TVA, VATEX-EU-132-1F)" in ln for ln in said)
    assert_no_english(shown, "fr")
    assert_no_english(mutua(options, "nl", "invoices", "show", "2025-000001"), "nl")


def test_the_close_status_statement_and_report_read_in_french_and_dutch(options: list[str]) -> None:
    status = lines(mutua(options, "nl", "status", "2025"))
    assert "Periode Status" in status and "2025-01 Afgesloten" in status and "2025-02 Open" in status
    assert "1 van 12 maanden afgesloten; afrekening: niet uitgevoerd" in status
    status = lines(mutua(options, "fr", "status", "2025"))
    assert "1 mois sur 12 clôturé ; régularisation : pas effectuée" in status  # French: 1 is singular
    assert "2025-02 Ouvert" in status
    data = json.loads(mutua(options, "fr", "statement", "--member", world.MEMBER_A, "--period", "2025-01", "--json"))
    statement = mutua(options, "fr", "statement", "--member", world.MEMBER_A, "--period", "2025-01")
    said = lines(statement)
    assert said[0] == "Member A agency (0200000043), relevé 2025-01"
    assert "Service Détail Quantité Unité Tarif Montant" in said
    assert any(ln.startswith("total de la période ") and "; à ce jour " in ln for ln in said)
    assert any(money(data["period_total"], "fr") in ln for ln in said)
    assert_no_english(statement, "fr")
    dutch = mutua(options, "nl", "statement", "--member", world.MEMBER_A, "--period", "2025-01")
    assert any(ln.startswith("totaal deze periode EUR ") for ln in lines(dutch))
    assert any("uur" in ln for ln in lines(dutch))  # the unit (hour)
    assert_no_english(dutch, "nl")
    report = mutua(options, "fr", "report", "2025")
    said = lines(report)
    assert said[0] == "Test association : rapport 2025 (1 mois clôturé, régularisation : pas effectuée)"
    assert "Coût par centre de frais (répartition des centres auxiliaires : répartition en cascade)" in said
    assert any(ln.startswith("ADM Administration générale auxiliaire") for ln in said)
    assert "Groupe de clients Chiffre d'affaires Part" in said
    assert any(ln.startswith("sécurité sociale ") and ln.endswith("\u00a0%") for ln in said), said
    assert_no_english(report, "fr")
    report = mutua(options, "nl", "report", "2025")
    said = lines(report)
    assert said[0] == "Test association: verslag 2025 (1 maand afgesloten, afrekening: niet uitgevoerd)"
    assert any(ln.startswith("DEV-H Ontwikkeling ontwikkeling ") for ln in said), said
    assert any(ln.startswith("kosten EUR ") and "nulresultaat" in ln for ln in said)
    assert_no_english(report, "nl")


def test_tariffs_the_cost_model_and_a_scenario_read_in_french_and_dutch(options: list[str], tmp_path: Path) -> None:
    tariffs = lines(mutua(options, "fr", "tariffs", "list", "2025"))
    assert "Tarifs 2025" in tariffs
    assert any(ln.startswith("VMAAS Machines virtuelles consommation heure-VM 0,50\u00a0EUR") for ln in tariffs)
    assert any("medior 60,00" in ln and "EUR/h" in ln for ln in tariffs)
    missing = mutua(options, "nl", "tariffs", "list", "2026")
    assert "geen tarieven voor 2026 in het geldende kostenmodel" in missing
    model = tmp_path / "model.yaml"
    model.write_text(world.COST_MODEL, encoding="utf-8")
    assert "valide : 3 centres de frais, 2 services, 2 tarifs, 0 compteur" in mutua(
        options, "fr", "model", "validate", str(model)
    )
    assert "geldig: 3 kostenplaatsen, 2 diensten, 2 tarieven, 0 meters" in mutua(
        options, "nl", "model", "validate", str(model)
    )
    scenario = mutua(options, "fr", "scenario", "compare", "2025", "--method", "direct")
    said = lines(scenario)
    assert said[0].startswith("scénario (une autre méthode de répartition) : 2025 selon ")
    assert "(répartition directe, tarifs 2025)" in said[0] and said[0].endswith("; 1 mois")
    assert "Adopté Scénario Écart %" in said
    assert any(ln.startswith("adopté : coût ") and "résultat nul : oui" in ln for ln in said)
    assert_no_english(scenario, "fr", "t1")
    dutch = mutua(options, "nl", "scenario", "compare", "2025", "--method", "direct")
    assert any(ln.startswith("Kosten per kostenplaats na verdeling") for ln in lines(dutch))
    assert_no_english(dutch, "nl", "t1")
    assert "nog geen scenario bewaard" in mutua(options, "nl", "scenario", "list")


def test_exports_say_what_they_wrote_in_french_and_dutch(options: list[str], tmp_path: Path) -> None:
    focus = tmp_path / "focus.csv"
    said = mutua(options, "fr", "export", "focus", "--year", "2025", "-o", str(focus)).replace("\n", "")
    header = focus.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "BilledCost" in header  # the file keeps FOCUS's column names in every language
    assert re.search(r"\d+ lignes FOCUS, BilledCost [\d\u202f]+,\d\d\u00a0EUR, écrites dans ", said), said
    folder = tmp_path / "ubl"
    said = mutua(options, "nl", "invoices", "export", "--period", "2025-01", "--no-pdf", "-o", str(folder))
    assert f"2 bestanden geschreven naar {folder}" in said.replace("\n", "")
    english_ = mutua(options, "en", "invoices", "export", "--period", "2025-01", "--no-pdf", "-o", str(folder))
    assert f"2 files written to {folder}" in english_.replace("\n", "")


def test_joint_purchasing_reads_in_french_and_dutch(options: list[str]) -> None:
    agreements = [re.sub(" +", " ", ln) for ln in lines(mutua(options, "fr", "purchasing", "agreements"))]
    assert agreements[0].startswith("CSMART-2025-PC 1 janv. 2025 au 31 déc. 2027 ")
    assert "900\u202f000,00\u00a0EUR 1 lot, 1 membre PC et portables" in agreements[0]
    agreements = lines(mutua(options, "nl", "purchasing", "agreements"))
    assert "EUR 900.000,00 1 perceel, 1 lid Pc's en laptops" in re.sub(" +", " ", agreements[0])
    orders = lines(mutua(options, "nl", "purchasing", "orders"))
    assert (
        re.sub(r"\s+", " ", orders[0]) == "PO-2025-000001 0200000043 CSMART-2025-PC perceel 1 ECON geplaatst 1.599,98"
    )
    said = dict.fromkeys(("fr", "nl"), "")
    for lang in said:
        for args in (("consumption",), ("savings",), ("statements",), ("alerts", "--on", "2025-06-01"), ("funding",)):
            said[lang] += mutua(options, lang, "purchasing", *args)
        assert_no_english(said[lang], lang, "CSMART-2025-PC", "ECON", "PUR", "COM-2025-000001", "2025-Q1")
    assert "financement  2025 : produits des commissions 84,00\u00a0EUR (1 relevé)" in said["fr"]
    assert "aucune alerte" in said["fr"] and "geen waarschuwingen" in said["nl"]
    assert "  perceel 1 " in said["nl"] and "bespaard" in said["nl"]


def test_a_close_an_issue_imports_and_accounts_read_in_french_and_dutch(tmp_path: Path) -> None:
    engine = open_engine(Settings(data_dir=tmp_path / "data"))
    world.build(engine, tmp_path / "input", users=False)
    engine.dispose()
    options = ["--data-dir", str(tmp_path / "data")]
    closed = mutua(options, "fr", "close", "2025-02")
    result = json.loads(mutua(options, "en", "report", "2025", "--json"))
    assert result["periods_closed"] == 2
    assert re.search(r"2025-02 clôturé : \d+ imputations, [\d\u202f]+,\d\d\u00a0EUR imputés ; coût direct ", closed)
    issued = mutua(options, "nl", "invoices", "issue", "2025-02", "--date", "2025-03-03")
    assert re.search(
        r"facturen 2025-02: 2 documenten uitgereikt op 3 mrt 2025 \(2 facturen, 0 creditnota's\), "
        r"2025-000001 tot 2025-000002; netto EUR [\d.]+,\d\d",
        issued.replace("\n", " "),
    ), issued
    assert_no_english(issued, "nl")
    ledger = tmp_path / "ledger-3.csv"
    ledger.write_text(world.ledger(3), encoding="utf-8")
    imported = mutua(options, "fr", "import", "ledger", str(ledger))
    assert "3 lignes du grand livre importées depuis" in imported and "(import " in imported
    usage = tmp_path / "usage-3.csv"
    usage.write_text(world.usage(3), encoding="utf-8")
    assert "2 verbruiksregels ingelezen uit" in mutua(options, "nl", "import", "usage", str(usage))
    added = mutua(options, "nl", "users", "add", "bob", "--role", "admin", "--password", "a long passphrase 7")
    assert "gebruiker 'bob' (beheerder) toegevoegd" in added
    disabled = mutua(options, "fr", "users", "disable", "bob")
    assert "utilisateur 'bob' désactivé ; ses sessions et jetons ont pris fin" in disabled
    listed = mutua(options, "fr", "users", "list")
    assert re.search(r"bob\s+administrateur\s+désactivé", listed), listed


def test_the_audit_trail_reads_in_french_and_dutch_in_brussels_time(options: list[str]) -> None:
    entries = json.loads(mutua(options, "fr", "audit", "--json"))
    assert {"id", "at", "actor", "action", "entity", "entity_key", "detail"} == set(entries[0])  # JSON as before
    issued = next(e for e in entries if e["action"] == "issue_period")
    at = datetime.fromisoformat(str(issued["at"])).replace(tzinfo=UTC)
    brussels = ZoneInfo("Europe/Brussels")
    french = mutua(options, "fr", "audit")
    said = lines(french)
    assert said[0] == "Journal d'audit (heure de Bruxelles)"
    assert "Quand Qui Action Objet Référence" in said
    when = format_moment(at.replace(microsecond=0), "fr", brussels)  # Brussels time, not UTC
    assert at.astimezone(brussels).strftime("%H:%M:%S") in when and "," in when
    assert any(ln.startswith(when) and ln.endswith("émission du mois période 2025-01") for ln in said), (when, said)
    assert any(ln.endswith("émission facture 2025-000001") for ln in said), said
    assert any(re.fullmatch(r"[\d\u202f]+ entrées, les plus récentes en premier", ln) for ln in said), said
    assert "Valeur non valide" not in french
    assert_no_english(french, "fr", "root", "test")
    dutch = mutua(options, "nl", "audit", "--limit", "2")
    said = lines(dutch)
    assert said[0] == "Auditspoor (Brusselse tijd)"
    assert "Wanneer Wie Actie Object Referentie" in said
    assert any(ln.endswith("uitreiking van de maand periode 2025-01") for ln in said), said
    assert "2 vermeldingen, de nieuwste eerst (--limit 4 toont oudere)" in said
    assert_no_english(dutch, "nl", "root", "test")
    english = lines(mutua(options, "en", "audit"))
    assert english[0] == "Audit trail (Brussels time)" and "When Who Action Object Reference" in english
    iso = at.astimezone(brussels).isoformat(sep=" ", timespec="seconds")  # 2025-02-03 14:05:09+01:00
    assert any(ln.startswith(iso) and ln.endswith("issue_period period 2025-01") for ln in english), english


def refusal(options: list[str], lang: str, *args: str, env: dict[str, str | None] | None = None) -> str:
    """What a refused command says (exit code 2), its frame and line breaks taken out."""
    result = runner.invoke(app, [*options, "--lang", lang, *args], terminal_width=300, env=env)
    assert result.exit_code == 2, (args, result.output)
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())


def test_a_refused_option_is_said_in_french_and_dutch(options: list[str], tmp_path: Path) -> None:
    folder = str(tmp_path / "out")
    said = refusal(options, "fr", "invoices", "export", "-o", folder)
    assert "Valeur non valide : donnez --period YYYY-MM ou --number" in said, said
    said = refusal(options, "nl", "invoices", "export", "-o", folder)
    assert "Ongeldige waarde: geef --period YYYY-MM of --number" in said, said
    said = refusal(options, "en", "invoices", "export", "-o", folder)
    assert "Invalid value: give --period YYYY-MM or --number" in said, said  # English as before
    said = refusal(options, "fr", "invoices", "issue", "2025-02", "--date", "2025-13-01")
    assert "pas une date (AAAA-MM-JJ) : 2025-13-01" in said, said
    said = refusal(options, "nl", "purchasing", "orders", "--status", "lost")
    assert "de status moet een van deze zijn: draft, approved, placed," in said, said
    said = refusal(options, "fr", "statement", "--member", "123", "--period", "2025-01")
    assert "pas un numéro d'entreprise belge valide : '123'" in said, said
    said = refusal(options, "nl", "statement", "--member", world.MEMBER_A, "--period", "2025-13")
    assert "Ongeldige waarde: de maand moet 1-12 zijn, niet 13" in said, said
    said = refusal(options, "fr", "purchasing", "order", world.MEMBER_A, "CSMART-2025-PC", "1", "ECON", "PC-1")
    assert "les lignes s'écrivent KEY=QUANTITY, pas 'PC-1'" in said, said
    said = refusal(options, "nl", "purchasing", "ocds", "-o", folder, "--prefix", "ocds-x")
    assert "een OCID-prefix is ocds- en zes letters of cijfers, niet 'ocds-x'" in said, said
    said = refusal(options, "nl", "true-up", "2025", "--mode", "later")
    assert "Ongeldige waarde: de modus moet settle of carry_forward zijn" in said, said
    system = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "fr_BE.UTF-8", "MUTUA_LANG": None}
    said = refusal(options, "xx", "audit", env=system)  # no language asked for: the system's
    assert "Valeur non valide pour --lang : pas une langue de Mutua (nl, fr, en) : xx" in said, said
    for lang in ("fr", "nl"):
        said = refusal(options, lang, "purchasing", "orders", "--status", "lost")
        assert "Invalid value" not in said and "must be" not in said, said


def test_purchasing_alerts_write_their_days_as_the_reader_does(options: list[str]) -> None:
    french = mutua(options, "fr", "purchasing", "alerts", "--on", "2027-10-01")
    assert "échéance CSMART-2025-PC se termine le 31 déc. 2027 (91 jours) et ne peut pas être reconduit" in french
    assert "2027-12-31" not in french
    dutch = mutua(options, "nl", "purchasing", "alerts", "--on", "2027-10-01")
    assert "einde    CSMART-2025-PC loopt af op 31 dec 2027 (91 dagen) en kan niet verlengd worden" in dutch
    assert "2027-12-31" not in dutch
    english = mutua(options, "en", "purchasing", "alerts", "--on", "2027-10-01")
    assert "expiry   CSMART-2025-PC ends on 2027-12-31 (91 days) and cannot be renewed" in english
    ended = json.loads(mutua(options, "fr", "purchasing", "alerts", "--on", "2028-02-01", "--json"))
    assert ended[0]["due"] == "2027-12-31" and "ended on 2027-12-31" in ended[0]["message"]  # JSON as before
    assert "CSMART-2025-PC a pris fin le 31 déc. 2027" in mutua(
        options, "fr", "purchasing", "alerts", "--on", "2028-02-01"
    )


# -- every message the commands say is in the catalogue, in Dutch and French -------------------------

CLIS = ("billing", "charging", "costing", "scenarios", "demo", "access", "purchasing", "metering")


def _said_in(path: Path) -> tuple[set[str], set[str]]:
    """The messages a command module says (``say("...")``, ``refused("...")``, an upper-case
    dictionary's values), and the singular forms of its counts (``counted(n, "...", "...")``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    said: set[str] = set()
    counted: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id in ("say", "refused") and texts:
                said.add(texts[0])
            elif node.func.id == "counted" and texts:
                counted.add(texts[0])
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(n.isupper() for n in names):
                for value in node.value.values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        said.add(value.value)
                    elif isinstance(value, ast.Tuple):  # (singular, plural)
                        first = value.elts[0]
                        if isinstance(first, ast.Constant) and isinstance(first.value, str):
                            counted.add(first.value)
    return said, counted


def _modules() -> Iterable[Path]:
    yield SRC / "platform" / "cli" / "output.py"
    yield SRC / "platform" / "cli" / "app.py"  # audit
    yield SRC / "purchasing" / "cli_publish.py"
    for name in CLIS:
        yield SRC / name / "cli.py"


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_every_message_of_the_commands_is_in_the_catalogue_of_each_language(lang: str) -> None:
    said: set[str] = set()
    counted: set[str] = set()
    for path in _modules():
        found, counts = _said_in(path)
        said |= found
        counted |= counts
    assert len(said) > 100 and len(counted) > 20
    catalogue = _catalogue(lang, "messages")
    plurals, _ = _plural_catalogue(lang, "messages")
    assert sorted(m for m in said if m not in catalogue) == []
    assert sorted(m for m in counted if m not in plurals) == []
    if lang != "en":  # translated (the words Dutch or French write the same way aside)
        same = {m for m in said if catalogue[m] == m}
        kept = {"Direct", "Status", "Total", "Service", "Scenario", "Open", "Detail", "scenario", "scenario {name}"}
        kept |= {"Correction", "Engagements", "{number}  {supplier} base {base}  commission {commission}"}
        kept |= {"{number}  {member}  {agreement} lot {lot}  {supplier} {status} {value}"}  # French says the same
        kept |= {"Engagement", "Maximum", "Meter", "Segments", "Action", "Object"}  # metering's, the audit's headers
        assert same <= {*kept, "(batch {batch})"}, same
