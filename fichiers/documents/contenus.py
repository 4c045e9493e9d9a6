"""What the year's documents say, gathered from the domain's selectors and services: the
rapport d'exécution of a bilan and the annexe financière of a tableau des engagements. The
PDF and the DOCX builders lay out the same contents.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from bilans.chronologie import chronologie
from bilans.cycle import mention_du_document
from bilans.selectors import rapports_et_indicateurs
from commun.formats import couper_aux_mots, date_et_heure, ecart_euros, euros
from controles.constats import ORDRE_SEVERITE
from controles.services import constats_de, controler
from conventions.models import Action, Convention, TableauEngagements
from conventions.selectors.annexes import annexe
from conventions.selectors.bascule import montants_par_action_et_cote

ZERO = Decimal("0.00")
COTES = (("etat", "État"), ("collectivite", "Collectivité"))
# The financial table names each action shortly (its full title heads its report above).
LONGUEUR_DANS_LE_TABLEAU = 70


def auteur_de(utilisateur) -> str:
    """« Camille Martin (cmartin) », as the printed pages name who printed them."""
    nom, identifiant = utilisateur.get_full_name().strip(), utilisateur.get_username()
    return f"{nom} ({identifiant})" if nom else identifiant


@dataclass
class LigneFinanciere:
    """A row of the rapport's financial table: an axe heading, an action or the total; per
    side (État, collectivité): engagé (tableau en vigueur), prévu (bilan), écart, réalisé."""

    nature: str  # "axe", "action", "total"
    code: str
    intitule: str
    colonnes: list[dict] = field(default_factory=list)


def _colonnes(engage, prevu, realise) -> list[dict]:
    colonnes = []
    for cote, _nom in COTES:
        e, p, r = engage.get(cote), prevu.get(cote), realise.get(cote)
        colonnes.append(
            {
                "engage": euros(e),
                "prevu": euros(p),
                "ecart": ecart_euros((p or ZERO) - (e or ZERO)) if e is not None or p else "—",
                "realise": euros(r),
            }
        )
    return colonnes


def _totaux_par_cote(tableaux: dict, sources: dict) -> dict[str, dict]:
    """Each source's total per side, summed by the database (``avec_totaux``, one query for the
    three tableaux); a side none of its lines has stays out, shown « — » as on its lines."""
    sommes = TableauEngagements.objects.filter(
        pk__in=[t.pk for t in tableaux.values() if t is not None]
    ).avec_totaux()
    par_pk = {t.pk: t for t in sommes}
    return {
        nom: {
            cote: getattr(par_pk[tableau.pk], f"total_{cote}")
            for cote, _n in COTES
            if any(c == cote for _a, c in sources[nom])
        }
        if tableau is not None
        else {}
        for nom, tableau in tableaux.items()
    }


def tableau_financier(bilan):
    """(tableau en vigueur, tableau réalisé, rows, totals per side) of the bilan's year."""
    tableaux = TableauEngagements.objects.filter(convention=bilan.convention_id).pour_annee(
        bilan.annee
    )
    en_vigueur = tableaux.filter(en_vigueur=True).first()
    realise = tableaux.filter(nature=TableauEngagements.Nature.REALISE).first()
    tableaux_des_sources = {
        "engage": en_vigueur,
        "prevu": bilan.tableau_previsionnel,
        "realise": realise,
    }
    sources = {nom: montants_par_action_et_cote(t) for nom, t in tableaux_des_sources.items()}
    ids = {action for montants in sources.values() for (action, _cote) in montants}
    actions = Action.objects.filter(pk__in=ids).select_related("axe").order_by("ordre", "code")
    lignes, axe_courant = [], None
    totaux = _totaux_par_cote(tableaux_des_sources, sources)
    for action in actions:
        if action.axe_id != axe_courant and action.axe is not None:
            lignes.append(LigneFinanciere("axe", action.axe.code, action.axe.intitule))
        axe_courant = action.axe_id
        par_source = {}
        for nom, montants in sources.items():
            par_source[nom] = {
                cote: montants[(action.pk, cote)]
                for cote, _n in COTES
                if (action.pk, cote) in montants
            }
        lignes.append(
            LigneFinanciere(
                "action",
                action.code,
                couper_aux_mots(action.intitule, LONGUEUR_DANS_LE_TABLEAU),
                _colonnes(**par_source),
            )
        )
    lignes.append(LigneFinanciere("total", "", "Total", _colonnes(**totaux)))
    return en_vigueur, realise, lignes, totaux


def points_a_verifier(bilan) -> list:
    """The constats still open on the bilan, errors first; none once it is validated."""
    if bilan.statut == bilan.Statut.VALIDE:
        return []
    constats = constats_de(bilan, controler(Convention.objects.filter(pk=bilan.convention_id)))
    return sorted(constats, key=lambda c: ORDRE_SEVERITE[c.severite])


def _groupes_par_axe(sections) -> list[dict]:
    groupes: list[dict] = []
    for section in sections:
        axe = section["action"].axe
        if not groupes or groupes[-1]["axe"] != axe:
            groupes.append({"axe": axe, "sections": []})
        groupes[-1]["sections"].append(section)
    return groupes


def _commun(titre: str, auteur: str, maintenant) -> dict:
    maintenant = maintenant or timezone.now()
    return {
        "titre": titre,
        "auteur": auteur,
        "maintenant": maintenant,
        "genere_le": date_et_heure(maintenant),
    }


def contenu_du_rapport(bilan, *, auteur: str, maintenant=None) -> dict:
    """The rapport d'exécution of ``bilan``, laid out like the bilan the collectivités print:
    cover, per axe and action the report and indicators, the budget, the points to check."""
    convention = bilan.convention
    en_vigueur, realise, lignes, totaux = tableau_financier(bilan)
    contenu = _commun(f"Rapport d'exécution {bilan.annee}", auteur, maintenant)
    contenu.update(
        {
            "bilan": bilan,
            "convention": convention,
            "annee_precedente": bilan.annee - 1,
            "entete": f"Rapport d'exécution {bilan.annee} — {convention.intitule}",
            "mention": mention_du_document(bilan),
            "axes": _groupes_par_axe(rapports_et_indicateurs(bilan)),
            "en_vigueur": en_vigueur,
            "realise": realise,
            "lignes": lignes,
            "totaux": {
                nom: {cote: euros(totaux[nom].get(cote)) for cote, _n in COTES} for nom in totaux
            },
            "ecarts_totaux": {
                cote: ecart_euros(
                    totaux["prevu"].get(cote, ZERO) - totaux["engage"].get(cote, ZERO)
                )
                for cote, _n in COTES
            },
            "cotes": [nom for _c, nom in COTES],
            "bilan_depenses": euros(bilan.depenses_collectivite),
            "bilan_recu": euros(bilan.financement_etat_recu),
            "points": points_a_verifier(bilan),
            "chronologie": chronologie(bilan),
            "mots_cles": f"rapport d'exécution, bilan {bilan.annee}, {convention.slug}",
        }
    )
    return contenu


def contenu_de_l_annexe(tableau, *, auteur: str, maintenant=None) -> dict:
    """The annexe financière of one version of a tableau des engagements: its lines under
    their axes, one column per financeur, sub-totals, total, the cofinancement line, the
    version's label and status, and a signature block for the parties."""
    convention = tableau.convention
    disposition = annexe(tableau)
    periode = (
        str(tableau.annee_debut)
        if tableau.annee_debut == tableau.annee_fin
        else f"{tableau.annee_debut}-{tableau.annee_fin}"
    )
    statut = "en vigueur" if tableau.en_vigueur else "version non en vigueur"
    contenu = _commun(f"Annexe financière {periode}", auteur, maintenant)
    contenu.update(
        {
            "tableau": tableau,
            "convention": convention,
            "annexe": disposition,
            "periode": periode,
            "statut_de_la_version": statut,
            "entete": f"Annexe financière {periode} — {convention.intitule}",
            "mention": f"{tableau.libelle} — {statut}",
            "paysage": len(disposition.financeurs) > 3,
            "mots_cles": f"annexe financière, {convention.slug}, {periode}",
        }
    )
    return contenu
