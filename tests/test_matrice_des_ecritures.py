"""Every way to write × the two guarantees users rely on (issue 23).

The doors are read from the application itself, not listed by hand: every page of the URL
configuration and every form it shows (each submit button a submission), every registered admin
screen (its change form and inlines, add, delete, each bulk action, its history « revert », its
extra screens: imports, « Charger une convention » and its result screen, which gives a
territoire to accounts), and every management command of ours. A
new page, form, admin screen, bulk action or command is tried the day it lands; a command
without its row in ``COMMANDES`` fails ``test_chaque_commande_a_sa_ligne``.

The forms are read as a superuser sees them on Dijon's objects while the 2023 bilan is still in
preparation (so that every editable form is there), then the bilan is transmitted, and each
form is sent back with its values changed:

- **territoire**: by a non-superuser administrator of Haute-Saône (the widest rights short of
  every territoire): no Dijon row changes, no shared financeur changes, and no row of one
  territoire points at another's (``chevauchements``, over every foreign key);
- **gel**: by Dijon's administrator (not a superuser), finance officer and agent: none of the
  transmitted bilan's figures changes (``photo`` of ``tests/bilans/test_gel.py``).
"""

import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.urls import NoReverseMatch, resolve, reverse

from bilans.models import Bilan
from comptes import roles
from comptes.acces import CHEMINS_TERRITOIRE
from conventions.models import Convention, Financeur, TableauEngagements, Territoire
from fichiers.annuel.chargement import charger
from fichiers.annuel.reconduction import reconduire
from fichiers.classeurs.export import classeur_des_tableaux
from tests.bilans.test_gel import photo, transmettre
from tests.conventions.test_chargement_annuel import EXEMPLE_YAML
from tests.test_matrice_des_droits import HORS_MATRICE, noms_d_url

CALPA = "calpa-dijon-2023"
SUIVI = reverse("admin:conventions_convention_charger_suivi")  # the load's result screen
NOS_APPLICATIONS = {
    "conventions",
    "bilans",
    "controles",
    "comptes",
    "fichiers",
    "pages",
    "outils",
    "import_export",
}

# Our management commands (and django-import-export's) × what they may write. Django's own
# (loaddata, flush, shell…) are the operator's direct access to the database, outside the
# application's guarantees, like an SQL console.
COMMANDES = {
    "charger_convention": "écrit : essayé ci-dessous sur le bilan transmis",
    "importer": "écrit : essayé ci-dessous sur le budget prévisionnel figé",
    "import": "écrit : essayé ci-dessous (sans utilisateur, aucune convention n'est atteinte)",
    "historiser": "écrit des lignes d'historique, jamais un chiffre",
    "relancer": "écrit ses relances envoyées, jamais un chiffre",
    "creer_comptes_demo": "écrit les comptes de démonstration (refusée en production)",
    "generer_donnees": "écrit un jeu national dans une base jetable (outils)",
    "reconduire": "lit : écrit un fichier",
    "sauvegarder": "lit : écrit un fichier",
    "exporter": "lit : écrit un fichier",
    "exporter_engagements": "lit : écrit un fichier",
    "rapport_d_execution": "lit : écrit un fichier (PDF, DOCX ou zip)",
    "annexe_financiere": "lit : écrit un fichier (PDF)",
    "export": "lit : écrit un fichier",
    "controles": "lit",
}


# --- what must not change -------------------------------------------------------------------


def lignes_de(territoire: Territoire) -> dict:
    """Every row of the territoire, and the shared financeurs (only a superuser changes them)."""
    from django.apps import apps

    lignes = {
        label: list(
            apps.get_model(label)
            ._base_manager.filter(**{chemin: [territoire.pk]})
            .order_by("pk")
            .values()
        )
        for label, chemin in CHEMINS_TERRITOIRE.items()
    }
    lignes["financeurs communs"] = list(Financeur.objects.filter(territoire=None).values())
    # Who follows the territoire (the load's result screen gives it to more accounts).
    lignes["comptes qui le suivent"] = sorted(
        territoire.profils.values_list("utilisateur__username", flat=True)
    )
    return lignes


def chevauchements() -> list[str]:
    """Rows pointing at another territoire's row (a shared financeur is everyone's)."""
    from django.apps import apps

    fautes = []
    for label, chemin in CHEMINS_TERRITOIRE.items():
        modele = apps.get_model(label)
        mien = chemin.removesuffix("__in")
        for champ in modele._meta.concrete_fields:
            cible = getattr(champ.related_model, "_meta", None)
            if (
                not champ.many_to_one
                or cible is None
                or cible.label_lower not in CHEMINS_TERRITOIRE
            ):
                continue
            sien = f"{champ.name}__{CHEMINS_TERRITOIRE[cible.label_lower].removesuffix('__in')}"
            ecarts = (
                modele._base_manager.exclude(**{f"{sien}__isnull": True})
                .exclude(**{f"{mien}__isnull": True})
                .exclude(**{mien: F(sien)})
            )
            fautes += [
                f"{label} n° {pk} → {champ.name}" for pk in ecarts.values_list("pk", flat=True)
            ]
    return fautes


# --- the doors, read from the application -----------------------------------------------------


class _Formulaires(HTMLParser):
    """The POST forms of a page: action, fields as displayed (value and kind), and each
    submit button."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.formulaires, self._courant, self._zone = [], None, None

    def handle_starttag(self, balise, attributs):
        a = dict(attributs)
        if balise == "form" and (a.get("method") or "").lower() == "post":
            self._courant = {"action": a.get("action") or "", "champs": {}, "boutons": []}
            self.formulaires.append(self._courant)
        elif self._courant is None or a.get("disabled") is not None:
            return
        elif balise == "input" and a.get("name"):
            genre = (a.get("type") or "text").lower()
            if genre == "submit":
                self._courant["boutons"].append((a["name"], a.get("value") or ""))
            elif genre in {"checkbox", "radio"}:
                if "checked" in a:
                    self._courant["champs"][a["name"]] = (a.get("value") or "on", genre)
            elif genre != "file":
                self._courant["champs"][a["name"]] = (a.get("value") or "", genre)
        elif balise == "button" and a.get("name"):
            self._courant["boutons"].append((a["name"], a.get("value") or ""))
        elif balise in {"textarea", "select"} and a.get("name"):
            self._zone = (balise, a["name"])
            self._courant["champs"].setdefault(a["name"], ("", balise))
        elif balise == "option" and self._zone and self._zone[0] == "select":
            nom = self._zone[1]
            if "selected" in a or not self._courant["champs"][nom][0]:
                self._courant["champs"][nom] = (a.get("value") or "", "select")

    def handle_data(self, donnees):
        if self._zone and self._zone[0] == "textarea":
            valeur, genre = self._courant["champs"][self._zone[1]]
            self._courant["champs"][self._zone[1]] = (valeur + donnees, genre)

    def handle_endtag(self, balise):
        if balise == "form":
            self._courant = None
        elif balise in {"textarea", "select"}:
            self._zone = None


NOMBRE = re.compile(r"\d{1,3}([\s\u202f\u00a0]\d{3})+([.,]\d+)?|\d+[.,]\d+")
DATE = re.compile(r"\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2}")


def changer(nom: str, valeur: str, genre: str) -> str:
    """A value the form did not show, still valid: an amount or a count one more, a text with
    a suffix; keys, choices, dates, ids and hidden fields as they were."""
    if genre in {"hidden", "select", "checkbox", "radio"} or not valeur or DATE.fullmatch(valeur):
        return valeur
    if NOMBRE.fullmatch(valeur.strip()):
        chiffres = re.sub(r"[\s\u202f\u00a0]", "", valeur).replace(",", ".")
        return str(Decimal(chiffres) + 1).replace(".", ",")
    if valeur.isdigit():
        compte = any(mot in nom for mot in ("montant", "valeur", "indicateur_"))
        return str(int(valeur) + 1) if compte else valeur
    if genre == "textarea" or genre == "text" and " " in valeur:
        return f"{valeur} (modifié)"
    return valeur


def formulaires(html: str, adresse: str) -> list[dict]:
    """The page's POST forms about data (not logging out, not one's own password)."""
    lecteur = _Formulaires()
    lecteur.feed(html)
    resultat = []
    for formulaire in lecteur.formulaires:
        formulaire["action"] = formulaire["action"] or adresse
        if resolve(urlsplit(formulaire["action"]).path).url_name not in HORS_MATRICE:
            resultat.append(formulaire)
    return resultat


def envois(client: Client, adresse: str) -> list[tuple[str, dict]]:
    """Every submission the page offers, values changed, as ``(action, données)``."""
    reponse = client.get(adresse)
    if reponse.status_code != 200 or "html" not in reponse.get("Content-Type", ""):
        return [(adresse, {})]
    resultat = [(adresse, {})]  # a POST forged on the page itself
    for formulaire in formulaires(reponse.content.decode(), adresse):
        champs = formulaire["champs"].items()
        donnees = {nom: changer(nom, valeur, genre) for nom, (valeur, genre) in champs}
        for nom, valeur in formulaire["boutons"] or [(None, None)]:
            resultat.append((formulaire["action"], {**donnees, **({nom: valeur} if nom else {})}))
    return resultat


def adresses_des_pages(tableaux: list[int]) -> list[str]:
    """Every page of the URL configuration, for Dijon's convention, bilan and tableaux."""
    from tests.test_matrice_des_droits import PARAMETRES

    adresses = []
    for nom, motif in noms_d_url():
        if nom in HORS_MATRICE:
            continue
        cles = set(motif.pattern.regex.groupindex)
        for pk in tableaux if "pk" in cles else [None]:
            valeurs = {cle: (pk if cle == "pk" else PARAMETRES[cle]) for cle in cles}
            adresses.append(reverse(nom, kwargs=valeurs))
    return adresses


def adresses_de_l_administration(objets: dict) -> list[str]:
    """Per registered model: its list, add form, one Dijon object's change, delete and history
    screens and each of its history versions, and its extra screens."""
    adresses = []
    for modele in admin.site._registry:
        prefixe = f"admin:{modele._meta.app_label}_{modele._meta.model_name}"
        adresses += [reverse(f"{prefixe}_changelist"), reverse(f"{prefixe}_add")]
        for objet in objets.get(modele._meta.label_lower, []):
            for ecran in ("change", "delete", "history"):
                adresses.append(reverse(f"{prefixe}_{ecran}", args=[objet.pk]))
            historique = getattr(modele, "historique", None)
            if historique is not None and hasattr(historique, "filter"):
                for version in historique.filter(id=objet.pk).order_by("history_id")[:1]:
                    adresses.append(
                        reverse(f"{prefixe}_simple_history", args=[objet.pk, version.history_id])
                    )
        for ecran in ("import", "charger", "export"):
            try:
                adresses.append(reverse(f"{prefixe}_{ecran}"))
            except NoReverseMatch:
                continue
    # The load's result screen, for Dijon's convention: who follows its territoire.
    adresses.append(f"{SUIVI}?convention={CALPA}")
    return adresses


def accords_de_territoire() -> list[tuple[str, dict]]:
    """The result screen's form with every account it offers ticked (the superusers see every
    territoire already): giving Dijon Métropole to all, the administrator of Haute-Saône
    included."""
    from django.contrib.auth import get_user_model

    dijon = Territoire.objects.get(slug="dijon-metropole")
    comptes = list(get_user_model().objects.filter(is_superuser=False).values_list("pk", flat=True))
    return [(f"{SUIVI}?convention={CALPA}", {"territoire": dijon.pk, "utilisateurs": comptes})]


def actions_en_bloc(objets: dict) -> list[tuple[str, dict]]:
    """Each bulk action of each list, on Dijon's objects of that model."""
    resultat = []
    for modele, modele_admin in admin.site._registry.items():
        choisis = [o.pk for o in objets.get(modele._meta.label_lower, [])]
        if not choisis:
            continue
        liste = reverse(f"admin:{modele._meta.app_label}_{modele._meta.model_name}_changelist")
        for nom in modele_admin.get_actions(_RequeteSuperutilisateur()):
            resultat.append(
                (liste, {"action": nom, "_selected_action": choisis, "post": "yes", "index": 0})
            )
    return resultat


class _RequeteSuperutilisateur:
    """Enough of a request for ``get_actions``: every action a superuser sees."""

    GET: dict = {}

    class user:  # noqa: N801
        is_active = is_staff = is_superuser = is_authenticated = True

        @staticmethod
        def has_perm(permission, obj=None):
            return True


def fichiers_a_deposer(superutilisateur: Client) -> list[tuple[str, dict]]:
    """The files each import screen takes, made from Dijon's own data: the annex workbook, the
    flat lists as exported, and the yearly file of the 2023 CALPA."""
    convention = Convention.objects.get(slug=CALPA)
    tableaux = list(TableauEngagements.objects.filter(convention=convention))
    annexe = classeur_des_tableaux(tableaux)
    depots = [
        (
            reverse("admin:conventions_tableauengagements_import"),
            {"fichier": SimpleUploadedFile("annexe.xlsx", annexe)},
        )
    ]
    bilan = Bilan.objects.get(convention=convention, annee=2023)
    mesure = bilan.mesures.select_related("indicateur__action").first()
    indicateur = [CALPA, mesure.indicateur.action.code, mesure.indicateur.code]
    hs = "calpa-haute-saone-2021"
    annuels = {
        "annee-suivante.yaml": reconduire(convention, 2024).en_texte("yaml").encode(),
        # Haute-Saône's own bilan, pointing at Dijon's prévisionnel, action or indicator.
        "previsionnel-de-dijon.yaml": (
            f"- model: bilans.bilan\n  fields: {{convention: [{hs}], annee: 2021, "
            f"tableau_previsionnel: {[CALPA, 2023, 2023, bilan.tableau_previsionnel.libelle]}}}\n"
        ).encode(),
        "action-de-dijon.yaml": (
            f"- model: bilans.bilan\n  fields: {{convention: [{hs}], annee: 2021}}\n"
            f"- model: bilans.rapportaction\n  fields: {{bilan: [{hs}, 2021], "
            f"action: [{CALPA}, '1.1'], texte: x}}\n"
        ).encode(),
        "indicateur-de-dijon.yaml": (
            f"- model: bilans.bilan\n  fields: {{convention: [{hs}], annee: 2021}}\n"
            f"- model: bilans.mesure\n  fields: {{indicateur: {indicateur}, bilan: [{hs}, 2021], "
            "valeur: '987654'}\n"
        ).encode(),
        "bilan.yaml": (
            "- model: bilans.mesure\n"
            f"  fields: {{indicateur: {indicateur}, bilan: [{CALPA}, 2023], valeur: '1.00'}}\n"
        ).encode(),
    }
    for nom, contenu in annuels.items():
        depots.append(
            (
                reverse("admin:conventions_convention_charger"),
                {"fichier": SimpleUploadedFile(nom, contenu)},
            )
        )
    for modele in admin.site._registry:
        prefixe = f"admin:{modele._meta.app_label}_{modele._meta.model_name}"
        try:
            export, importe = reverse(f"{prefixe}_export"), reverse(f"{prefixe}_import")
        except NoReverseMatch:
            continue
        contenu = superutilisateur.post(export, {"format": "1", "export_items": []}).content
        for format_, nom in ((0, "liste.xlsx"), (1, "liste.csv")):
            depots.append(
                (
                    importe,
                    {"format": str(format_), "import_file": SimpleUploadedFile(nom, contenu)},
                )
            )
    return depots


# --- the people and the data ----------------------------------------------------------------


@pytest.fixture
def monde(documents):
    """Dijon's documents and Haute-Saône's example; Dijon's 2023 bilan in preparation."""
    charger(EXEMPLE_YAML.read_bytes(), nom_fichier="exemple.yaml")
    dijon = Territoire.objects.get(slug="dijon-metropole")
    haute_saone = Territoire.objects.get(slug="departement-haute-saone")

    def client_de(identifiant, role, territoire, superutilisateur=False):
        utilisateur = roles.creer_compte(
            identifiant, mot_de_passe="x", role=role, territoires=[territoire]
        )
        if role == roles.ADMINISTRATEUR and not superutilisateur:
            utilisateur.is_superuser = False
            utilisateur.save()
        client = Client()
        client.force_login(utilisateur)
        return client

    return {
        "dijon": dijon,
        "superutilisateur": client_de("super", roles.ADMINISTRATEUR, dijon, True),
        "haute-saone": client_de("admin-hs", roles.ADMINISTRATEUR, haute_saone),
        "administrateur": client_de("admin-dijon", roles.ADMINISTRATEUR, dijon),
        "finances": client_de("finances-dijon", roles.FINANCES, dijon),
        "agent": client_de("agent-dijon", roles.AGENT, dijon),
    }


def objets_de_dijon() -> dict:
    """One object of each territoire-bound model, of Dijon, the transmitted bilan's first."""
    from django.apps import apps

    bilan = Bilan.objects.get(convention__slug=CALPA, annee=2023)
    premiers = {
        "bilans.bilan": [bilan],
        "bilans.rapportaction": list(bilan.rapports.all()[:1]),
        "bilans.mesure": list(bilan.mesures.all()[:1]),
        "bilans.indicateur": [bilan.mesures.first().indicateur],
        "conventions.tableauengagements": [
            bilan.tableau_previsionnel,
            TableauEngagements.objects.get(convention__slug=CALPA, en_vigueur=True),
        ],
        "conventions.engagement": list(bilan.tableau_previsionnel.engagements.all()[:1]),
        "conventions.totalimprime": list(bilan.tableau_previsionnel.totaux_imprimes.all()[:1]),
    }
    for label, chemin in CHEMINS_TERRITOIRE.items():
        if label not in premiers:
            requete = apps.get_model(label)._base_manager.filter(
                **{chemin: Territoire.objects.filter(slug="dijon-metropole").values("pk")}
            )
            premiers[label] = list(requete.order_by("pk")[:1])
    return premiers


def toutes_les_soumissions(monde) -> list[tuple[str, dict]]:
    """Read while the bilan is in preparation, as the superuser sees them."""
    superutilisateur = monde["superutilisateur"]
    bilan = Bilan.objects.get(convention__slug=CALPA, annee=2023)
    tableaux = [
        bilan.tableau_previsionnel_id,
        TableauEngagements.objects.get(convention__slug=CALPA, en_vigueur=True).pk,
    ]
    soumissions = []
    for adresse in adresses_des_pages(tableaux) + adresses_de_l_administration(objets_de_dijon()):
        soumissions += envois(superutilisateur, adresse)
    soumissions += actions_en_bloc(objets_de_dijon())
    soumissions += accords_de_territoire()
    return soumissions + corrections_du_suivi(superutilisateur)


def corrections_du_suivi(superutilisateur: Client, jour: str = "") -> list[tuple[str, dict]]:
    """The forms a validated bilan's « Suivi » shows the superuser (« Corriger la date de
    transmission », « Rouvrir le bilan »), read in a transaction rolled back so that the other
    doors are read on the bilan in preparation; each with a motif, and the date ``jour`` when
    given (else the date shown, the one ``transmettre`` records)."""
    bilan = Bilan.objects.get(convention__slug=CALPA, annee=2023)
    statut = reverse("bilans:statut", args=[CALPA, 2023])
    with transaction.atomic():
        transmettre(bilan, statut=Bilan.Statut.VALIDE)
        lus = [
            (action, donnees)
            for action, donnees in envois(superutilisateur, bilan.get_absolute_url())
            if action == statut
        ]
        transaction.set_rollback(True)
    for _action, donnees in lus:
        donnees["commentaire"] = donnees.get("commentaire") or "Motif de la matrice."
        if jour and "date_transmission" in donnees:
            donnees["date_transmission"] = jour
    assert {d["transition"] for _a, d in lus} == {"corriger_transmission", "rouvrir"}
    return lus


def rejouer(client: Client, soumissions) -> list[str]:
    """Send every submission; a server error is a failure of its own. A file deposited is
    followed through its preview: each form the answer shows (« Confirmer l'import »…) is sent
    as it is."""
    erreurs = []
    for action, donnees in soumissions:
        fichiers = {n: v for n, v in donnees.items() if isinstance(v, SimpleUploadedFile)}
        for valeur in fichiers.values():
            valeur.seek(0)
        reponse = client.post(action, donnees)
        suites = []
        if fichiers and reponse.status_code == 200:
            suites = [
                (
                    f["action"],
                    {nom: valeur for nom, (valeur, _genre) in f["champs"].items()}
                    | dict(f["boutons"][:1]),
                )
                for f in formulaires(reponse.content.decode(), action)
            ]
        for suite, donnees_suite in suites:
            reponse_suite = client.post(suite, donnees_suite)
            if reponse_suite.status_code >= 500:
                erreurs.append(f"{suite} (suite de {action}) : {reponse_suite.status_code}")
        if reponse.status_code >= 500:
            erreurs.append(f"{action} : {reponse.status_code}")
    # Still logged in: a replay by a visitor sent back to the login page would prove nothing.
    assert client.get(reverse("conventions:tableau_de_bord")).status_code == 200
    return erreurs


# --- the tests --------------------------------------------------------------------------------


def test_chaque_commande_a_sa_ligne():
    nos_commandes = {nom for nom, app in get_commands().items() if app in NOS_APPLICATIONS}
    assert nos_commandes == set(COMMANDES), "commande sans ligne : " + ", ".join(
        sorted(nos_commandes ^ set(COMMANDES))
    )


def test_un_administrateur_d_un_autre_territoire_n_ecrit_rien_chez_dijon(monde):
    soumissions = toutes_les_soumissions(monde)
    depots = fichiers_a_deposer(monde["superutilisateur"])
    transmettre(Bilan.objects.get(convention__slug=CALPA, annee=2023))
    avant = lignes_de(monde["dijon"])
    assert len(soumissions) > 150, len(soumissions)
    erreurs = rejouer(monde["haute-saone"], soumissions + depots)
    assert erreurs == []
    assert lignes_de(monde["dijon"]) == avant
    assert chevauchements() == []


@pytest.mark.parametrize("qui", ["administrateur", "finances", "agent"])
def test_personne_ne_change_les_chiffres_d_un_bilan_transmis(monde, qui):
    soumissions = toutes_les_soumissions(monde)
    depots = fichiers_a_deposer(monde["superutilisateur"])
    bilan = transmettre(Bilan.objects.get(convention__slug=CALPA, annee=2023))
    avant = photo(bilan)
    erreurs = rejouer(monde[qui], soumissions + depots)
    assert erreurs == []
    assert photo(bilan) == avant
    assert chevauchements() == []


def test_les_commandes_ne_changent_pas_un_bilan_transmis(monde, tmp_path):
    from django.core.management.base import CommandError

    from bilans.models import Mesure

    bilan = transmettre(Bilan.objects.get(convention__slug=CALPA, annee=2023))
    avant = photo(bilan)
    mesure = Mesure.objects.filter(bilan=bilan).select_related("indicateur__action").first()
    annexe = tmp_path / "annexe.xlsx"
    annexe.write_bytes(classeur_des_tableaux([bilan.tableau_previsionnel]))
    with pytest.raises(CommandError, match="ses chiffres ne sont plus modifiables"):
        call_command("importer", str(annexe), stdout=io.StringIO())
    annuel = tmp_path / "bilan.yaml"
    indicateur = [CALPA, mesure.indicateur.action.code, mesure.indicateur.code]
    annuel.write_text(
        "- model: bilans.mesure\n"
        f"  fields: {{indicateur: {indicateur}, bilan: [{CALPA}, 2023], valeur: '1.00'}}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="ses chiffres ne sont plus modifiables"):
        call_command("charger_convention", str(annuel), stdout=io.StringIO())
    liste = tmp_path / "mesures.csv"
    liste.write_text(
        f"id,indicateur,bilan,valeur,version\n{mesure.pk},{mesure.indicateur_id},"
        f"{bilan.pk},1.00,{mesure.version}\n",
        encoding="utf-8",
    )
    call_command(
        "import",
        "bilans.Mesure",
        str(liste),
        "--noinput",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert photo(bilan) == avant


def test_les_envois_ecrivent_vraiment_quand_rien_ne_l_interdit(monde):
    """The control of the matrix: each submission, sent alone by a superuser while the bilan is
    in preparation (and rolled back), writes what it offers to write; every part of the
    bilan's figures is written by at least one of them. The refusals above are the rules'."""
    soumissions = toutes_les_soumissions(monde) + fichiers_a_deposer(monde["superutilisateur"])
    bilan = Bilan.objects.get(convention__slug=CALPA, annee=2023)
    avant = photo(bilan)
    ecrites = set()
    for action, donnees in soumissions:
        with transaction.atomic():
            rejouer(monde["superutilisateur"], [(action, donnees)])
            apres = photo(bilan)
            ecrites |= {nom for nom, a, b in zip(PARTIES, avant, apres, strict=True) if a != b}
            transaction.set_rollback(True)
    assert sorted(ecrites) == sorted(PARTIES)


def test_les_corrections_du_suivi_selon_qui_les_envoie(monde):
    """The two corrections of a validated bilan, sent by each account: another territoire's
    administrator and Dijon's finance officer change nothing; Dijon's agent corrects the
    transmission date only; Dijon's administrator also reopens it (« à compléter »). None of
    them changes a figure."""
    bilan = Bilan.objects.get(convention__slug=CALPA, annee=2023)
    Bilan.objects.filter(pk=bilan.pk).update(date_deliberation="2024-03-15")
    soumissions = corrections_du_suivi(monde["superutilisateur"], jour="2024-03-25")
    figures = photo(bilan)[1:]  # the row apart: the cycle writes its status and date
    attendus = {
        "haute-saone": ("valide", "2024-03-20"),
        "finances": ("valide", "2024-03-20"),
        "agent": ("valide", "2024-03-25"),
        "administrateur": ("a_completer", "2024-03-25"),
    }
    obtenus = {}
    for qui in attendus:
        transmettre(bilan, statut=Bilan.Statut.VALIDE)
        avant = lignes_de(monde["dijon"]) if qui == "haute-saone" else None
        assert rejouer(monde[qui], soumissions) == []
        apres = Bilan.objects.get(pk=bilan.pk)
        obtenus[qui] = (apres.statut, apres.date_transmission.isoformat())
        assert photo(bilan)[1:] == figures, qui
        if avant is not None:
            assert lignes_de(monde["dijon"]) == avant
    assert obtenus == attendus


PARTIES = ["bilan", "rapports", "mesures", "indicateurs", "lignes du prévisionnel", "prévisionnel"]
