"""Writes the catalogues of what the domain names and says (src/mutua/locale/{nl,fr,en}/LC_MESSAGES/):

- ``units.po``: the billing units in words (``hour``, ``GB-month``, ``EUR at cost``), for the units a
  cost model does not translate itself (a service's ``units: {nl, fr, en}`` wins);
- ``messages.po``: the codes a member reads (roles, methods, modes, actions) and the problems and
  refusals of the domain, as templates: ``no {year} tariff for service {service} ({name})`` matches
  the whole message and its values are put back in (:func:`mutua.platform.i18n.translate_message`).

The English text is the message id; this table holds its Dutch and French. Run after changing it:
``.venv/bin/python scripts/i18n_catalogues.py``.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

UNITS: dict[str, tuple[str, str]] = {
    "hour": ("uur", "heure"),
    "hours": ("uren", "heures"),
    "h": ("u", "h"),
    "day": ("dag", "jour"),
    "month": ("maand", "mois"),
    "months": ("maanden", "mois"),
    "year": ("jaar", "an"),
    "VM-hour": ("VM-uur", "heure-VM"),
    "vCPU-month": ("vCPU-maand", "vCPU-mois"),
    "GB-month": ("GB-maand", "Go-mois"),
    "TB-month": ("TB-maand", "To-mois"),
    "GB": ("GB", "Go"),
    "rack-month": ("rackmaand", "baie-mois"),
    "1000 calls": ("1000 oproepen", "1000 appels"),
    "call": ("oproep", "appel"),
    "contact": ("contact", "contact"),
    "document": ("document", "document"),
    "page": ("pagina", "page"),
    "user": ("gebruiker", "utilisateur"),
    "user-month": ("gebruikersmaand", "utilisateur-mois"),
    "licence": ("licentie", "licence"),
    "piece": ("stuk", "pièce"),
    "EUR at cost": ("EUR tegen kostprijs", "EUR au prix coûtant"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    # codes shown to a member: roles, support allocation methods, true-up modes, actions
    "admin": ("beheerder", "administrateur"),
    "controller": ("controller", "contrôleur de gestion"),
    "budget_holder": ("budgethouder", "gestionnaire de budget"),
    "service_owner": ("diensteigenaar", "responsable de service"),
    "auditor": ("auditor", "auditeur"),
    "buyer": ("aankoper", "acheteur"),
    "purchasing_officer": ("aankoopverantwoordelijke", "responsable des achats"),
    "direct": ("rechtstreekse verdeling", "répartition directe"),
    "step_down": ("trapsgewijze verdeling", "répartition en cascade"),
    "reciprocal": ("wederkerige verdeling", "répartition réciproque"),
    "settle": ("nu verrekenen", "régler maintenant"),
    "carry_forward": ("overdragen naar volgend jaar", "reporter sur l'année suivante"),
    "read association": ("de gegevens van de vereniging lezen", "lire les données de l'association"),
    "read audit": ("het auditspoor lezen", "lire la piste d'audit"),
    "manage users": ("gebruikers beheren", "gérer les utilisateurs"),
    "purchase": ("aankopen", "acheter"),
    "manage purchasing": ("aankopen beheren", "gérer les achats"),
    # where a problem is
    "cost model": ("kostenmodel", "modèle de coûts"),
    "tariffs": ("tarieven", "tarifs"),
    "request": ("verzoek", "requête"),
    "input": ("invoer", "données"),
    "period": ("periode", "période"),
    "close": ("afsluiting", "clôture"),
    "engagements": ("engagementen", "engagements"),
    "weight": ("gewicht", "poids"),
    "members": ("leden", "membres"),
    "ledger": ("grootboek", "grand livre"),
    "usage": ("verbruik", "consommation"),
    "time": ("prestaties", "prestations"),
    # refusals (HTTP and the domain's)
    "Not Found": ("Niet gevonden", "Introuvable"),
    "Method Not Allowed": ("Methode niet toegestaan", "Méthode non autorisée"),
    "log in first": ("meld u eerst aan", "connectez-vous d'abord"),
    "wrong username or password": (
        "verkeerde gebruikersnaam of wachtwoord",
        "nom d'utilisateur ou mot de passe incorrect",
    ),
    "invalid or expired token": ("ongeldig of verlopen token", "jeton invalide ou expiré"),
    "missing or wrong CSRF token: reload the page and try again": (
        "CSRF-token ontbreekt of is fout: laad de pagina opnieuw en probeer nog eens",
        "jeton CSRF manquant ou incorrect : rechargez la page et réessayez",
    ),
    "{user} ({role}) may not {action}": ("{user} ({role}) mag niet {action}", "{user} ({role}) ne peut pas {action}"),
    "{what} rejected: {n} problem, nothing written": (
        "{what} geweigerd: {n} probleem, niets geboekt",
        "{what} refusé(e) : {n} erreur, rien n'est enregistré",
    ),
    "{what} rejected: {n} problems, nothing written": (
        "{what} geweigerd: {n} problemen, niets geboekt",
        "{what} refusé(e) : {n} erreurs, rien n'est enregistré",
    ),
    "no member with enterprise number {member}": (
        "geen lid met ondernemingsnummer {member}",
        "aucun membre avec le numéro d'entreprise {member}",
    ),
    "no engagement {code}": ("geen engagement {code}", "aucun engagement {code}"),
    "no invoice {number}": ("geen factuur {number}", "aucune facture {number}"),
    "no document numbered {number}": ("geen document met nummer {number}", "aucun document portant le numéro {number}"),
    "no PDF statement of {member} for {period}": (
        "geen PDF-overzicht van {member} voor {period}",
        "aucun relevé PDF de {member} pour {period}",
    ),
    "no {format} document for invoice {number}": (
        "geen {format}-document voor factuur {number}",
        "aucun document {format} pour la facture {number}",
    ),
    "no user {username}": ("geen gebruiker {username}", "aucun utilisateur {username}"),
    "user {username} is disabled": ("gebruiker {username} is uitgeschakeld", "l'utilisateur {username} est désactivé"),
    "user {username} exists already": ("gebruiker {username} bestaat al", "l'utilisateur {username} existe déjà"),
    "no cost model has been imported yet": (
        "er is nog geen kostenmodel ingelezen",
        "aucun modèle de coûts n'a encore été importé",
    ),
    "no cost model has been imported yet: run `mutua model import FILE`": (
        "er is nog geen kostenmodel ingelezen: voer `mutua model import BESTAND` uit",
        "aucun modèle de coûts n'a encore été importé : lancez `mutua model import FICHIER`",
    ),
    "period {period} is already closed": ("periode {period} is al afgesloten", "la période {period} est déjà clôturée"),
    "period {period} is not closed: close it before invoicing": (
        "periode {period} is niet afgesloten: sluit ze af voor u factureert",
        "la période {period} n'est pas clôturée : clôturez-la avant de facturer",
    ),
    "period {period} is in the future: nothing is charged yet": (
        "periode {period} ligt in de toekomst: er is nog niets aangerekend",
        "la période {period} est dans le futur : rien n'est encore imputé",
    ),
    "period {period} is not closed yet: nothing is charged yet": (
        "periode {period} is nog niet afgesloten: er is nog niets aangerekend",
        "la période {period} n'est pas encore clôturée : rien n'est encore imputé",
    ),
    "close {period} first: periods are closed in order": (
        "sluit eerst {period} af: maanden worden in volgorde afgesloten",
        "clôturez d'abord {period} : les mois se clôturent dans l'ordre",
    ),
    "the true-up of {year} needs every month closed; still open: {months}": (
        "de afrekening van {year} vraagt dat elke maand afgesloten is; nog open: {months}",
        "la régularisation de {year} exige que chaque mois soit clôturé ; encore ouverts : {months}",
    ),
    "the true-up of {year} was already run; corrections are credit notes in an open period": (
        "de afrekening van {year} is al uitgevoerd; correcties zijn creditnota's in een open periode",
        "la régularisation de {year} a déjà été effectuée ; les corrections sont des notes de crédit dans une "
        "période ouverte",
    ),
    "no closed period in {period}": ("geen afgesloten periode in {period}", "aucune période clôturée en {period}"),
    "the true-up of {year} has not been run": (
        "de afrekening van {year} is nog niet uitgevoerd",
        "la régularisation de {year} n'a pas encore été effectuée",
    ),
    "the invoices of {period} were already issued": (
        "de facturen van {period} zijn al uitgereikt",
        "les factures de {period} ont déjà été émises",
    ),
    "every month of {year} must be closed before proposing {next}'s tariffs": (
        "elke maand van {year} moet afgesloten zijn voor de tarieven van {next} voorgesteld worden",
        "chaque mois de {year} doit être clôturé avant de proposer les tarifs de {next}",
    ),
    "no {year} tariff for service {service} ({name})": (
        "geen tarief {year} voor dienst {service} ({name})",
        "pas de tarif {year} pour le service {service} ({name})",
    ),
    "no {year} tariff for service {service}": (
        "geen tarief {year} voor dienst {service}",
        "pas de tarif {year} pour le service {service}",
    ),
    "charged to {member}, not its member": (
        "aangerekend aan {member}, niet aan zijn lid",
        "imputé à {member}, pas à son membre",
    ),
    "the engagements sharing {service} all have weight 0": (
        "de engagementen die {service} delen hebben allemaal gewicht 0",
        "les engagements qui partagent {service} ont tous un poids de 0",
    ),
    "engagement {code}": ("engagement {code}", "engagement {code}"),
    "not a period (YYYY-MM): {text}": ("geen periode (JJJJ-MM): {text}", "pas une période (AAAA-MM) : {text}"),
    "month must be 1-12, not {month}": ("de maand moet 1-12 zijn, niet {month}", "le mois doit être 1-12, pas {month}"),
    "year out of range: {year}": ("jaar buiten bereik: {year}", "année hors limites : {year}"),
    "String should match pattern {pattern}": (
        "tekst moet passen in patroon {pattern}",
        "le texte doit suivre le motif {pattern}",
    ),
    "Input should be a valid integer, unable to parse string as an integer": (
        "moet een geheel getal zijn",
        "doit être un nombre entier",
    ),
    "Input should be less than or equal to {n}": ("moet ten hoogste {n} zijn", "doit être au plus {n}"),
    "Input should be greater than or equal to {n}": ("moet minstens {n} zijn", "doit être au moins {n}"),
    # scenarios and the ledger's formats (issue 13, items 3 and 6)
    "no scenario named {name}": ("geen scenario met de naam {name}", "aucun scénario nommé {name}"),
    "a scenario named {name} already exists": (
        "er bestaat al een scenario met de naam {name}",
        "un scénario nommé {name} existe déjà",
    ),
    "scenario {name} was already adopted": (
        "scenario {name} werd al aangenomen",
        "le scénario {name} a déjà été adopté",
    ),
    "scenario {name} was already adopted (decision {decision})": (
        "scenario {name} werd al aangenomen (beslissing {decision})",
        "le scénario {name} a déjà été adopté (décision {decision})",
    ),
    "{period} is closed: a model adopted from {day} would change a closed month; adopt it from {next} or later": (
        "{period} is afgesloten: een model aangenomen vanaf {day} zou een afgesloten maand wijzigen; "
        "neem het aan vanaf {next} of later",
        "{period} est clôturé : un modèle adopté à partir du {day} modifierait un mois clôturé ; "
        "adoptez-le à partir du {next} ou plus tard",
    ),
    "give the reference of the decision that adopts it": (
        "geef de referentie van de beslissing die het aanneemt",
        "donnez la référence de la décision qui l'adopte",
    ),
    "{day} is not the first day of a month": (
        "{day} is niet de eerste dag van een maand",
        "{day} n'est pas le premier jour d'un mois",
    ),
    "at most 200 characters": ("ten hoogste 200 tekens", "200 caractères au plus"),
    "at most 1000 characters": ("ten hoogste 1000 tekens", "1000 caractères au plus"),
    "a scenario needs a name": ("een scenario heeft een naam nodig", "un scénario doit avoir un nom"),
    "a scenario's name has at most 100 characters": (
        "de naam van een scenario heeft ten hoogste 100 tekens",
        "le nom d'un scénario a 100 caractères au plus",
    ),
    "a scenario's name has no control characters and no /": (
        "de naam van een scenario bevat geen stuurtekens en geen /",
        "le nom d'un scénario ne contient ni caractères de contrôle ni /",
    ),
    "give exactly one of: a model file, a method, the proposed tariffs": (
        "geef precies één van: een modelbestand, een methode, de voorgestelde tarieven",
        "donnez exactement un des éléments suivants : un fichier de modèle, une méthode, les tarifs proposés",
    ),
    "choose a cost model file": ("kies een kostenmodelbestand", "choisissez un fichier de modèle de coûts"),
    "the model file is larger than 1 MB": ("het modelbestand is groter dan 1 MB", "le fichier du modèle dépasse 1 Mo"),
    "scenario": ("scenario", "scénario"),
    "adoption": ("aanneming", "adoption"),
    "{value} is not a number written with a decimal comma ('.' between thousands)": (
        "{value} is geen getal geschreven met een decimale komma ('.' tussen de duizendtallen)",
        "{value} n'est pas un nombre écrit avec une virgule décimale ('.' entre les milliers)",
    ),
    "{value} is not a number written with a decimal point (',' between thousands)": (
        "{value} is geen getal geschreven met een decimale punt (',' tussen de duizendtallen)",
        "{value} n'est pas un nombre écrit avec un point décimal (',' entre les milliers)",
    ),
    "{value} is ambiguous: {point} with a decimal point, {comma} with a decimal comma; "
    "declare the file's convention (ledger_format.decimal in the cost model) or write it unambiguously": (
        "{value} is dubbelzinnig: {point} met een decimale punt, {comma} met een decimale komma; "
        "geef de schrijfwijze van het bestand op (ledger_format.decimal in het kostenmodel) "
        "of schrijf het ondubbelzinnig",
        "{value} est ambigu : {point} avec un point décimal, {comma} avec une virgule décimale ; "
        "déclarez la convention du fichier (ledger_format.decimal dans le modèle de coûts) "
        "ou écrivez-le sans ambiguïté",
    ),
    "{value} is not a period written as {form}": (
        "{value} is geen periode geschreven als {form}",
        "{value} n'est pas une période écrite comme {form}",
    ),
    "column is missing from the header ({field})": (
        "de kolom ontbreekt in de kopregel ({field})",
        "la colonne manque dans l'en-tête ({field})",
    ),
    "is empty (give an amount, or a debit or a credit)": (
        "is leeg (geef een bedrag, of een debet of een credit)",
        "est vide (donnez un montant, ou un débit ou un crédit)",
    ),
    "not {encoding} text (byte {byte}); declare the encoding": (
        "geen {encoding}-tekst (byte {byte}); geef de codering op",
        "pas du texte {encoding} (octet {byte}) ; déclarez l'encodage",
    ),
    "no sheet {sheet} (sheets: {sheets})": (
        "geen werkblad {sheet} (werkbladen: {sheets})",
        "pas de feuille {sheet} (feuilles : {sheets})",
    ),
    "not a readable XLSX workbook: {kind}": (
        "geen leesbare XLSX-werkmap: {kind}",
        "pas un classeur XLSX lisible : {kind}",
    ),
    "a decimal comma needs another delimiter than ',' (';' or tab)": (
        "een decimale komma vraagt een ander scheidingsteken dan ',' (';' of tab)",
        "une virgule décimale demande un autre séparateur que ',' (';' ou tabulation)",
    ),
    "map either amount, or debit and credit, not both": (
        "koppel ofwel amount, ofwel debit en credit, niet beide",
        "associez soit amount, soit debit et credit, pas les deux",
    ),
    "is missing (map amount, or debit and credit)": (
        "ontbreekt (koppel amount, of debit en credit)",
        "manque (associez amount, ou debit et credit)",
    ),
    "is missing (the ledger needs it)": (
        "ontbreekt (het grootboek heeft het nodig)",
        "manque (le grand livre en a besoin)",
    ),
    "column {header} is already mapped to {field}": (
        "kolom {header} is al gekoppeld aan {field}",
        "la colonne {header} est déjà associée à {field}",
    ),
    "must be a line number from 1 to 1000, not {value}": (
        "moet een regelnummer van 1 tot 1000 zijn, niet {value}",
        "doit être un numéro de ligne de 1 à 1000, pas {value}",
    ),
}


def write(domain: str, table: dict[str, tuple[str, str]], root: Path) -> None:
    for index, lang in enumerate(("nl", "fr", "en")):
        catalog = Catalog(locale=lang, domain=domain, project="Mutua", version="1")
        for msgid, pair in table.items():
            catalog.add(msgid, msgid if lang == "en" else pair[index])
        folder = root / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"{domain}.po").open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


def main() -> None:
    root = Path(__file__).resolve().parents[1] / "src" / "mutua" / "locale"
    write("units", UNITS, root)
    write("messages", MESSAGES, root)


if __name__ == "__main__":
    main()
