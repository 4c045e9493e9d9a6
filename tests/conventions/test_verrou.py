"""Two writers of one tableau's amounts at once (threads, real transactions): the tableau's row
is locked first by each (``conventions.verrou``), so the second reads what the first wrote and
is refused with its value, never a lost update, never a 500. Each runs on both databases: on
SQLite, on a file copy of the test database whose transactions open IMMEDIATE and take the same
turns (without IMMEDIATE they end in « database is locked », a 500); on PostgreSQL they fail
without the lock.

Each race is staged: the first writer, once it has read, waits (at most half a second) for the
second to write. Without the lock the second writes in between; with it, the second waits for
the first to commit."""

import io
import sqlite3
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from comptes import roles
from conventions.models import Action, Convention, Engagement, Financeur, Territoire
from fichiers.classeurs import chargement, etat_des_tableaux
from fichiers.classeurs.export import classeur_des_tableaux, tableaux_de
from tests.serveur import Visiteur, texte

CALPA = "calpa-dijon-2023"


# SQLite's in-memory test database shares one cache between threads, which refuses a second
# writer at once (« database table is locked ») instead of waiting: there, each race runs on a
# copy of the test database in a file of its own, with the settings' IMMEDIATE transactions and
# busy timeout, as the application runs (``base_fichier``).
def transactionnel(test):
    return pytest.mark.django_db(transaction=True)(pytest.mark.usefixtures("base_fichier")(test))


@pytest.fixture
def base_fichier(documents, tmp_path):
    """On SQLite, the test's database copied to a file, which this thread and every thread
    the test starts then open (their connections are made from ``connections.settings``); the
    in-memory database, left as it was, is flushed after the test as usual. Nothing on
    PostgreSQL."""
    if connection.vendor != "sqlite":
        yield
        return
    chemin = tmp_path / "course.sqlite3"
    connection.ensure_connection()
    copie = sqlite3.connect(chemin)
    connection.connection.backup(copie)
    copie.close()
    reglages = connections.settings[DEFAULT_DB_ALIAS]
    memoire = connections[DEFAULT_DB_ALIAS]
    connections.settings[DEFAULT_DB_ALIAS] = {**reglages, "NAME": str(chemin)}
    connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections.settings[DEFAULT_DB_ALIAS] = reglages
        connections[DEFAULT_DB_ALIAS] = memoire


def connecte(identifiant):
    roles.creer_compte(
        identifiant,
        mot_de_passe="mot-de-passe-test",
        role=roles.FINANCES,
        territoires=Territoire.objects.all(),
    )
    client = Client(raise_request_exception=False)  # a server error is a 500, as in production
    client.force_login(get_user_model().objects.get(username=identifiant))
    return client


def en_vigueur():
    return Convention.objects.get(slug=CALPA).tableaux.get(annee_debut=2023, en_vigueur=True)


def engagement(code="1.1"):
    return Engagement.objects.get(tableau=en_vigueur(), action__code=code, financeur__slug="etat")


def grille(client):
    """The grid's URL and its fields as the page shows them."""
    tableau = en_vigueur()
    url = reverse("conventions:modifier_tableau", args=[CALPA, tableau.pk])
    return url, Visiteur.champs(client.get(url).content.decode())


def nom(code, slug="etat"):
    action = Action.objects.get(convention__slug=CALPA, code=code)
    return f"montant_{action.pk}_{Financeur.objects.get(slug=slug).pk}"


def classeur(montant, code="1.1") -> bytes:
    convention = Convention.objects.get(slug=CALPA)
    contenu = load_workbook(io.BytesIO(classeur_des_tableaux(tableaux_de(convention, 2023, 2023))))
    feuille = contenu["En vigueur"]
    ligne = next(r for r in range(13, feuille.max_row + 1) if feuille.cell(r, 1).value == code)
    feuille.cell(ligne, 3).value = montant
    sortie = io.BytesIO()
    contenu.save(sortie)
    return sortie.getvalue()


def ensemble(*fonctions):
    """Each function in its own thread (its own connection); their results, in order."""
    resultats = [None] * len(fonctions)

    def lancer(rang, fonction):
        try:
            resultats[rang] = fonction()
        except Exception as erreur:  # noqa: BLE001 — reported by the test's assertions
            resultats[rang] = erreur
        finally:
            connection.close()

    fils = [threading.Thread(target=lancer, args=pair) for pair in enumerate(fonctions)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(30)
    return resultats


def apres_lecture(monkeypatch, cible, attribut):
    """Patch ``cible.attribut`` so that, once it has run (the writer has read), it lets the
    other writer go (``lu``) and waits at most half a second for it (``ecrit``)."""
    lu, ecrit = threading.Event(), threading.Event()
    original = getattr(cible, attribut)

    def puis_attendre(*args, **kwargs):
        resultat = original(*args, **kwargs)
        if not lu.is_set():
            lu.set()
            ecrit.wait(0.5)
        return resultat

    monkeypatch.setattr(cible, attribut, puis_attendre)
    return lu, ecrit


@transactionnel
def test_une_grille_pendant_un_import_est_refusee_avec_le_montant_importe(documents, monkeypatch):
    alice = connecte("alice")
    url, champs = grille(alice)
    lu, ecrit = apres_lecture(monkeypatch, etat_des_tableaux.EtatDesTableaux, "__init__")

    def importer():
        return chargement.importer(classeur(91000), nom_fichier="annexe.xlsx")

    def saisir():
        lu.wait(5)
        try:
            return alice.post(url, {**champs, nom("1.1"): "95 000"})
        finally:
            ecrit.set()

    rapport, reponse = ensemble(importer, saisir)
    assert reponse.status_code == 409, reponse.status_code
    assert (
        "la valeur est maintenant 91\u202f000\u00a0€ (votre saisie : 95\u202f000\u00a0€)"
        in texte(reponse.content.decode())
    )
    assert "1 modifié(s)" in str(rapport)
    assert engagement().montant == Decimal("91000.00")


@transactionnel
def test_deux_imports_du_meme_tableau_passent_l_un_apres_l_autre(documents, monkeypatch):
    """The second import reads what the first wrote: its report says so, and each write has its
    own version (an open form sees both)."""
    avant = engagement()
    premier, second = classeur(91000), classeur(92000)
    lu, ecrit = apres_lecture(monkeypatch, etat_des_tableaux.EtatDesTableaux, "__init__")

    def importer(contenu, attendre):
        def lancer():
            if attendre:
                lu.wait(5)
            try:
                return chargement.importer(contenu, nom_fichier="annexe.xlsx")
            finally:
                if attendre:
                    ecrit.set()

        return lancer

    rapports = ensemble(importer(premier, False), importer(second, True))
    assert "91\u202f000\u00a0€ → 92\u202f000\u00a0€" in str(rapports[1]), rapports[1]
    assert engagement().montant == Decimal("92000.00")
    assert engagement().version == avant.version + 2


@transactionnel
def test_l_administration_pendant_une_grille_refuse_la_grille(documents, monkeypatch):
    from commun.concurrence import VersionForm

    admin, bruno = connecte("admin"), connecte("bruno")
    url, champs = grille(bruno)
    ligne = engagement()
    adresse = reverse("admin:conventions_engagement_change", args=[ligne.pk])
    formulaire = {
        "tableau": ligne.tableau_id,
        "action": ligne.action_id,
        "financeur": ligne.financeur_id,
        "version_lue": ligne.version,
        "montant": "90000",
    }
    lu, ecrit = apres_lecture(monkeypatch, VersionForm, "clean")

    def administrer():
        return admin.post(adresse, formulaire)

    def saisir():
        lu.wait(5)
        try:
            return bruno.post(url, {**champs, nom("1.1"): "95 000"})
        finally:
            ecrit.set()

    par_l_admin, par_la_grille = ensemble(administrer, saisir)
    assert par_l_admin.status_code == 302
    assert par_la_grille.status_code == 409, par_la_grille.status_code
    assert "Modifié entre-temps par admin : la valeur est maintenant 90\u202f000\u00a0€" in (
        texte(par_la_grille.content.decode())
    )
    assert engagement().montant == Decimal("90000.00")
    assert engagement().version == ligne.version + 1


@transactionnel
def test_deux_grilles_ajoutant_la_meme_case_donnent_302_et_409(documents, monkeypatch):
    from conventions import tableaux

    alice, bruno = connecte("alice"), connecte("bruno")
    engagement("2.1").delete()  # an empty cell both fill
    (url, pour_alice), (_url, pour_bruno) = grille(alice), grille(bruno)
    lu, ecrit = apres_lecture(monkeypatch, tableaux, "_conflits")

    def saisir(client, champs, montant, attendre):
        def envoyer():
            if attendre:
                lu.wait(5)
            try:
                return client.post(url, {**champs, nom("2.1"): montant})
            finally:
                if attendre:
                    ecrit.set()

        return envoyer

    reponses = ensemble(
        saisir(alice, pour_alice, "1 000", False), saisir(bruno, pour_bruno, "2 000", True)
    )
    statuts = [reponse.status_code for reponse in reponses]
    assert statuts == [302, 409], statuts
    assert (
        "Modifié entre-temps par alice : la valeur est maintenant 1\u202f000\u00a0€ (votre "
        "saisie : 2\u202f000\u00a0€)" in texte(reponses[1].content.decode())
    )
    assert engagement("2.1").montant == Decimal("1000.00")


def test_une_action_supprimee_pendant_l_import_est_refusee_en_francais(documents, monkeypatch):
    """The workbook is read before the transaction: an action deleted in between is refused
    in French (it was a KeyError, a 500), and nothing is written."""
    ancienne = engagement().montant
    voisine = Action.objects.get(convention__slug=CALPA, code="3.3")
    nouvelle = Action.objects.create(
        convention=voisine.convention, axe=voisine.axe, code="9.9", ordre=99, intitule="Nouvelle"
    )
    Engagement.objects.create(
        tableau=en_vigueur(),
        action=nouvelle,
        financeur=Financeur.objects.get(slug="etat"),
        montant=1,
    )
    contenu = classeur(7000, code="9.9")

    lire = chargement.lire

    def lire_puis_supprimer(*args, **kwargs):
        feuilles = lire(*args, **kwargs)
        Engagement.objects.filter(action=nouvelle).delete()
        nouvelle.delete()
        return feuilles

    monkeypatch.setattr(chargement, "lire", lire_puis_supprimer)
    with pytest.raises(chargement.ClasseurInvalide) as refus:
        chargement.importer(contenu, nom_fichier="annexe.xlsx")
    assert "l'action 9.9 a été supprimée pendant l'import." in str(refus.value)
    assert engagement().montant == ancienne


# --- The admin's list import (django-import-export) and the yearly loader ----------------------


def import_de_liste(montant, code="1.1"):
    """The admin's import of engagements, confirmed (what ``process_import`` runs)."""
    import tablib

    from fichiers.ressources.conventions import EngagementRessource

    tableau = en_vigueur()
    utilisateur = get_user_model().objects.get(username="admin")
    jeu = tablib.Dataset(
        ["calpa-dijon-2023", "2023", tableau.libelle, code, "etat", montant],
        headers=["convention", "période", "version", "action", "financeur", "montant"],
    )
    return EngagementRessource(utilisateur=utilisateur).import_data(
        jeu, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
    )


@transactionnel
def test_une_grille_pendant_un_import_de_liste_est_refusee_avec_le_montant_importe(
    documents, monkeypatch
):
    from fichiers.classeurs.listes import erreurs_du_resultat
    from fichiers.ressources.conventions import EngagementRessource

    connecte("admin")
    bruno = connecte("bruno")
    url, champs = grille(bruno)
    avant = engagement()
    lu, ecrit = apres_lecture(monkeypatch, EngagementRessource, "preparer")

    def saisir():
        lu.wait(5)
        try:
            return bruno.post(url, {**champs, nom("1.1"): "95 000"})
        finally:
            ecrit.set()

    resultat, reponse = ensemble(lambda: import_de_liste("91 000"), saisir)
    assert not isinstance(resultat, Exception), resultat
    assert erreurs_du_resultat(resultat) == []
    assert reponse.status_code == 409, reponse.status_code
    assert "la valeur est maintenant 91\u202f000\u00a0€ (votre saisie : 95\u202f000\u00a0€)" in (
        texte(reponse.content.decode())
    )
    assert engagement().montant == Decimal("91000.00")
    assert engagement().version == avant.version + 1


@pytest.mark.django_db
def test_un_import_de_liste_sur_une_ligne_changee_entre_temps_la_refuse_en_francais(
    documents, monkeypatch
):
    """Were a write to slip between the import's read and its write, the import's conditional
    update (on the version read) refuses the line, in French: never a lost update."""
    from fichiers.classeurs.listes import erreurs_du_resultat
    from fichiers.ressources.conventions import EngagementRessource

    connecte("admin")
    preparer = EngagementRessource.preparer

    def preparer_puis_ecrire(self, lignes):
        preparer(self, lignes)
        ligne = engagement()
        Engagement.objects.filter(pk=ligne.pk).update(
            montant=Decimal("95000"), version=ligne.version + 1
        )

    monkeypatch.setattr(EngagementRessource, "preparer", preparer_puis_ecrire)
    resultat = import_de_liste("91 000")
    assert erreurs_du_resultat(resultat) == [
        "Ligne 2 : le montant de « etat » pour l'action 1.1 (calpa-dijon-2023, 2023, "
        f"« {en_vigueur().libelle} ») a été modifié entre-temps par quelqu'un d'autre : rien "
        "n'a été écrit, relancez l'import pour voir sa valeur."
    ]
    assert engagement().montant == Decimal("100000.00")  # the other write was in its transaction


def fichier_annuel(montants: dict) -> bytes:
    """A yearly loader's file writing ``{tableau: montant}`` (action 1.1, l'État), in the
    order given."""
    lignes = [
        f'- {{model: conventions.engagement, fields: {{tableau: [{CALPA}, 2023, 2023, "'
        f'{tableau.libelle}"], action: [{CALPA}, "1.1"], financeur: [etat], '
        f'montant: "{montant}"}}}}'
        for tableau, montant in montants.items()
    ]
    return "\n".join(lignes).encode()


def tableaux_de_2023():
    """CALPA's 2023 tableaux, the last created first (the reverse of their key order)."""
    return list(
        Convention.objects.get(slug=CALPA).tableaux.filter(annee_debut=2023).order_by("-pk")
    )


@pytest.mark.django_db
def test_chargement_et_import_verrouillent_en_ordre_des_cles_quel_que_soit_le_fichier(
    documents, monkeypatch
):
    """Both lock every tableau they write at once, in key order, before writing any: the file
    names them last created first, the workbook's sheets are in the reverse order too."""
    from django.db.models.signals import pre_save

    from conventions import verrou
    from fichiers.annuel import chargement as annuel
    from fichiers.annuel.chargement import charger

    evenements = []
    original = verrou.tableaux_verrouilles

    def espion(filtre):
        requete = original(filtre)
        evenements.append(("verrou", list(requete.values_list("pk", flat=True))))
        return requete

    def ecriture(sender, instance, **kwargs):
        evenements.append(("écriture", instance.tableau_id))

    monkeypatch.setattr(annuel, "tableaux_verrouilles", espion)
    monkeypatch.setattr(etat_des_tableaux, "tableaux_verrouilles", espion)
    pre_save.connect(ecriture, sender=Engagement, weak=False)
    try:
        tableaux = tableaux_de_2023()
        cles = sorted(t.pk for t in tableaux)
        charger(fichier_annuel({t: 1000 + rang for rang, t in enumerate(tableaux)}))
        assert evenements[0] == ("verrou", cles), evenements
        assert ("écriture", cles[0]) in evenements
        evenements.clear()
        contenu = load_workbook(io.BytesIO(classeur(91000)))
        for _rang in range(len(contenu.sheetnames)):
            contenu.move_sheet(contenu.sheetnames[-1], -(len(contenu.sheetnames) - 1))
        sortie = io.BytesIO()
        contenu.save(sortie)
        chargement.importer(sortie.getvalue(), nom_fichier="annexe.xlsx")
        assert evenements[0] == ("verrou", cles[: len(evenements[0][1])]), evenements
        assert engagement().montant == Decimal("91000.00")
    finally:
        pre_save.disconnect(ecriture, sender=Engagement)


@transactionnel
def test_un_chargement_annuel_et_un_import_d_annexe_ne_s_interbloquent_pas(documents, monkeypatch):
    """The loader's file names the tableaux in the reverse of the import's order. Before the
    one lock order, the loader held the last tableau and waited for the first, which the
    import held while waiting for the last: PostgreSQL ended one of them (« deadlock
    detected »). Now the second waits for the first, and both go through."""
    from fichiers.annuel import chargement as annuel
    from fichiers.annuel.chargement import charger

    tableaux = tableaux_de_2023()
    fichier = fichier_annuel({t: 1000 + rang for rang, t in enumerate(tableaux)})
    annexe = classeur(91000)
    lu, ecrit = apres_lecture(monkeypatch, annuel, "verrouiller_le_tableau")

    def importer():
        lu.wait(5)
        try:
            return chargement.importer(annexe, nom_fichier="annexe.xlsx")
        finally:
            ecrit.set()

    rapport_annuel, rapport_annexe = ensemble(
        lambda: charger(fichier, nom_fichier="a.yaml"), importer
    )
    assert not isinstance(rapport_annuel, Exception), rapport_annuel
    assert not isinstance(rapport_annexe, Exception), rapport_annexe
    assert engagement().montant == Decimal("91000.00")


@pytest.mark.django_db
def test_la_mise_en_vigueur_verrouille_la_version_et_celle_qu_elle_remplace_en_ordre_des_cles(
    documents, monkeypatch
):
    """Both tableaux of the period at once, in key order, as an import of the period: before,
    the version replaced was locked first and the new one on its write, whatever their keys."""
    from conventions import verrou
    from conventions import versions as module

    verrouilles = []
    original = verrou.tableaux_verrouilles

    def espion(filtre):
        requete = original(filtre)
        verrouilles.append(list(requete.values_list("pk", flat=True)))
        return requete

    monkeypatch.setattr(module, "tableaux_verrouilles", espion)
    ancienne = en_vigueur()
    nouvelle = Convention.objects.get(slug=CALPA).tableaux.get(
        annee_debut=2023, en_vigueur=False, nature=ancienne.nature
    )
    remplacees = module.mettre_en_vigueur(tableau=nouvelle, utilisateur=None)
    assert [t.pk for t in remplacees] == [ancienne.pk]
    assert verrouilles == [sorted([ancienne.pk, nouvelle.pk])]
