"""The flat lists of conventions/ as the admin imports and exports them (django-import-export).

Natural keys only, never database ids: a convention, a financeur and a territoire by their
identifiant, a tableau by its period and libellé, an action by its code.
"""

import re
from difflib import get_close_matches

from django.db.models import Q
from import_export.fields import Field

from commun.cellules import Genre
from commun.formats import CENTIME
from commun.montants import MontantRefuse
from comptes.acces import territoires_de, voit_tous_les_territoires
from conventions.models import (
    Action,
    Convention,
    Departement,
    DepartementInconnu,
    Engagement,
    Financeur,
    Territoire,
)
from conventions.models.engagements import financeur_permis
from conventions.verrou import tableaux_verrouilles
from fichiers.classeurs.listes import (
    Champ,
    LigneRefusee,
    NombreFrancaisWidget,
    RessourceProtegee,
    texte,
)


def choix(valeur, choices, nom: str) -> str:
    """A choice typed as its key (« metropole ») or as shown (« métropole »)."""
    lu = texte(valeur)
    for cle, libelle in choices:
        if lu.lower() in {cle, str(libelle).lower()}:
            return cle
    attendus = ", ".join(str(libelle) for _cle, libelle in choices)
    raise ValueError(f"{nom} « {lu} » inconnue (attendu : {attendus})")


def periode(valeur) -> tuple[int, int]:
    """« 2023 » or « 2015-2017 »."""
    trouve = re.fullmatch(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?", texte(valeur))
    if not trouve:
        raise ValueError(f"« {texte(valeur)} » illisible (exemple : 2023 ou 2015-2017)")
    debut, fin = trouve.groups()
    return int(debut), int(fin or debut)


def entier(valeur) -> int | None:
    refus = f"« {texte(valeur)} » n'est pas un nombre entier"
    try:
        lu = NombreFrancaisWidget().clean(valeur)
    except MontantRefuse:
        raise ValueError(refus) from None
    if lu is None:
        return None
    if lu != lu.to_integral_value() or lu > 32767:
        raise ValueError(refus)
    return int(lu)


def conseil(saisi: str, connus) -> str:
    proches = get_close_matches(saisi, list(connus), n=1, cutoff=0.6)
    return f" (vouliez-vous écrire « {proches[0]} » ?)" if proches else ""


class TerritoireRessource(RessourceProtegee):
    identifiant = Field(attribute="slug", column_name="identifiant")
    nom = Field(attribute="nom", column_name="nom")
    nature = Field(attribute="get_nature_display", column_name="nature")
    departement = Field(attribute="departement__nom", column_name="département")

    colonnes_obligatoires = ("identifiant", "nom")

    class Meta:
        model = Territoire
        name = "territoires"
        fields = ("identifiant", "nom", "nature", "departement")
        export_order = fields

    def preparer(self, lignes):
        slugs = {texte(ligne.get("identifiant")) for ligne in lignes}
        self.existants = {t.slug: t for t in Territoire.objects.filter(slug__in=slugs)}
        self.miens = set(territoires_de(self.utilisateur).values_list("pk", flat=True))
        self.departements = list(Departement.objects.all())

    def lire(self, ligne):
        erreurs = []
        slug = texte(ligne.get("identifiant"))
        existant = self.existants.get(slug)
        valeurs = {"slug": slug, "nom": texte(ligne.get("nom"))}
        if not slug or not valeurs["nom"]:
            erreurs.append("identifiant et nom sont obligatoires")
        elif not voit_tous_les_territoires(self.utilisateur) and (
            existant is None or existant.pk not in self.miens
        ):
            erreurs.append(
                f"territoire « {slug} » hors de ceux que vous suivez (seul un administrateur de "
                "tous les territoires en ajoute un)"
            )
        if texte(ligne.get("nature")):  # blank: the territoire keeps its nature
            valeurs["nature"] = self.cellule(
                ligne, "nature", erreurs, lambda v: choix(v, Territoire.Nature.choices, "nature")
            )
        if "département" in ligne:  # the COG's code or name; blank: none
            valeurs["departement"] = self.cellule(
                ligne, "département", erreurs, self.lire_departement
            )
        if erreurs:
            raise LigneRefusee(erreurs)
        return valeurs, existant

    def lire_departement(self, valeur):
        if not texte(valeur):
            return None
        try:
            return Departement.objects.lire(texte(valeur), self.departements)
        except DepartementInconnu as inconnu:
            raise ValueError(str(inconnu).removeprefix("département ")) from None

    def cle(self, valeurs):
        return (valeurs["slug"],)

    def decrire(self, valeurs):
        return f"territoire « {valeurs['slug']} »"


class FinanceurRessource(RessourceProtegee):
    identifiant = Field(attribute="slug", column_name="identifiant")
    nom = Field(attribute="nom", column_name="nom")
    categorie = Field(attribute="get_categorie_display", column_name="catégorie")
    territoire = Field(attribute="territoire__slug", column_name="territoire")
    ordre = Champ(attribute="ordre", column_name="ordre d'affichage", genre=Genre.NOMBRE)

    colonnes_obligatoires = ("identifiant", "nom", "catégorie")
    liens = ("territoire",)

    class Meta:
        model = Financeur
        name = "financeurs"
        fields = ("identifiant", "nom", "categorie", "territoire", "ordre")
        export_order = fields

    def preparer(self, lignes):
        slugs = {texte(ligne.get("identifiant")) for ligne in lignes}
        self.existants = {f.slug: f for f in Financeur.objects.filter(slug__in=slugs)}
        self.territoires = {t.slug: t for t in territoires_de(self.utilisateur)}

    def lire(self, ligne):
        erreurs = []
        slug = texte(ligne.get("identifiant"))
        existant = self.existants.get(slug)
        valeurs = {"slug": slug, "nom": texte(ligne.get("nom"))}
        if not slug or not valeurs["nom"]:
            erreurs.append("identifiant et nom sont obligatoires")
        valeurs["categorie"] = self.cellule(
            ligne,
            "catégorie",
            erreurs,
            lambda v: choix(v, Financeur.Categorie.choices, "catégorie"),
        )
        territoire = texte(ligne.get("territoire"))
        valeurs["territoire"] = self.territoires.get(territoire) if territoire else None
        if territoire and valeurs["territoire"] is None:
            erreurs.append(f"territoire « {territoire} » inconnu parmi ceux que vous suivez")
        if not voit_tous_les_territoires(self.utilisateur):
            # A financeur of no territoire (l'État, la CAF) is everyone's: only an administrator
            # of every territoire changes it. Another territoire's reads as an identifiant
            # already taken, as any new one would: nothing says whose it is.
            actuel = existant.territoire if existant else valeurs["territoire"]
            if actuel is None:
                erreurs.append(
                    f"financeur « {slug} » commun à tous les territoires : seul un administrateur "
                    "de tous les territoires l'ajoute ou le modifie"
                )
            elif actuel.slug not in self.territoires:
                erreurs.append(f"identifiant « {slug} » déjà utilisé : choisissez-en un autre")
        if "ordre d'affichage" in ligne:
            ordre = self.cellule(ligne, "ordre d'affichage", erreurs, entier)
            valeurs["ordre"] = 10 if ordre is None else ordre
        if erreurs:
            raise LigneRefusee(erreurs)
        return valeurs, existant

    def cle(self, valeurs):
        return (valeurs["slug"],)

    def decrire(self, valeurs):
        return f"financeur « {valeurs['slug']} »"


class EngagementRessource(RessourceProtegee):
    """One line per amount: convention, période, version (the tableau's libellé; its nature is
    shown, not imported), action code, financeur, montant. The tableau must exist."""

    convention = Field(attribute="tableau__convention__slug", column_name="convention")
    periode = Field(attribute="tableau__periode", column_name="période")
    libelle_version = Field(attribute="tableau__libelle", column_name="version")
    nature = Field(attribute="tableau__get_nature_display", column_name="nature", readonly=True)
    code_action = Field(attribute="action__code", column_name="action")
    financeur_slug = Field(attribute="financeur__slug", column_name="financeur")
    montant = Champ(
        attribute="montant",
        column_name="montant",
        widget=NombreFrancaisWidget(),
        genre=Genre.EUROS,
    )

    colonnes_obligatoires = ("convention", "période", "version", "action", "financeur", "montant")
    liens = ("tableau__convention", "action", "financeur")

    class Meta:
        model = Engagement
        name = "lignes d'engagement"
        fields = (
            "convention",
            "periode",
            "libelle_version",
            "nature",
            "code_action",
            "financeur_slug",
            "montant",
        )
        export_order = fields

    def preparer(self, lignes):
        slugs = {texte(ligne.get("convention")) for ligne in lignes}
        conventions = self.dans_mes_territoires(Convention.objects.filter(slug__in=slugs))
        self.conventions = {c.slug: c for c in conventions}
        # Their tableaux locked first, in key order, as every writer of amounts does
        # (``conventions.verrou``): the engagements below are read once no one else writes.
        self.tableaux = {
            (t.convention_id, t.annee_debut, t.annee_fin, t.libelle): t
            for t in tableaux_verrouilles(Q(convention__in=conventions))
        }
        self.actions = {
            (a.convention_id, a.code): a for a in Action.objects.filter(convention__in=conventions)
        }
        # The shared financeurs and those of the user's territoires; each line's convention
        # then takes only its own territoire's (``financeur_permis``), as every door does.
        self.financeurs = {f.slug: f for f in self.dans_mes_territoires(Financeur.objects.all())}
        self.existants = {
            (e.tableau_id, e.action_id, e.financeur_id): e
            # With what the preview shows of each line: without them, each line read its
            # tableau, convention, action and financeur again (four queries a line).
            for e in Engagement.objects.filter(tableau__convention__in=conventions).select_related(
                *self.liens
            )
        }

    def lire(self, ligne):
        erreurs = []
        slug = texte(ligne.get("convention"))
        convention = self.conventions.get(slug)
        if convention is None:
            erreurs.append(f"convention « {slug} » inconnue parmi celles de vos territoires")
        bornes = self.cellule(ligne, "période", erreurs, periode)
        libelle = texte(ligne.get("version"))
        code = texte(ligne.get("action"))
        financeur = self.financeurs.get(texte(ligne.get("financeur")))
        if financeur is not None and convention is not None:
            financeur = financeur if financeur_permis(financeur, convention) else None
        if financeur is None:
            saisi = texte(ligne.get("financeur"))
            permis = [
                f.slug
                for f in self.financeurs.values()
                if convention is None or financeur_permis(f, convention)
            ]
            erreurs.append(f"financeur « {saisi} » inconnu{conseil(saisi, permis)}")
        montant = self.cellule(ligne, "montant", erreurs, self.fields["montant"].widget.clean)
        if montant is None and not any(e.startswith("montant") for e in erreurs):
            erreurs.append("montant manquant")
        elif montant is not None and montant != montant.quantize(CENTIME):
            erreurs.append(
                f"montant « {texte(ligne.get('montant'))} » : plus de deux décimales ; écrivez-le "
                "au centime près (rien n'est arrondi sans vous)"
            )
        tableau = action = None
        if convention is not None:
            if bornes is not None:
                tableau = self.tableaux.get((convention.pk, *bornes, libelle))
                if tableau is None:
                    erreurs.append(
                        f"la convention « {slug} » n'a pas de version « {libelle} » pour "
                        f"{texte(ligne.get('période'))}"
                    )
            action = self.actions.get((convention.pk, code))
            if action is None:
                codes = [c for (pk, c) in self.actions if pk == convention.pk]
                erreurs.append(
                    f"action « {code} » inconnue dans la convention « {slug} »"
                    f"{conseil(code, codes)}"
                )
        if erreurs:
            raise LigneRefusee(erreurs)
        valeurs = {"tableau": tableau, "action": action, "financeur": financeur, "montant": montant}
        return valeurs, self.existants.get((tableau.pk, action.pk, financeur.pk))

    def cle(self, valeurs):
        return (valeurs["tableau"].pk, valeurs["action"].pk, valeurs["financeur"].pk)

    def decrire(self, valeurs):
        tableau = valeurs["tableau"]
        return (
            f"le montant de « {valeurs['financeur'].slug} » pour l'action "
            f"{valeurs['action'].code} ({tableau.convention.slug}, {tableau.periode}, "
            f"« {tableau.libelle} »)"
        )
