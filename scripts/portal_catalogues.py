"""Writes the portal's message catalogues (src/mutua/locale/{nl,fr,en}/LC_MESSAGES/portal.po).

The English text in the code and templates is the message id; this table holds its Dutch and French.
Run after changing a message: ``.venv/bin/python scripts/portal_catalogues.py``. The test
``test_every_portal_message_is_translated`` fails when a message in a template has no translation.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

T: dict[str, tuple[str, str]] = {
    "Mutua portal": ("Mutua-portaal", "Portail Mutua"),
    "Skip to content": ("Naar de inhoud", "Aller au contenu"),
    "Main": ("Hoofdmenu", "Menu principal"),
    "Dashboard": ("Overzicht", "Tableau de bord"),
    "Usage": ("Verbruik", "Consommation"),
    "Invoices and statements": ("Facturen en overzichten", "Factures et relevés"),
    "Association": ("Vereniging", "Association"),
    "Members": ("Leden", "Membres"),
    "Member": ("Lid", "Membre"),
    "Close": ("Afsluiting", "Clôture"),
    "Allocation": ("Verdeling", "Répartition"),
    "Tariffs": ("Tarieven", "Tarifs"),
    "Tariff": ("Tarief", "Tarif"),
    "Language": ("Taal", "Langue"),
    "Log out": ("Afmelden", "Se déconnecter"),
    "Log in": ("Aanmelden", "Se connecter"),
    "Wrong username or password.": (
        "Verkeerde gebruikersnaam of wachtwoord.",
        "Nom d'utilisateur ou mot de passe incorrect.",
    ),
    "Log in with your organisation's account": (
        "Aanmelden met de account van uw organisatie",
        "Se connecter avec le compte de votre organisation",
    ),
    "Operations": ("Bewerkingen", "Opérations"),
    "Change password": ("Wachtwoord wijzigen", "Changer le mot de passe"),
    "Your password is changed. Every other session and token of yours has ended.": (
        "Uw wachtwoord is gewijzigd. Al uw andere sessies en tokens zijn beëindigd.",
        "Votre mot de passe est changé. Toutes vos autres sessions et jetons ont pris fin.",
    ),
    "Current password": ("Huidig wachtwoord", "Mot de passe actuel"),
    "New password": ("Nieuw wachtwoord", "Nouveau mot de passe"),
    "At least 12 characters; not a common password, not your username.": (
        "Minstens 12 tekens; geen veelgebruikt wachtwoord, niet uw gebruikersnaam.",
        "Au moins 12 caractères ; pas un mot de passe courant, pas votre nom d'utilisateur.",
    ),
    "User accounts": ("Gebruikersaccounts", "Comptes utilisateurs"),
    "Changes are audited; a reset, a role change or disabling ends the user's sessions and tokens.": (
        "Wijzigingen staan in het auditspoor; een nieuw wachtwoord, een andere rol of uitschakelen beëindigt "
        "de sessies en tokens van de gebruiker.",
        "Les modifications sont auditées ; une réinitialisation, un changement de rôle ou la désactivation met "
        "fin aux sessions et jetons de l'utilisateur.",
    ),
    "Role": ("Rol", "Rôle"),
    "Active": ("Actief", "Actif"),
    "Disabled": ("Uitgeschakeld", "Désactivé"),
    "Disable": ("Uitschakelen", "Désactiver"),
    "Enable": ("Inschakelen", "Activer"),
    "Change role": ("Rol wijzigen", "Changer le rôle"),
    "Reset password": ("Wachtwoord opnieuw instellen", "Réinitialiser le mot de passe"),
    "Method": ("Methode", "Méthode"),
    "Path": ("Pad", "Chemin"),
    "Parameters": ("Parameters", "Paramètres"),
    "What": ("Wat", "Quoi"),
    "Username": ("Gebruikersnaam", "Nom d'utilisateur"),
    "Password": ("Wachtwoord", "Mot de passe"),
    "Mutua: the association charges each member its share of the cost, at cost price.": (
        "Mutua: de vereniging rekent elk lid zijn deel van de kosten aan, tegen kostprijs.",
        "Mutua : l'association facture à chaque membre sa part des coûts, au prix coûtant.",
    ),
    "Something is not right": ("Er loopt iets mis", "Quelque chose ne va pas"),
    "Back to the start page": ("Terug naar de startpagina", "Retour à la page d'accueil"),
    "Year": ("Jaar", "Année"),
    "year": ("jaar", "an"),
    "Show": ("Tonen", "Afficher"),
    "Month": ("Maand", "Mois"),
    "Service": ("Dienst", "Service"),
    "Services": ("Diensten", "Services"),
    "Spend per month, by service": ("Uitgaven per maand, per dienst", "Dépenses par mois, par service"),
    "Spend to date per service": ("Uitgaven tot nu per dienst", "Dépenses à ce jour par service"),
    "Year to date and projection against budget": (
        "Tot nu en raming tegenover de begroting",
        "À ce jour et projection par rapport au budget",
    ),
    "Year to date against budget": ("Tot nu tegenover de begroting", "À ce jour par rapport au budget"),
    "Spent to date": ("Uitgegeven tot nu", "Dépensé à ce jour"),
    "Projection": ("Raming", "Projection"),
    "Projection to year end": ("Raming tot het jaareinde", "Projection jusqu'à la fin de l'année"),
    "Budget": ("Begroting", "Budget"),
    "Range": ("Vork", "Fourchette"),
    "over budget": ("boven de begroting", "au-delà du budget"),
    "The projection adds the average monthly spend for each month an engagement is still active, plus the "
    "commitments still to come; the range uses the lowest and the highest month instead of the average.": (
        "De raming telt de gemiddelde maandelijkse uitgave op voor elke maand dat een engagement nog loopt, plus "
        "de verbintenissen die nog komen; de vork gebruikt de laagste en de hoogste maand in plaats van "
        "het gemiddelde.",
        "La projection ajoute la dépense mensuelle moyenne pour chaque mois où un engagement court encore, plus les "
        "engagements fermes à venir ; la fourchette utilise le mois le plus bas et le plus haut au lieu de la moyenne.",
    ),
    "Spend by service and by month": ("Uitgaven per dienst en per maand", "Dépenses par service et par mois"),
    "The table below gives the same numbers.": (
        "De tabel hieronder geeft dezelfde cijfers.",
        "Le tableau ci-dessous donne les mêmes chiffres.",
    ),
    "Nothing charged in this year.": ("Niets aangerekend in dit jaar.", "Rien n'a été facturé cette année."),
    "Closed months": ("Afgesloten maanden", "Mois clôturés"),
    "Engagements": ("Engagementen", "Engagements"),
    "Engagement": ("Engagement", "Engagement"),
    "Kind": ("Soort", "Type"),
    "Period": ("Periode", "Période"),
    "Buyer reference": ("Referentie koper", "Référence de l'acheteur"),
    "Charges": ("Aanrekeningen", "Imputations"),
    "Amount": ("Bedrag", "Montant"),
    "Quantity": ("Hoeveelheid", "Quantité"),
    "No usage recorded.": ("Geen verbruik geregistreerd.", "Aucune consommation enregistrée."),
    "Commitments": ("Verbintenissen", "Engagements fermes"),
    "Invoices": ("Facturen", "Factures"),
    "Number": ("Nummer", "Numéro"),
    "Issued on": ("Uitgereikt op", "Émise le"),
    "Download": ("Downloaden", "Télécharger"),
    "credit note": ("creditnota", "note de crédit"),
    "No invoices have been issued yet.": (
        "Er zijn nog geen facturen uitgereikt.",
        "Aucune facture n'a encore été émise.",
    ),
    "Statements": ("Overzichten", "Relevés"),
    "Statement": ("Overzicht", "Relevé"),
    "No closed month in this year.": ("Geen afgesloten maand in dit jaar.", "Aucun mois clôturé cette année."),
    "Download as CSV": ("Downloaden als CSV", "Télécharger en CSV"),
    "Detail": ("Detail", "Détail"),
    "Unit": ("Eenheid", "Unité"),
    "This month": ("Deze maand", "Ce mois"),
    "to date": ("tot nu", "à ce jour"),
    "Total this month": ("Totaal deze maand", "Total du mois"),
    "Enterprise number": ("Ondernemingsnummer", "Numéro d'entreprise"),
    "Category": ("Categorie", "Catégorie"),
    "Client group": ("Klantengroep", "Groupe de clients"),
    "Client groups": ("Klantengroepen", "Groupes de clients"),
    "Charging": ("Aanrekening", "Facturation"),
    "markup": ("opslag", "majoration"),
    "True-up": ("Afrekening", "Régularisation"),
    "not run": ("niet uitgevoerd", "pas effectuée"),
    "True-up settlement (included)": ("Afrekening (inbegrepen)", "Régularisation (incluse)"),
    "True-up per member": ("Afrekening per lid", "Régularisation par membre"),
    "Actual share": ("Werkelijk aandeel", "Part réelle"),
    "Difference": ("Verschil", "Différence"),
    "A positive difference is owed by the member; a negative one is refunded (or carried into next year's tariffs).": (
        "Een positief verschil is door het lid verschuldigd; een negatief wordt terugbetaald (of overgedragen naar "
        "de tarieven van volgend jaar).",
        "Une différence positive est due par le membre ; une négative est remboursée (ou reportée sur les tarifs "
        "de l'année suivante).",
    ),
    "The true-up of this year has not been run.": (
        "De afrekening van dit jaar is nog niet uitgevoerd.",
        "La régularisation de cette année n'a pas encore été effectuée.",
    ),
    "True-up run": ("Afrekening uitgevoerd", "Régularisation effectuée"),
    "Zero-result check": ("Controle nulresultaat", "Contrôle du résultat nul"),
    "Zero result: yes": ("Nulresultaat: ja", "Résultat nul : oui"),
    "Zero result: not (yet)": ("Nulresultaat: (nog) niet", "Résultat nul : pas (encore)"),
    "Total cost": ("Totale kosten", "Coût total"),
    "Total charged": ("Totaal aangerekend", "Total facturé"),
    "Carried forward": ("Overgedragen", "Reporté"),
    "Result": ("Resultaat", "Résultat"),
    "Result per service": ("Resultaat per dienst", "Résultat par service"),
    "Charged": ("Aangerekend", "Facturé"),
    "Cost": ("Kosten", "Coût"),
    "Cost centres before and after allocation": (
        "Kostenplaatsen voor en na verdeling",
        "Centres de frais avant et après répartition",
    ),
    "Centre": ("Kostenplaats", "Centre de frais"),
    "Direct cost": ("Directe kosten", "Coût direct"),
    "Received": ("Ontvangen", "Reçu"),
    "After allocation": ("Na verdeling", "Après répartition"),
    "Allocation {year}: ledger to cost centres to services to client groups": (
        "Verdeling {year}: grootboek naar kostenplaatsen naar diensten naar klantengroepen",
        "Répartition {year} : grand livre vers centres de frais vers services vers groupes de clients",
    ),
    "Ledger": ("Grootboek", "Grand livre"),
    "Support centres": ("Hulpkostenplaatsen", "Centres auxiliaires"),
    "Final centres": ("Hoofdkostenplaatsen", "Centres principaux"),
    "Support allocation": ("Verdeling ondersteuning", "Répartition des centres auxiliaires"),
    "Each band is an amount moved from the ledger to the cost centres, from support centres to final centres, "
    "from centres to services and from services to the members' client groups. The table below gives every amount.": (
        "Elke band is een bedrag dat gaat van het grootboek naar de kostenplaatsen, van ondersteunende naar "
        "eindkostenplaatsen, van kostenplaatsen naar diensten en van diensten naar de klantengroepen van de leden. "
        "De tabel hieronder geeft elk bedrag.",
        "Chaque bande est un montant qui passe du grand livre aux centres de frais, des centres auxiliaires aux "
        "centres principaux, des centres aux services et des services aux groupes de clients des membres. Le "
        "tableau ci-dessous donne chaque montant.",
    ),
    "Every flow of the allocation": ("Elke stroom van de verdeling", "Chaque flux de la répartition"),
    "From": ("Van", "De"),
    "To": ("Naar", "Vers"),
    "Income lines (reduce the centres' cost; not drawn)": (
        "Opbrengstlijnen (verminderen de kosten van de kostenplaatsen; niet getekend)",
        "Lignes de produits (réduisent le coût des centres ; non dessinées)",
    ),
    "Period {period} is closed and locked.": (
        "Periode {period} is afgesloten en vergrendeld.",
        "La période {period} est clôturée et verrouillée.",
    ),
    "A close runs in three steps: run (compute the month's charges), review (check the totals per service and "
    "any problem), lock (write the charges and lock the month for good).": (
        "Een afsluiting gaat in drie stappen: uitvoeren (de aanrekeningen van de maand berekenen), nakijken (de "
        "totalen per dienst en eventuele problemen controleren), vergrendelen (de aanrekeningen boeken en de maand "
        "definitief vergrendelen).",
        "Une clôture se fait en trois étapes : exécuter (calculer les imputations du mois), vérifier (contrôler les "
        "totaux par service et les problèmes éventuels), verrouiller (enregistrer les imputations et verrouiller "
        "le mois définitivement).",
    ),
    "Status": ("Status", "Statut"),
    "Action": ("Actie", "Action"),
    "Run and review": ("Uitvoeren en nakijken", "Exécuter et vérifier"),
    "How to settle the difference": ("Hoe het verschil verrekenen", "Comment régler la différence"),
    "Run the true-up": ("Afrekening uitvoeren", "Effectuer la régularisation"),
    "The true-up needs every month of the year closed.": (
        "De afrekening vraagt dat elke maand van het jaar afgesloten is.",
        "La régularisation exige que tous les mois de l'année soient clôturés.",
    ),
    "Review": ("Nakijken", "Vérification"),
    "Review the close of {period}": ("De afsluiting van {period} nakijken", "Vérifier la clôture de {period}"),
    "Nothing has been written yet. These are the charges the close would write.": (
        "Er is nog niets geboekt. Dit zijn de aanrekeningen die de afsluiting zou boeken.",
        "Rien n'a encore été enregistré. Voici les imputations que la clôture enregistrerait.",
    ),
    "Direct cost in the ledger": ("Directe kosten in het grootboek", "Coût direct au grand livre"),
    "Problems": ("Problemen", "Problèmes"),
    "Charges per service": ("Aanrekeningen per dienst", "Imputations par service"),
    "Lines": ("Lijnen", "Lignes"),
    "Lock {period}": ("{period} vergrendelen", "Verrouiller {period}"),
    "Back to the close": ("Terug naar de afsluiting", "Retour à la clôture"),
    # values shown through _(): roles, kinds, statuses, charging, client groups, true-up modes
    "admin": ("beheerder", "administrateur"),
    "controller": ("controller", "contrôleur de gestion"),
    "service_owner": ("diensteigenaar", "responsable de service"),
    "budget_holder": ("budgethouder", "gestionnaire de budget"),
    "auditor": ("auditor", "auditeur"),
    "project": ("project", "projet"),
    "service": ("dienst", "service"),
    "secondment": ("detachering", "détachement"),
    "consultancy": ("consultancy", "consultance"),
    "provisional": ("voorlopig", "provisoire"),
    "true_up": ("afrekening", "régularisation"),
    "open": ("open", "ouvert"),
    "closed": ("afgesloten", "clôturé"),
    "time": ("tijd", "temps"),
    "usage": ("verbruik", "consommation"),
    "reserved_capacity": ("gereserveerde capaciteit", "capacité réservée"),
    "real_cost": ("werkelijke kosten", "coût réel"),
    "fixed_share": ("vast aandeel", "part fixe"),
    "even_split": ("gelijke verdeling", "répartition égale"),
    "social_security": ("sociale zekerheid", "sécurité sociale"),
    "federal_public_service": ("federale overheidsdiensten", "services publics fédéraux"),
    "other": ("andere", "autres"),
    "settle": ("nu verrekenen", "régler maintenant"),
    "carry_forward": ("overdragen naar volgend jaar", "reporter à l'année suivante"),
    "No month of {year} is closed yet: nothing is charged, so the budget stands against nothing spent.": (
        "Nog geen maand van {year} is afgesloten: er is niets aangerekend, dus de begroting staat tegenover "
        "nog niets uitgegeven.",
        "Aucun mois de {year} n'est encore clôturé : rien n'est imputé, le budget est donc face à une dépense nulle.",
    ),
    "{period} is not closed yet: nothing is charged for it.": (
        "{period} is nog niet afgesloten: er is nog niets voor aangerekend.",
        "{period} n'est pas encore clôturé : rien n'est encore imputé pour ce mois.",
    ),
}


def main() -> None:
    root = Path(__file__).resolve().parents[1] / "src" / "mutua" / "locale"
    for index, lang in enumerate(("nl", "fr", "en")):
        catalog = Catalog(locale=lang, domain="portal", project="Mutua", version="1")
        for msgid, pair in T.items():
            catalog.add(msgid, msgid if lang == "en" else pair[index])
        folder = root / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "portal.po").open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


if __name__ == "__main__":
    main()
