"""What a load did: objects created, changed and unchanged by kind, the tableaux' totals
against their printed ones, the conventions loaded and their constats; rendered by the admin's
result screen and by ``manage.py charger_convention``."""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from commun.formats import euros
from conventions.models import Convention, Engagement, TableauEngagements
from fichiers.annuel import cles
from fichiers.annuel.objets import convention_de


@dataclass
class TableauCharge:
    convention: str
    titre: str  # the convention's intitulé, for pages; ``convention`` is its slug
    periode: str
    libelle: str
    en_vigueur: bool
    totaux: list[tuple[str, Decimal]]

    @property
    def total(self) -> Decimal:
        return sum((montant for _financeur, montant in self.totaux), Decimal("0.00"))


@dataclass
class RapportDeChargement:
    """What a load creates and changes, the amounts it leaves, and the constats that follow."""

    essai: bool = False
    # model label → [créés, modifiés, inchangés]
    comptes: dict[str, list[int]] = field(default_factory=dict)
    tableaux: list[TableauCharge] = field(default_factory=list)
    constats: list = field(default_factory=list)
    # The intitulés of the conventions the file touched, and their identifiers.
    conventions: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)

    def compter(self, label: str, etat: int):
        self.comptes.setdefault(label, [0, 0, 0])[etat] += 1

    @property
    def lignes_comptes(self) -> list[tuple[str, int, int, int]]:
        return [(cles.nom(label), *nombres) for label, nombres in self.comptes.items()]

    @property
    def empreinte(self) -> str:
        """What a confirmation checks against its preview: the same file, the same result."""
        return hashlib.sha256(str(self).encode()).hexdigest()

    def __str__(self):
        lignes = ["Objets (créés / modifiés / inchangés) :"]
        for nom, crees, modifies, inchanges in self.lignes_comptes:
            lignes.append(f"  {nom} : {crees} / {modifies} / {inchanges}")
        lignes.append("Totaux par version et par financeur :")
        for tableau in self.tableaux:
            statut = " (en vigueur)" if tableau.en_vigueur else ""
            detail = " ; ".join(f"{nom} {euros(montant)}" for nom, montant in tableau.totaux)
            lignes.append(
                f"  {tableau.convention} — {tableau.periode} — {tableau.libelle}{statut} : "
                f"{detail or 'aucun montant'} ; total {euros(tableau.total)}"
            )
        if not self.tableaux:
            lignes.append("  aucun tableau des engagements dans le fichier")
        lignes.append(f"Constats des conventions chargées ({len(self.constats)}) :")
        for constat in self.constats:
            lignes.append(f"  [{constat.severite.label}] {constat.message}")
        if not self.constats:
            lignes.append("  aucun")
        return "\n".join(lignes)


def totaux_des_tableaux(tableaux: set[int]) -> list[TableauCharge]:
    """The totals per financeur of each tableau the file touched, summed by the database."""
    from conventions.models import somme

    lignes = (
        Engagement.objects.filter(tableau__in=tableaux)
        .values("tableau", "financeur__nom", "financeur__ordre")
        .annotate(total=somme("montant"))
        .order_by("tableau", "financeur__ordre", "financeur__nom")
    )
    par_tableau: dict[int, list] = {}
    for ligne in lignes:
        par_tableau.setdefault(ligne["tableau"], []).append(
            (ligne["financeur__nom"], ligne["total"])
        )
    resultat = []
    for tableau in (
        TableauEngagements.objects.filter(pk__in=tableaux)
        .select_related("convention")
        .order_by("convention__slug", "annee_debut", "-en_vigueur", "libelle")
    ):
        resultat.append(
            TableauCharge(
                tableau.convention.slug,
                tableau.convention.intitule,
                tableau.periode,
                tableau.libelle,
                tableau.en_vigueur,
                par_tableau.get(tableau.pk, []),
            )
        )
    return resultat


def rapport_du_chargement(etats, charges, essai: bool) -> RapportDeChargement:
    from controles.services import controler

    rapport = RapportDeChargement(essai=essai)
    for label, etat in etats:
        rapport.compter(label, etat)
    tableaux = set()
    conventions = set()
    for label, instance in charges:
        if isinstance(instance, TableauEngagements):
            tableaux.add(instance.pk)
        elif label in ("conventions.engagement", "conventions.totalimprime"):
            tableaux.add(instance.tableau_id)
        convention = convention_de(label, instance)
        if convention is not None:
            conventions.add(convention.pk)
    rapport.tableaux = totaux_des_tableaux(tableaux)
    choisies = Convention.objects.filter(pk__in=conventions)
    rapport.conventions = list(choisies.order_by("slug").values_list("intitule", flat=True))
    rapport.slugs = list(choisies.order_by("slug").values_list("slug", flat=True))
    rapport.constats = controler(choisies) if conventions else []
    return rapport
