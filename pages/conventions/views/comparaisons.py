"""Two versions of a year, or a year and the one before, compared action by action."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from commun.graphiques import barres
from commun.telechargements import reponse_export
from comptes.acces import conventions_de
from comptes.droits import peut_exporter
from conventions.models import TableauEngagements
from conventions.selectors import comparaisons
from pages.conventions.choix import export_demande, tableau_choisi
from pages.conventions.tables import GENRES_COMPARAISON


def _graphique_comparaison(lignes, avant: str, apres: str):
    return barres(
        [ligne.code for ligne in lignes],
        [(avant, [ligne.avant for ligne in lignes]), (apres, [ligne.apres for ligne in lignes])],
    )


def _export_comparaison(format_, nom, lignes, avant, apres):
    entetes = ["Code", "Intitulé", avant, apres, "Écart (€)", "Écart (%)", "Statut"]
    valeurs = [
        [c.code, c.intitule, c.avant, c.apres, c.ecart, c.ecart_pourcent, c.statut]
        for c in [*lignes, comparaisons.total_comparaison(lignes)]
    ]
    return reponse_export(format_, nom, entetes, valeurs, GENRES_COMPARAISON)


def _tableau_comparatif(request, lignes, court_avant: str, court_apres: str) -> dict:
    """What every comparison table shows: short column labels (the full ones in the caption
    and the legend), the totals row, and the identical rows hidden on request."""
    masquer = request.GET.get("identiques") == "masquer"
    parametres = request.GET.copy()
    parametres.pop("identiques", None)
    parametres.pop("export", None)
    return {
        "court_avant": court_avant,
        "court_apres": court_apres,
        "total": comparaisons.total_comparaison(lignes),
        "lignes_affichees": [c for c in lignes if not (masquer and c.statut == "identique")],
        "identiques": sum(1 for c in lignes if c.statut == "identique"),
        "masquer_identiques": masquer,
        "parametres": parametres.urlencode(),
    }


@login_required
def comparaison_versions(request, slug):
    convention = get_object_or_404(conventions_de(request.user), slug=slug)
    periodes, tableau, versions = tableau_choisi(request, convention)
    en_vigueur = next((t for t in versions if t.en_vigueur), versions[0] if versions else None)
    autres = sorted(
        (t for t in versions if t.pk != getattr(en_vigueur, "pk", None)),
        key=lambda t: (t.nature != TableauEngagements.Nature.VARIANTE, t.libelle),
    )
    choisie = next((t for t in autres if str(t.pk) == request.GET.get("version")), None)
    autre = choisie or (autres[0] if autres else None)
    lignes = comparaisons.comparer_versions(en_vigueur, autre) if en_vigueur and autre else []
    libelle_avant = en_vigueur.libelle if en_vigueur else ""
    libelle_apres = autre.libelle if autre else ""
    format_ = export_demande(request)
    if format_:
        return _export_comparaison(
            format_, f"{convention.slug}-versions", lignes, libelle_avant, libelle_apres
        )
    return render(
        request,
        "conventions/comparaison.html",
        {
            "convention": convention,
            "titre": "Comparaison de deux versions d'une même période",
            "type": "versions",
            "periodes": periodes,
            "tableau": tableau,
            "autres": autres,
            "avant": en_vigueur,
            "apres": autre,
            "libelle_avant": libelle_avant,
            "libelle_apres": libelle_apres,
            "lignes": lignes,
            **_tableau_comparatif(request, lignes, "En vigueur", "Comparée"),
            "resume_statuts": comparaisons.resume_statuts(lignes),
            "graphique": _graphique_comparaison(lignes, libelle_avant, libelle_apres),
            "peut_exporter": peut_exporter(request.user),
        },
    )


@login_required
def comparaison_annees(request, slug):
    convention = get_object_or_404(conventions_de(request.user), slug=slug)
    texte = request.GET.get("annee") or str(convention.annee_debut)
    if not (texte.isascii() and texte.isdigit() and len(texte) == 4):
        raise Http404(f"Année « {texte} » illisible : attendu par exemple « 2023 ».")
    annee = int(texte)
    actuel, lignes = comparaisons.comparer_annees(convention, annee)
    format_ = export_demande(request)
    if format_:
        return _export_comparaison(
            format_, f"{convention.slug}-annees", lignes, "Action continuée", str(annee)
        )
    return render(
        request,
        "conventions/comparaison.html",
        {
            "convention": convention,
            "titre": f"Année {annee} comparée aux actions qu'elle prolonge",
            "type": "annees",
            "annee": annee,
            "annees": range(convention.annee_debut, convention.annee_fin + 1),
            "lignes": lignes,
            **_tableau_comparatif(request, lignes, "Année précédente", str(annee)),
            "resume_statuts": comparaisons.resume_statuts(lignes),
            "libelle_avant": "Action continuée (convention précédente)",
            "libelle_apres": f"{annee}" + (f" — {actuel.libelle}" if actuel else ""),
            "graphique": _graphique_comparaison(lignes, "Action continuée", str(annee)),
            "peut_exporter": peut_exporter(request.user),
        },
    )
