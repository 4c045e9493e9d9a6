"""« Synthèse »: a year across the territoires the user reaches (every territoire for the État's
national services and the administrators, their own for the others), filtered by dispositif,
région and département; engaged and realised by dispositif, engaged by axe and by département
(with a map); the bilans and the constats; each table downloadable as xlsx or CSV."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from commun import carte
from commun.cellules import Genre
from commun.graphiques import barres
from commun.telechargements import reponse_export
from comptes.acces import conventions_de, territoires_de
from comptes.droits import peut_exporter
from controles import repartition
from controles import synthese as lecture
from controles.enregistres import echeances
from conventions.models import Convention
from pages.conventions.choix import export_demande

TABLES = ("engagements", "axes", "departements", "bilans", "constats")


def _entier(valeur) -> int | None:
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return None


def _points(fraction):
    """A fraction (0,5) as the percent points the downloads write (50)."""
    return None if fraction is None else fraction * 100


@login_required
def synthese(request):
    conventions = conventions_de(request.user)
    annees = lecture.annees_disponibles(conventions)
    lieux = repartition.lieux_suivis(territoires_de(request.user))
    annee = _entier(request.GET.get("annee"))
    if annee not in annees:
        annee = annees[0] if annees else None
    dispositif = request.GET.get("dispositif", "")
    if dispositif not in dict(Convention.Dispositif.choices):
        dispositif = ""
    region = request.GET.get("region", "")
    if region not in dict(lieux.regions):
        region = ""
    # The départements of the chosen région only (the form is sent again to narrow the list).
    departements = [d for d in lieux.departements if not region or d[2] == region]
    departement = request.GET.get("departement", "")
    if departement not in {code for code, _nom, _region in departements}:
        departement = ""
    if dispositif:
        conventions = conventions.filter(dispositif=dispositif)
    if region:
        conventions = conventions.filter(territoire__departement__region=region)
    if departement:
        conventions = conventions.filter(territoire__departement=departement)

    format_ = export_demande(request)
    if format_:
        table = request.GET.get("table")
        if table not in TABLES or annee is None:
            raise Http404("Tableau inconnu.")
        return _export(format_, table, conventions, annee)

    contexte = {
        "annees": annees,
        "annee": annee,
        "dispositifs": Convention.Dispositif.choices,
        "dispositif": dispositif,
        "regions": lieux.regions,
        "region": region,
        "departements": departements,
        "departement": departement,
        "peut_exporter": peut_exporter(request.user),
    }
    if annee is not None:
        lignes, total = lecture.engagements_par_dispositif(conventions, annee)
        calendrier = echeances(conventions)  # read once for the bilans and the constats
        bilans = lecture.bilans_de_l_annee(conventions, annee, calendrier=calendrier)
        contexte.update(
            lignes=lignes,
            total=total,
            graphique=barres(
                [ligne.libelle for ligne in lignes],
                [
                    ("Engagé État", [ligne.engage_etat for ligne in lignes]),
                    ("Réalisé État (bilans)", [ligne.realise_etat for ligne in lignes]),
                    ("Engagé collectivités", [ligne.engage_collectivite for ligne in lignes]),
                ],
            )
            if lignes
            else None,
            axes=repartition.engage_par_axe(conventions, annee),
            **_carte(conventions, annee, lieux),
            **_bilans_montres(bilans, tous=request.GET.get("tous") == "1"),
            constats=lecture.constats_par_regle(
                conventions, annee, calendrier=calendrier, noms=bilans.noms
            ),
        )
    return render(request, "synthese/synthese.html", contexte)


# The bilans' lists show the most urgent first and so many of them (all with ``?tous=1``): a
# hundred territoires would otherwise push the constats far down and cost their rendering.
MONTRES = 25
URGENCE = {"en retard": 0, "transmis": 1, "à compléter": 2, "en cours": 3, "validé": 4}


def _bilans_montres(bilans, *, tous: bool) -> dict:
    """The territoires with late bilans first, then waiting for review, to complete; the
    bilans late the longest first, then waiting the longest; the first ``MONTRES`` of each."""
    territoires = sorted(
        bilans.par_territoire,
        key=lambda c: (-c.en_retard, -c.transmis, -c.a_completer, c.territoire),
    )
    lignes = sorted(
        bilans.lignes,
        key=lambda b: (URGENCE.get(b.etat, 9), -(b.retard or 0), -(b.attente or 0)),
    )
    if not tous:
        territoires, lignes = territoires[:MONTRES], lignes[:MONTRES]
    return {
        "bilans": bilans,
        "territoires_montres": territoires,
        "territoires_caches": len(bilans.par_territoire) - len(territoires),
        "bilans_montres": lignes,
        "bilans_caches": len(bilans.lignes) - len(lignes),
        "tous": tous,
    }


def _carte(conventions, annee, lieux) -> dict:
    """The départements' table and, from two départements on, their map (État engaged)."""
    lignes = repartition.engage_par_departement(conventions, annee, lieux)
    avec_code = {ligne.code: ligne for ligne in lignes if ligne.code}
    dessinables = [code for code in avec_code if code in carte.formes()["departements"]]
    dessin = None
    if len(dessinables) >= 2:
        dessin = carte.carte(
            {code: avec_code[code].engage_etat for code in dessinables},
            {code: ligne.nom for code, ligne in avec_code.items()},
            mesure="engagé État",
        )
    return {"par_departement": lignes, "carte": dessin}


def _export(format_, table, conventions, annee):
    nom = f"synthese-{annee}-{table}"
    if table == "engagements":
        lignes, total = lecture.engagements_par_dispositif(conventions, annee)
        entetes = [
            "Dispositif",
            f"Engagé État {annee} (€)",
            f"Engagé collectivités {annee} (€)",
            "Réalisé État, bilans (€)",
            "Réalisé collectivités, bilans (€)",
            "Taux d'exécution État (%)",
            "Taux d'exécution collectivités (%)",
            f"Engagé État {annee - 1} (€)",
            f"Engagé collectivités {annee - 1} (€)",
            "Évolution État (%)",
            "Évolution collectivités (%)",
        ]
        genres = [Genre.TEXTE, *[Genre.EUROS] * 4, *[Genre.POURCENT] * 2]
        genres += [*[Genre.EUROS] * 2, *[Genre.POURCENT] * 2]
        donnees = [
            [
                t.libelle,
                t.engage_etat,
                t.engage_collectivite,
                t.realise_etat,
                t.realise_collectivite,
                _points(t.taux_etat),
                _points(t.taux_collectivite),
                t.precedent_etat,
                t.precedent_collectivite,
                _points(t.evolution_etat),
                _points(t.evolution_collectivite),
            ]
            for t in [*lignes, total]
        ]
    elif table == "bilans":
        resultat = lecture.bilans_de_l_annee(conventions, annee)
        entetes = [
            "Territoire",
            "Convention",
            "Dispositif",
            "Statut du bilan",
            "Situation",
            "Échéance",
            "Retard (jours)",
            "Transmis le",
            "En attente d'examen (jours)",
        ]
        genres = [*[Genre.TEXTE] * 5, Genre.DATE, Genre.NOMBRE, Genre.DATE, Genre.NOMBRE]
        donnees = [
            [
                b.territoire,
                b.convention,
                b.dispositif,
                b.statut,
                b.etat,
                b.echeance,
                b.retard,
                b.transmis_le,
                b.attente,
            ]
            for b in resultat.lignes
        ]
    elif table in ("axes", "departements"):
        entetes, genres, donnees = _repartition(table, conventions, annee)
    else:
        entetes = ["Règle", "Sévérité", "Constats", "Territoires", "Conventions"]
        genres = [Genre.TEXTE, Genre.TEXTE, Genre.NOMBRE, Genre.TEXTE, Genre.TEXTE]
        donnees = [
            [
                g.regle,
                g.severite,
                g.nombre,
                ", ".join(g.territoires),
                " ; ".join(intitule for _t, intitule, _l in g.conventions),
            ]
            for g in lecture.constats_par_regle(conventions, annee, exemples=None)
        ]
    return reponse_export(format_, nom, entetes, donnees, genres)


def _repartition(table, conventions, annee):
    """The axes' or the départements' table, as downloaded: headers, column kinds, rows."""
    montants = [f"Engagé État {annee} (€)", f"Engagé collectivités {annee} (€)"]
    if table == "axes":
        lignes = repartition.engage_par_axe(conventions, annee)
        return (
            ["Dispositif", "Axe", *montants],
            [Genre.TEXTE, Genre.TEXTE, Genre.EUROS, Genre.EUROS],
            [[a.dispositif, a.axe, a.engage_etat, a.engage_collectivite] for a in lignes],
        )
    lignes = repartition.engage_par_departement(conventions, annee)
    return (
        ["Code", "Département", "Région", *montants],
        [Genre.TEXTE, Genre.TEXTE, Genre.TEXTE, Genre.EUROS, Genre.EUROS],
        [[d.code, d.nom, d.region, d.engage_etat, d.engage_collectivite] for d in lignes],
    )
