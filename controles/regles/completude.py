"""9. Complétude: every action of the convention has engagements in the tableau en vigueur, and
every action of a bilan's year has its report in the bilan.

The convention binds each action to its funding and its report: the Annexe 1 (« Tableau des
engagements ») gives every action of the Annexe 2 its « Montant État » and « Montant Dijon
métropole », and article 2.4 asks that the bilan « décrit les résultats obtenus ainsi que
l'atteinte des objectifs fixés » for the actions mises en œuvre. The domain guide (docs/DESIGN.md,
« Rules the application checks ») puts it: « every action of the convention has engagements in
the tableau en vigueur ».

An action absent from the tableau en vigueur is an avertissement, or an information when another
version of the same years holds it (the CALPA 2023 « non retenue » has an action 1.3 the « retenue »
lacks); an action of the bilan's year without its report is an avertissement.

A convention drafted by ``reconduire`` is not complete either while a text of it, or of one of
its actions, still carries the mark « [à réécrire pour 2024] » put on last year's wording
(``conventions/a_reecrire.py``): one avertissement « texte à réécrire » per object.
"""

from conventions.a_reecrire import textes_a_reecrire

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._outils import annees_de, periode_de
from ._registre import regle

SEVERITE_SANS_ENGAGEMENT = Severite.AVERTISSEMENT
SEVERITE_DANS_UNE_AUTRE_VERSION = Severite.INFORMATION
SEVERITE_SANS_RAPPORT = Severite.AVERTISSEMENT
SEVERITE_TEXTE_A_REECRIRE = Severite.AVERTISSEMENT


@regle(Regle.COMPLETUDE)
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
            if t.pk != tableau.pk and annees_de(t) == annees_de(tableau)
        ]
        for action in donnees.actions_de(tableau.convention_id):
            if action.pk in presentes:
                continue
            ailleurs = [
                t.libelle for t in versions if action.pk in donnees.actions_du_tableau(t.pk)
            ]
            if ailleurs:
                severite = SEVERITE_DANS_UNE_AUTRE_VERSION
                message = (
                    f"Action {action.code} : absente du tableau en vigueur {periode_de(tableau)}, "
                    f"elle ne figure que dans « {' », « '.join(ailleurs)} »."
                )
            else:
                severite = SEVERITE_SANS_ENGAGEMENT
                message = (
                    f"Action {action.code} « {action.intitule} » : aucun montant dans le tableau "
                    f"en vigueur {periode_de(tableau)}."
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
                annees_de(tableau),
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
                    SEVERITE_SANS_RAPPORT,
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
    yield from textes_a_reecrire_de(donnees)


def textes_a_reecrire_de(donnees: Donnees):
    """Each convention and action whose texts still carry the mark of ``reconduire``."""
    objets = [(convention, convention, "La convention") for convention in donnees.conventions]
    objets += [
        (action, action.convention, f"Action {action.code}")
        for action in sorted(donnees.actions.values(), key=lambda a: (a.ordre, a.code))
    ]
    for objet, convention, nom in objets:
        champs = textes_a_reecrire(objet)
        if not champs:
            continue
        marque = next(iter(champs.values()))
        pluriel = "s" if len(champs) > 1 else ""
        yield Constat(
            Regle.COMPLETUDE,
            SEVERITE_TEXTE_A_REECRIRE,
            objet,
            None,
            None,
            None,
            "",
            f"{nom} : texte{pluriel} à réécrire ({' ; '.join(champs)}) : repris de la "
            f"convention précédente derrière la marque « {marque} ».",
            convention.pk,
            annees_de(convention),
        )
