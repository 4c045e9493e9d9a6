"""django-tables2 tables of the browser pages; the views' querysets do the joins and sums."""

from functools import cached_property

import django_tables2 as tables
from django.db.models import F
from django.utils.safestring import mark_safe
from django_tables2.utils import OrderBy, OrderByTuple, signature

from commun.adresses import par_slug
from commun.cellules import Genre
from commun.collation import en_francais, libelle_en_francais
from commun.echappement import echapper
from commun.formats import arrondi, euros, pourcentage
from controles.constats import Resume
from conventions.models import Convention, TableauEngagements
from pages.templatetags.constats import badge

# The kinds of a comparison's download: Code, Intitulé, before, after, Écart (€), Écart (%), and
# the status (a text, the versions') or the bilan's réalisé (euros).
GENRES_COMPARAISON = [Genre.TEXTE, Genre.TEXTE, *[Genre.EUROS] * 3, Genre.POURCENT, Genre.TEXTE]
GENRES_COMPARAISON_BILAN = [*GENRES_COMPARAISON[:-1], Genre.EUROS]


class MontantColumn(tables.Column):
    """An amount, right-aligned, as « 347 000 € »."""

    genre = Genre.EUROS

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "montant"}, "th": {"class": "montant"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return euros(value)

    def value(self, value):
        return arrondi(value)


class TableRapide(tables.Table):
    """A table whose page renders each cell with one call to its column's ``render``.

    django-tables2 reads the signature of the render method and recomputes the column's
    attributes for every cell: on a page of 25 rows, more time than the rest of the page. Here
    both are computed once per column, and the rows written in Python (``includes/table.html``
    reads ``rangees_de_la_page``).
    The columns are plain ones: no links, no ``get_FOO_display`` (a ``render_FOO`` does it).

    The rows follow one column, the one whose header says « (tri croissant) » or « (tri
    décroissant) »: ``tri`` says what each column sorts by in the database (text in French
    order, a period by its first then its last year); ties follow ``departage``, then the key,
    so that the order is the same at each load and on each page. The caption says it in words
    (``tri_en_mots``). Each cell carries its column's name (``data-label``), which a phone
    writes before the figure when the rows become blocks (``tableau-blocs`` in the CSS).
    """

    tri: dict = {}
    departage: tuple = ()
    # Each downloaded column's kind (``commun.cellules.Genre``) when its column class does not
    # say it (``MontantColumn``): text by default.
    genres: dict = {}

    def genres_exportes(self) -> list[Genre]:
        """The kinds of the columns ``as_values`` writes, in its order."""
        return [
            getattr(colonne.column, "genre", None) or self.genres.get(colonne.name, Genre.TEXTE)
            for colonne in self.columns.iterall()
            if not colonne.column.exclude_from_export
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for colonne in self.columns:
            colonne.column.attrs.setdefault("td", {})["data-label"] = str(colonne.header)

    @property
    def order_by(self):
        return self._order_by

    @order_by.setter
    def order_by(self, valeur):
        if isinstance(valeur, str):
            valeur = [valeur]
        demandes = [a for texte in valeur or () for a in texte.split(",") if a]
        valides = [a for a in demandes if self._triable(a)] or [
            a for a in self._meta.order_by or () if self._triable(a)
        ]
        self._order_by = OrderByTuple(valides[:1])
        if valides and hasattr(self.data.data, "order_by"):
            self.data.data = self.data.data.order_by(*self._cles(valides[0]), "pk")

    def _triable(self, alias: str) -> bool:
        nom = OrderBy(alias).bare
        return nom in self.columns and self.columns[nom].orderable

    def _ordre(self, alias: str) -> list[OrderBy]:
        """``alias`` (« -periode »), then the tie-breaking columns other than its own."""
        premier = OrderBy(alias)
        return [premier, *(OrderBy(a) for a in self.departage if OrderBy(a).bare != premier.bare)]

    def _cles(self, alias: str) -> list:
        """The database sort of ``alias`` and its tie-breaks."""
        cles = []
        for ordre in self._ordre(alias):
            expressions = self.tri.get(ordre.bare) or [
                F(OrderBy(o.bare).for_queryset()) for o in self.columns[ordre.bare].order_by
            ]
            cles += [e.desc() if ordre.is_descending else e.asc() for e in expressions]
        return cles

    def tri_en_mots(self) -> str:
        """« lignes triées par Territoire (ordre croissant), puis par Année (ordre …) »."""
        if not self._order_by:
            return ""
        return "lignes triées " + ", puis ".join(
            f"par {self.columns[o.bare].header} "
            f"(ordre {'décroissant' if o.is_descending else 'croissant'})"
            for o in self._ordre(self._order_by[0])
        )

    def lignes_de_la_page(self) -> list[list[tuple[str, object]]]:
        """The rows of the page, each a list of ``(attributes of the <td>, rendered cell)``."""
        colonnes = []
        for colonne in self.columns:
            arguments, tous = signature(colonne.render)
            colonnes.append(
                (
                    colonne,
                    colonne.attrs["td"].as_html(),
                    set(arguments),
                    tous,
                    colonne.render,
                    colonne.column.empty_values,
                    tuple(colonne.accessor.bits),
                )
            )
        lignes = []
        for ligne in self.paginated_rows:
            record = ligne.record
            cellules = []
            for colonne, attributs, arguments, tous, rendre, vides, bits in colonnes:
                valeur = _lire(record, bits, colonne.accessor)
                if valeur in vides:
                    cellules.append((attributs, colonne.default))
                    continue
                possibles = {"value": valeur, "record": record, "table": self}
                if not tous:
                    possibles = {k: v for k, v in possibles.items() if k in arguments}
                cellules.append((attributs, rendre(**possibles)))
            lignes.append(cellules)
        return lignes

    def rangees_de_la_page(self) -> list[str]:
        """The page's ``<tr>``, written here rather than by a template loop over the cells
        (two lookups and an escape per cell, a page of 25 rows)."""
        return [
            mark_safe(
                "<tr>"
                + "".join(f"<td {attributs}>{echapper(c)}</td>" for attributs, c in ligne)
                + "</tr>"
            )
            for ligne in self.lignes_de_la_page()
        ]


def _lire(record, bits, accessor):
    """``accessor.resolve(record, quiet=True)`` by attributes alone: django-tables2 tries a
    dictionary lookup first, which on a model instance raises (and costs) at every step. Any
    step it would treat otherwise (a callable, a missing attribute) goes to its own."""
    valeur = record
    try:
        for bit in bits:
            valeur = getattr(valeur, bit)
            if callable(valeur) or isinstance(valeur, dict | list | tuple):
                raise TypeError
    except Exception:
        return accessor.resolve(record, quiet=True)
    return valeur


class TableauDeBordTable(TableRapide):
    """Conventions by territoire and year (one row per tableau en vigueur)."""

    # On a phone, the row's block opens with these two, without their column's name.
    territoire = tables.Column(
        accessor="convention__territoire__nom",
        verbose_name="Territoire",
        attrs={"td": {"class": "tete-de-bloc"}},
    )
    convention = tables.Column(
        accessor="convention__intitule",
        verbose_name="Convention",
        attrs={"td": {"class": "tete-de-bloc"}},
    )
    dispositif = tables.Column(accessor="convention__dispositif", verbose_name="Dispositif")
    periode = tables.Column(
        accessor="annee_debut", verbose_name="Année", attrs={"td": {"class": "periode"}}
    )
    total_etat = MontantColumn(verbose_name="État")
    total_collectivite = MontantColumn(verbose_name="Collectivité")
    total_autres = MontantColumn(verbose_name="Autres financeurs")
    cofinancement = tables.Column(empty_values=(), orderable=False, verbose_name="Cofinancement")
    constats = tables.Column(
        empty_values=(), orderable=False, verbose_name="Constats", exclude_from_export=True
    )
    # In the downloads, the constats counted by severity, as the page's badge says them.
    erreurs = tables.Column(empty_values=(), orderable=False, visible=False, verbose_name="Erreurs")
    avertissements = tables.Column(
        empty_values=(), orderable=False, visible=False, verbose_name="Avertissements"
    )
    informations = tables.Column(
        empty_values=(), orderable=False, visible=False, verbose_name="Informations"
    )

    tri = {
        "territoire": [en_francais("convention__territoire__nom")],
        "convention": [en_francais("convention__intitule")],
        "dispositif": [
            libelle_en_francais("convention__dispositif", Convention.Dispositif.choices)
        ],
        "periode": [F("annee_debut"), F("annee_fin")],  # 2015, 2015-2017, 2020
    }
    departage = ("territoire", "-periode", "convention")
    genres = {
        "periode": Genre.ANNEE,  # 2023, or « 2015-2017 » as a text
        "erreurs": Genre.NOMBRE,
        "avertissements": Genre.NOMBRE,
        "informations": Genre.NOMBRE,
    }

    def paginate(self, *args, per_page=None, **kwargs):
        """``?per_page=`` from the address, kept between 1 and 100 (a zero or negative value
        made the paginator fail, a huge one would check every convention at once)."""
        if per_page is not None and not 1 <= per_page <= 100:
            per_page = 25
        return super().paginate(*args, per_page=per_page, **kwargs)

    class Meta:
        model = TableauEngagements
        fields = []
        sequence = (
            "territoire",
            "convention",
            "dispositif",
            "periode",
            "total_etat",
            "total_collectivite",
            "total_autres",
            "cofinancement",
            "constats",
        )
        order_by = ("territoire",)
        attrs = {"class": "tableau-donnees tableau-blocs tableau-de-bord"}
        template_name = "includes/table.html"

    @cached_property
    def _adresse(self):
        return par_slug("conventions:detail")

    def lien(self, record) -> str:
        """The convention's page (two cells of each row link to it)."""
        return self._adresse(record.convention.slug)

    def render_convention(self, record):
        url = self.lien(record)
        return mark_safe(
            f'<a href="{echapper(url)}?periode={echapper(record.periode)}">'
            f"{echapper(record.convention.intitule)}</a>"
        )

    def value_convention(self, record):
        return record.convention.intitule  # downloads hold the text, not the link

    def value_periode(self, record):
        return record.annee_debut if record.annee_debut == record.annee_fin else record.periode

    def render_dispositif(self, record):
        return record.convention.get_dispositif_display()

    def render_periode(self, record):
        return record.periode

    def render_cofinancement(self, record):
        return statut_cofinancement(
            record.convention.taux_cofinancement, record.total_etat, record.total_collectivite
        )

    def montrer_les_constats(self, constats, tableaux) -> None:
        """The constats of each of ``tableaux`` (the rows shown), among ``constats``: those of
        its convention that concern a year of its period."""
        self.constats_par_tableau = {
            tableau.pk: [
                c
                for c in constats
                if c.convention_id == tableau.convention_id
                and c.chevauche(tableau.annee_debut, tableau.annee_fin)
            ]
            for tableau in tableaux
        }

    def constats_de(self, tableau) -> list:
        return getattr(self, "constats_par_tableau", {}).get(tableau.pk, [])

    def render_constats(self, record):
        url = self.lien(record)
        return mark_safe(
            f'<a href="{echapper(url)}?periode={echapper(record.periode)}#titre-constats">'
            f"{badge(self.constats_de(record))}</a>"
        )

    def value_erreurs(self, record):
        return Resume.de(self.constats_de(record)).erreurs

    def value_avertissements(self, record):
        return Resume.de(self.constats_de(record)).avertissements

    def value_informations(self, record):
        return Resume.de(self.constats_de(record)).informations

    def value_cofinancement(self, record):
        return statut_cofinancement(
            record.convention.taux_cofinancement, record.total_etat, record.total_collectivite
        )


def statut_cofinancement(taux, etat, collectivite) -> str:
    """« respecté (≥ 100 %) », « non respecté (≥ 100 %) » or « sans règle », in words."""
    if taux is None:
        return "sans règle"
    if not etat:
        return "sans financement de l'État"
    respecte = collectivite >= taux * etat
    return f"{'respecté' if respecte else 'non respecté'} (≥ {pourcentage(taux)})"
