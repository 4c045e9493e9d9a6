"""The nine rules of DESIGN.md, « Rules the application checks », one function each.

Each rule reads a ``Donnees`` snapshot and yields ``Constat``s; none of them writes anything.
"""

from datetime import date, timedelta
from decimal import Decimal

from conventions.formats import (
    arrondi,
    date_longue,
    duree,
    ecart_euros,
    euros,
    nombre,
    pourcentage,
)
from conventions.models import Financeur, MembreSeance

from .constats import Constat, Regle, Severite
from .donnees import Donnees

ZERO = Decimal("0.00")
DELAI_ALERTE_BILAN = timedelta(days=60)
ETAT = Financeur.Categorie.ETAT
COLLECTIVITE = Financeur.Categorie.COLLECTIVITE


def _nom(financeur) -> str:
    """« l'État », « Dijon Métropole »: the financeur as a sentence names it."""
    return "l'État" if financeur.categorie == ETAT else financeur.nom


def _annees(objet) -> tuple[int, int]:
    return (objet.annee_debut, objet.annee_fin)


def _periode(tableau) -> str:
    return f"« {tableau.libelle} » ({tableau.periode})"


# 1. Cofinancement ----------------------------------------------------------------------------


def cofinancement(donnees: Donnees):
    """Collectivité ≥ taux × État: an error on a tableau's total, a warning on an action."""
    for convention in donnees.conventions:
        taux = convention.taux_cofinancement
        if taux is None:
            continue
        for tableau in donnees.tableaux_de(convention.pk):
            etat = donnees.total_par_categorie.get((tableau.pk, ETAT), ZERO)
            collectivite = donnees.total_par_categorie.get((tableau.pk, COLLECTIVITE), ZERO)
            requis = arrondi(taux * etat)
            if etat and collectivite < requis:
                yield Constat(
                    Regle.COFINANCEMENT,
                    Severite.ERREUR,
                    tableau,
                    requis,
                    collectivite,
                    collectivite - requis,
                    "€",
                    f"Tableau {_periode(tableau)} : la collectivité engage {euros(collectivite)}, "
                    f"moins que les {euros(requis)} requis ({pourcentage(taux)} des "
                    f"{euros(etat)} de l'État) ; il manque {euros(requis - collectivite)}.",
                    convention.pk,
                    _annees(tableau),
                )
            for action in donnees.actions_de(convention.pk):
                etat_action = donnees.action_par_categorie.get((tableau.pk, action.pk, ETAT), ZERO)
                collectivite_action = donnees.action_par_categorie.get(
                    (tableau.pk, action.pk, COLLECTIVITE), ZERO
                )
                requis_action = arrondi(taux * etat_action)
                if etat_action and collectivite_action < requis_action:
                    yield Constat(
                        Regle.COFINANCEMENT,
                        Severite.AVERTISSEMENT,
                        action,
                        requis_action,
                        collectivite_action,
                        collectivite_action - requis_action,
                        "€",
                        f"Action {action.code}, tableau {_periode(tableau)} : la collectivité "
                        f"engage {euros(collectivite_action)} pour {euros(etat_action)} de l'État, "
                        f"au lieu d'au moins {euros(requis_action)} ({pourcentage(taux)}).",
                        convention.pk,
                        _annees(tableau),
                    )


# 2. Totaux imprimés --------------------------------------------------------------------------


def arrondi_a_l_euro(imprime: Decimal, calcule: Decimal) -> bool:
    """A whole-euro printed total within one euro of lines with cents: the document rounded.

    Documents print whole euros while lines may carry cents (50 200,02 €): such an écart is
    real and reported to the cent, but as an information, not as an erreur.
    """
    return imprime == imprime.to_integral_value() and abs(calcule - imprime) < 1


def totaux_imprimes(donnees: Donnees):
    """The total printed in a document equals the sum of its lines, per financeur."""
    tableaux = {t.pk: t for t in donnees.tableaux}
    for tableau_id, financeur_id, imprime in donnees.totaux_imprimes:
        tableau = tableaux[tableau_id]
        calcule = donnees.total_par_financeur.get((tableau_id, financeur_id), ZERO)
        if calcule != imprime:
            financeur = donnees.financeurs[financeur_id]
            arrondi_seulement = arrondi_a_l_euro(imprime, calcule)
            yield Constat(
                Regle.TOTAUX,
                Severite.INFORMATION if arrondi_seulement else Severite.ERREUR,
                tableau,
                imprime,
                calcule,
                calcule - imprime,
                "€",
                f"Tableau {_periode(tableau)} : le total imprimé pour {_nom(financeur)} est "
                f"{euros(imprime)}, mais ses lignes font {euros(calcule)} "
                f"(écart {ecart_euros(calcule - imprime)}"
                + (", arrondi à l'euro du document)." if arrondi_seulement else ")."),
                tableau.convention_id,
                _annees(tableau),
            )


# 3. Fiche action -----------------------------------------------------------------------------


def budget_des_fiches(donnees: Donnees):
    """A fiche's budget estimé equals the sum of the action's engagements en vigueur."""
    for action in donnees.actions.values():
        if action.budget_estime is None:
            continue
        engage = donnees.action_en_vigueur.get(action.pk, ZERO)
        if engage != action.budget_estime:
            convention = action.convention
            yield Constat(
                Regle.FICHE_ACTION,
                Severite.AVERTISSEMENT,
                action,
                action.budget_estime,
                engage,
                engage - action.budget_estime,
                "€",
                f"Action {action.code} : la fiche action estime le budget à "
                f"{euros(action.budget_estime)}, les engagements en vigueur totalisent "
                f"{euros(engage)} (écart {ecart_euros(engage - action.budget_estime)}).",
                action.convention_id,
                _annees(convention),
            )


# 4. Pluriannuel ------------------------------------------------------------------------------


def pluriannuel(donnees: Donnees):
    """Tranches add up to the commitment; a deliberation's yearly amount matches its tranche."""
    for engagement in donnees.pluriannuels:
        total, tranches = engagement.montant_total, engagement.somme_tranches
        annees = range(engagement.annee_debut, engagement.annee_fin + 1)
        manquantes = [a for a in annees if (engagement.pk, a) not in donnees.tranches]
        if tranches == total:
            continue
        if tranches > total or not manquantes:
            severite = Severite.ERREUR
            message = (
                f"Les tranches de {_nom(engagement.financeur)} ({euros(tranches)}) ne font pas le "
                f"montant pluriannuel de {euros(total)} (écart {ecart_euros(tranches - total)})."
            )
        else:
            severite = Severite.INFORMATION
            message = (
                f"Engagement de {_nom(engagement.financeur)} de {euros(total)} sur "
                f"{engagement.annee_debut}-{engagement.annee_fin} : tranches "
                f"{', '.join(map(str, manquantes))} non renseignées ; "
                f"{euros(total - tranches)} restent à répartir."
            )
        yield Constat(
            Regle.PLURIANNUEL,
            severite,
            engagement.convention,
            total,
            tranches,
            tranches - total,
            "€",
            message,
            engagement.convention_id,
            _annees(engagement),
        )
    tranches_par_cle = {(e.convention_id, e.financeur_id): e for e in donnees.pluriannuels}
    for montant in donnees.montants_deliberes:
        deliberation = montant.deliberation
        engagement = tranches_par_cle.get((deliberation.convention_id, montant.financeur_id))
        if engagement is None:
            continue
        tranche = donnees.tranches.get((engagement.pk, montant.annee))
        if tranche == montant.montant:
            continue
        if tranche is None:
            severite, attendu, ecart = Severite.AVERTISSEMENT, None, None
            message = (
                f"La délibération du {date_longue(deliberation.seance.date)} décide de percevoir "
                f"{euros(montant.montant)} en {montant.annee}, mais aucune tranche {montant.annee} "
                f"n'est enregistrée pour l'engagement de {_nom(montant.financeur)}."
            )
        else:
            severite, attendu, ecart = Severite.ERREUR, tranche, montant.montant - tranche
            message = (
                f"La délibération du {date_longue(deliberation.seance.date)} décide de percevoir "
                f"{euros(montant.montant)} en {montant.annee}, la tranche {montant.annee} est de "
                f"{euros(tranche)} (écart {ecart_euros(ecart)})."
            )
        yield Constat(
            Regle.PLURIANNUEL,
            severite,
            deliberation,
            attendu,
            montant.montant,
            ecart,
            "€",
            message,
            deliberation.convention_id,
            (montant.annee, montant.annee),
        )


# 5. Bilan et engagements ---------------------------------------------------------------------


def bilan_et_engagements(donnees: Donnees):
    """The bilan's budget per action against the tableau en vigueur; its totals against the
    État funding received and the collectivité's spending."""
    for bilan in donnees.bilans:
        annees = (bilan.annee, bilan.annee)
        en_vigueur = donnees.tableau_en_vigueur(bilan.convention_id, bilan.annee)
        previsionnel = bilan.tableau_previsionnel_id
        if previsionnel and en_vigueur:
            prevu = donnees.lignes.get(previsionnel, {})
            engage = donnees.lignes.get(en_vigueur.pk, {})
            for action_id, financeur_id in sorted(
                set(prevu) | set(engage),
                key=lambda cle: (donnees.actions[cle[0]].ordre, donnees.financeurs[cle[1]].ordre),
            ):
                dans_bilan = prevu.get((action_id, financeur_id), ZERO)
                en_tableau = engage.get((action_id, financeur_id), ZERO)
                if dans_bilan == en_tableau:
                    continue
                action, financeur = donnees.actions[action_id], donnees.financeurs[financeur_id]
                yield Constat(
                    Regle.BILAN,
                    Severite.AVERTISSEMENT,
                    action,
                    en_tableau,
                    dans_bilan,
                    dans_bilan - en_tableau,
                    "€",
                    f"Action {action.code} : le budget prévisionnel du bilan {bilan.annee} "
                    f"indique {euros(dans_bilan)} pour {_nom(financeur)}, le tableau en vigueur "
                    f"« {en_vigueur.libelle} » {euros(en_tableau)} "
                    f"(écart {ecart_euros(dans_bilan - en_tableau)}).",
                    bilan.convention_id,
                    annees,
                    (bilan,),
                )
        recu = bilan.financement_etat_recu
        if recu is not None and previsionnel:
            prevu_etat = donnees.total_par_categorie.get((previsionnel, ETAT), ZERO)
            if prevu_etat != recu:
                yield Constat(
                    Regle.BILAN,
                    Severite.ERREUR,
                    bilan,
                    recu,
                    prevu_etat,
                    prevu_etat - recu,
                    "€",
                    f"Bilan {bilan.annee} : le budget prévisionnel par action totalise "
                    f"{euros(prevu_etat)} pour l'État, qui a versé {euros(recu)} "
                    f"(écart {ecart_euros(prevu_etat - recu)}).",
                    bilan.convention_id,
                    annees,
                )
        if recu is not None and en_vigueur:
            engage_etat = donnees.total_par_categorie.get((en_vigueur.pk, ETAT), ZERO)
            if engage_etat != recu:
                yield Constat(
                    Regle.BILAN,
                    Severite.AVERTISSEMENT,
                    bilan,
                    engage_etat,
                    recu,
                    recu - engage_etat,
                    "€",
                    f"Bilan {bilan.annee} : l'État a versé {euros(recu)}, le tableau en vigueur "
                    f"« {en_vigueur.libelle} » prévoyait {euros(engage_etat)} "
                    f"(écart {ecart_euros(recu - engage_etat)}).",
                    bilan.convention_id,
                    annees,
                )
        taux = bilan.convention.taux_cofinancement
        depenses = bilan.depenses_collectivite
        if depenses is not None and recu is not None and taux is not None:
            requis = arrondi(taux * recu)
            if depenses < requis:
                yield Constat(
                    Regle.BILAN,
                    Severite.ERREUR,
                    bilan,
                    requis,
                    depenses,
                    depenses - requis,
                    "€",
                    f"Bilan {bilan.annee} : la collectivité a dépensé {euros(depenses)}, moins que "
                    f"les {euros(requis)} requis ({pourcentage(taux)} des {euros(recu)} versés "
                    "par l'État).",
                    bilan.convention_id,
                    annees,
                )


# 6. Indicateurs ------------------------------------------------------------------------------


def indicateurs(donnees: Donnees):
    """A part never exceeds its whole; an exhaustive breakdown adds up to its whole."""
    from bilans.models import Indicateur

    parties_exhaustives: dict[int, list] = {}
    for indicateur in donnees.indicateurs.values():
        if indicateur.parent_id and indicateur.partie_exhaustive:
            parties_exhaustives.setdefault(indicateur.parent_id, []).append(indicateur)
    trouves = []  # (indicator id, attendu, constaté, unité, message, bilan)
    for bilan in donnees.bilans:
        siens = donnees.indicateurs_par_convention.get(bilan.convention_id, [])
        for indicateur in siens:
            partie = donnees.mesures.get((bilan.pk, indicateur.pk))
            tout = donnees.mesures.get((bilan.pk, indicateur.parent_id))
            if indicateur.parent_id and partie is not None and tout is not None and partie > tout:
                parent = donnees.indicateurs[indicateur.parent_id]
                trouves.append(
                    (
                        indicateur.pk,
                        tout,
                        partie,
                        indicateur.unite,
                        f"Action {indicateur.action_code}, bilan {bilan.annee} : "
                        f"« {indicateur.libelle} » ({nombre(partie)}) dépasse son total "
                        f"« {parent.libelle} » ({nombre(tout)}).",
                        bilan,
                    )
                )
        for parent in (i for i in siens if i.pk in parties_exhaustives):
            parties = parties_exhaustives[parent.pk]
            tout = donnees.mesures.get((bilan.pk, parent.pk))
            valeurs = [donnees.mesures.get((bilan.pk, p.pk)) for p in parties]
            if tout is None or None in valeurs:
                continue
            somme = sum(valeurs, Decimal(0))
            if somme == tout:
                continue
            detail = " + ".join(
                f"{nombre(v)} {p.libelle.removeprefix('dont ')}"
                for p, v in zip(parties, valeurs, strict=True)
            )
            trouves.append(
                (
                    parent.pk,
                    tout,
                    somme,
                    parent.unite,
                    f"Action {parent.action_code}, bilan {bilan.annee} : la décomposition de "
                    f"« {parent.libelle} » ({nombre(tout)}) est exhaustive mais ses parties font "
                    f"{detail} = {nombre(somme)} (écart {'+' if somme > tout else '−'}"
                    f"{nombre(abs(somme - tout))} {parent.unite}).",
                    bilan,
                )
            )
    objets = Indicateur.objects.select_related("action__convention").in_bulk(
        {pk for pk, *_reste in trouves}
    )
    for pk, attendu, constate, unite, message, bilan in trouves:
        yield Constat(
            Regle.INDICATEURS,
            Severite.ERREUR,
            objets[pk],
            attendu,
            constate,
            constate - attendu,
            unite,
            message,
            bilan.convention_id,
            (bilan.annee, bilan.annee),
            (bilan,),
        )


# 7. Délibérations ----------------------------------------------------------------------------


def deliberations(donnees: Donnees):
    """Présents + procurations ≤ membres en exercice; the quorum; the votes add up."""
    for seance in donnees.seances:
        liees = tuple(donnees.deliberations.get(seance.pk, []))
        convention_id = next((d.convention_id for d in liees if d.convention_id), None)
        annees = (seance.date.year, seance.date.year)
        quand = f"Séance du {date_longue(seance.date)}"
        votants = seance.presents + seance.procurations
        if votants > seance.membres_en_exercice:
            yield Constat(
                Regle.DELIBERATION,
                Severite.ERREUR,
                seance,
                seance.membres_en_exercice,
                votants,
                Decimal(votants - seance.membres_en_exercice),
                "membres",
                f"{quand} : {seance.presents} présents et {seance.procurations} procurations "
                f"font {votants} votants pour {seance.membres_en_exercice} membres en exercice.",
                convention_id,
                annees,
                liees,
            )
        quorum = seance.membres_en_exercice // 2 + 1
        if seance.presents < quorum:
            yield Constat(
                Regle.DELIBERATION,
                Severite.ERREUR,
                seance,
                quorum,
                seance.presents,
                Decimal(seance.presents - quorum),
                "membres",
                f"{quand} : quorum non atteint, {seance.presents} présents pour "
                f"{seance.membres_en_exercice} membres en exercice (il en faut {quorum}).",
                convention_id,
                annees,
                liees,
            )
        for presence, declare, libelle in (
            (MembreSeance.Presence.PRESENT, seance.presents, "présents"),
            (MembreSeance.Presence.REPRESENTE, seance.procurations, "procurations"),
        ):
            listes = donnees.membres_listes.get((seance.pk, presence))
            if listes is not None and listes != declare:
                yield Constat(
                    Regle.DELIBERATION,
                    Severite.AVERTISSEMENT,
                    seance,
                    declare,
                    listes,
                    Decimal(listes - declare),
                    "membres",
                    f"{quand} : le registre annonce {declare} {libelle}, la liste des membres "
                    f"en nomme {listes}.",
                    convention_id,
                    annees,
                    liees,
                )
        for deliberation in liees:
            exprimes = deliberation.votants
            if exprimes != votants:
                yield Constat(
                    Regle.DELIBERATION,
                    Severite.ERREUR,
                    deliberation,
                    votants,
                    exprimes,
                    Decimal(exprimes - votants),
                    "voix",
                    f"Délibération « {deliberation.objet} » : {deliberation.votes_pour} pour, "
                    f"{deliberation.votes_contre} contre, {deliberation.abstentions} abstentions "
                    f"et {deliberation.ne_se_prononce_pas} ne se prononçant pas font {exprimes} "
                    f"voix, pour {votants} votants ({seance.presents} présents et "
                    f"{seance.procurations} procurations).",
                    deliberation.convention_id,
                    annees,
                )
            if deliberation.procurations_votes != seance.procurations:
                yield Constat(
                    Regle.DELIBERATION,
                    Severite.AVERTISSEMENT,
                    deliberation,
                    seance.procurations,
                    deliberation.procurations_votes,
                    Decimal(deliberation.procurations_votes - seance.procurations),
                    "procurations",
                    f"Délibération « {deliberation.objet} » : le scrutin compte "
                    f"{deliberation.procurations_votes} procurations, la séance "
                    f"{seance.procurations}.",
                    deliberation.convention_id,
                    annees,
                )


# 8. Calendrier -------------------------------------------------------------------------------


def calendrier(donnees: Donnees, aujourdhui: date):
    """Each year's bilan deliberated and sent by its due date: overdue, late, or due soon."""
    bilans = {(b.convention_id, b.annee): b for b in donnees.bilans}
    for convention in donnees.conventions:
        for annee in range(convention.annee_debut, convention.annee_fin + 1):
            echeance = convention.echeance_bilan(annee)
            if echeance is None:
                continue
            bilan = bilans.get((convention.pk, annee))
            objet = bilan or convention
            dates = [bilan.date_deliberation, bilan.date_transmission] if bilan else [None, None]
            if None not in dates:
                fin = max(dates)
                if fin > echeance:
                    retard = (fin - echeance).days
                    yield Constat(
                        Regle.CALENDRIER,
                        Severite.AVERTISSEMENT,
                        objet,
                        echeance.isoformat(),
                        fin.isoformat(),
                        Decimal(retard),
                        "jours",
                        f"Bilan {annee} : délibéré et transmis le {date_longue(fin)}, "
                        f"{duree(echeance, fin)} après l'échéance du {date_longue(echeance)}.",
                        convention.pk,
                        (annee, annee),
                    )
                continue
            manque = (
                "pas enregistré"
                if bilan is None
                else (
                    "ni délibéré ni transmis"
                    if dates == [None, None]
                    else "pas transmis"
                    if dates[0]
                    else "pas délibéré"
                )
            )
            constate = manque.replace("pas ", "non ")
            if aujourdhui > echeance:
                retard = (aujourdhui - echeance).days
                yield Constat(
                    Regle.CALENDRIER,
                    Severite.ERREUR,
                    objet,
                    echeance.isoformat(),
                    constate,
                    Decimal(retard),
                    "jours",
                    f"Bilan {annee} : échéance du {date_longue(echeance)} dépassée de "
                    f"{duree(echeance, aujourdhui)}"
                    + (f" ({nombre(retard)} jours)" if retard > 31 else "")
                    + f", le bilan n'est {manque}.",
                    convention.pk,
                    (annee, annee),
                )
            elif echeance - aujourdhui <= DELAI_ALERTE_BILAN:
                reste = (echeance - aujourdhui).days
                yield Constat(
                    Regle.CALENDRIER,
                    Severite.INFORMATION,
                    objet,
                    echeance.isoformat(),
                    constate,
                    Decimal(reste),
                    "jours",
                    f"Bilan {annee} : à délibérer et transmettre avant le "
                    f"{date_longue(echeance)}, dans {duree(aujourdhui, echeance)}.",
                    convention.pk,
                    (annee, annee),
                )


# 9. Complétude -------------------------------------------------------------------------------


def completude(donnees: Donnees):
    """Every action has engagements in the tableau en vigueur; every action of the bilan's year
    has its report."""
    for tableau in donnees.tableaux:
        if not tableau.en_vigueur:
            continue
        presentes = donnees.actions_du_tableau(tableau.pk)
        versions = [
            t
            for t in donnees.tableaux_de(tableau.convention_id)
            if t.pk != tableau.pk and _annees(t) == _annees(tableau)
        ]
        for action in donnees.actions_de(tableau.convention_id):
            if action.pk in presentes:
                continue
            ailleurs = [
                t.libelle for t in versions if action.pk in donnees.actions_du_tableau(t.pk)
            ]
            if ailleurs:
                severite = Severite.INFORMATION
                message = (
                    f"Action {action.code} : absente du tableau en vigueur {_periode(tableau)}, "
                    f"elle ne figure que dans « {' », « '.join(ailleurs)} »."
                )
            else:
                severite = Severite.AVERTISSEMENT
                message = (
                    f"Action {action.code} « {action.intitule} » : aucun montant dans le tableau "
                    f"en vigueur {_periode(tableau)}."
                )
            yield Constat(
                Regle.COMPLETUDE,
                severite,
                action,
                None,
                None,
                None,
                "",
                message,
                tableau.convention_id,
                _annees(tableau),
                (tableau,),
            )
    for bilan in donnees.bilans:
        en_vigueur = donnees.tableau_en_vigueur(bilan.convention_id, bilan.annee)
        if en_vigueur:
            attendues = [donnees.actions[a] for a in donnees.actions_du_tableau(en_vigueur.pk)]
        else:
            attendues = donnees.actions_de(bilan.convention_id)
        for action in sorted(attendues, key=lambda a: (a.ordre, a.code)):
            if (bilan.pk, action.pk) not in donnees.rapports:
                yield Constat(
                    Regle.COMPLETUDE,
                    Severite.AVERTISSEMENT,
                    action,
                    None,
                    None,
                    None,
                    "",
                    f"Action {action.code} : le bilan {bilan.annee} n'en rend pas compte.",
                    bilan.convention_id,
                    (bilan.annee, bilan.annee),
                    (bilan,),
                )
