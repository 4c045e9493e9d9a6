"""The values of the indicators (mesures) as the admin imports and exports them.

One line per indicator and bilan: convention, année, action code, indicator code, its libellé
(shown, not imported), valeur, commentaire. The bilan and the indicator must exist.
"""

from import_export.fields import Field

from bilans import decomposition, gel
from bilans.models import Bilan, Indicateur, Mesure
from commun.cellules import Genre
from conventions.models import Convention
from fichiers.classeurs.listes import (
    Champ,
    LigneRefusee,
    NombreFrancaisWidget,
    RessourceProtegee,
    annee,
    texte,
)
from fichiers.ressources.conventions import conseil


class MesureRessource(RessourceProtegee):
    convention = Field(attribute="bilan__convention__slug", column_name="convention")
    annee = Champ(attribute="bilan__annee", column_name="année", genre=Genre.ANNEE)
    code_action = Field(attribute="indicateur__action__code", column_name="action")
    code_indicateur = Field(attribute="indicateur__code", column_name="indicateur")
    libelle = Field(attribute="indicateur__libelle", column_name="libellé", readonly=True)
    valeur = Champ(
        attribute="valeur",
        column_name="valeur",
        widget=NombreFrancaisWidget(nature="valeur"),
        genre=Genre.DECIMAL,  # its unit is the indicator's
    )
    commentaire = Field(attribute="commentaire", column_name="commentaire")

    colonnes_obligatoires = ("convention", "année", "action", "indicateur", "valeur")
    liens = ("bilan__convention", "indicateur__action")

    class Meta:
        model = Mesure
        name = "mesures des indicateurs"
        fields = (
            "convention",
            "annee",
            "code_action",
            "code_indicateur",
            "libelle",
            "valeur",
            "commentaire",
        )
        export_order = fields

    def preparer(self, lignes):
        slugs = {texte(ligne.get("convention")) for ligne in lignes}
        conventions = self.dans_mes_territoires(Convention.objects.filter(slug__in=slugs))
        self.conventions = {c.slug: c for c in conventions}
        self.bilans = {
            (b.convention_id, b.annee): b
            for b in Bilan.objects.filter(convention__in=conventions).select_related("convention")
        }
        self.indicateurs = {
            (i.action.convention_id, i.action.code, i.code): i
            for i in Indicateur.objects.filter(action__convention__in=conventions).select_related(
                "action", "parent"
            )
        }
        self.existants = {
            (m.bilan_id, m.indicateur_id): m
            # With what the preview shows of each line (else a few queries a line).
            for m in Mesure.objects.filter(bilan__convention__in=conventions).select_related(
                *self.liens
            )
        }
        # The values saved together count for the breakdown rule (``Mesure.clean``).
        self.lots: dict[int, dict[int, object]] = {}

    def lire(self, ligne):
        erreurs = []
        slug = texte(ligne.get("convention"))
        convention = self.conventions.get(slug)
        if convention is None:
            erreurs.append(f"convention « {slug} » inconnue parmi celles de vos territoires")
        an = self.cellule(ligne, "année", erreurs, annee)
        code_action, code = texte(ligne.get("action")), texte(ligne.get("indicateur"))
        valeur = self.cellule(ligne, "valeur", erreurs, self.fields["valeur"].widget.clean)
        if valeur is None and not any(e.startswith("valeur") for e in erreurs):
            erreurs.append("valeur manquante")
        bilan = indicateur = None
        if convention is not None:
            if an is not None:
                bilan = self.bilans.get((convention.pk, an))
                if bilan is None:
                    erreurs.append(f"la convention « {slug} » n'a pas de bilan {an}")
                elif gel.est_gele(bilan):
                    erreurs.append(f"« {slug} » : {gel.phrase(bilan)}")
            indicateur = self.indicateurs.get((convention.pk, code_action, code))
            if indicateur is None:
                codes = [
                    c for (pk, a, c) in self.indicateurs if (pk, a) == (convention.pk, code_action)
                ]
                erreurs.append(
                    f"indicateur « {code} » inconnu pour l'action « {code_action} » de la "
                    f"convention « {slug} »{conseil(code, codes)}"
                )
        if erreurs:
            raise LigneRefusee(erreurs)
        valeurs = {"bilan": bilan, "indicateur": indicateur, "valeur": valeur}
        if "commentaire" in ligne:
            valeurs["commentaire"] = texte(ligne.get("commentaire"))
        self.lots.setdefault(bilan.pk, {})[indicateur.pk] = valeur
        return valeurs, self.existants.get((bilan.pk, indicateur.pk))

    def cle(self, valeurs):
        return (valeurs["bilan"].pk, valeurs["indicateur"].pk)

    def decrire(self, valeurs):
        indicateur = valeurs["indicateur"]
        return (
            f"l'indicateur « {indicateur.code} » de l'action {indicateur.action.code} "
            f"({valeurs['bilan'].convention.slug}, {valeurs['bilan'].annee})"
        )

    def validate_instance(self, instance, *args, **kwargs):
        with decomposition.ensemble(self.lots):
            super().validate_instance(instance, *args, **kwargs)
