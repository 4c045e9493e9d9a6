"""The periods the yearly table cannot show: versions but none en vigueur, or a multi-year
commitment paid by tranches."""

from django.db.models import Count, Prefetch, Q

from commun.parmi import parmi
from conventions.models import EngagementPluriannuel, TableauEngagements


def _periodes(conventions, *champs):
    """The periods (``champs`` of each) whose tableau has versions but none en vigueur."""
    return (
        TableauEngagements.objects.filter(parmi("convention", conventions))
        .exclude(nature=TableauEngagements.Nature.PREVISIONNEL_BILAN)
        .values(*champs, "annee_debut", "annee_fin")
        .annotate(versions=Count("pk"), en_vigueur=Count("pk", filter=Q(en_vigueur=True)))
        .filter(en_vigueur=0)
    )


def periodes_sans_version_en_vigueur(conventions) -> list[dict]:
    """Periods whose tableau has versions but none en vigueur: the checks cannot say which
    amounts hold. One query."""
    return list(
        _periodes(conventions, "convention__slug", "convention__intitule").order_by(
            "-annee_debut", "convention__intitule"
        )
    )


def nombre_de_periodes_sans_version_en_vigueur(conventions) -> dict[int, int]:
    """Convention → how many of its periods have versions but none en vigueur (those with
    some only). One query."""
    nombres: dict[int, int] = {}
    for periode in _periodes(conventions, "convention").order_by():
        nombres[periode["convention"]] = nombres.get(periode["convention"], 0) + 1
    return nombres


def sans_tableau_en_vigueur(conventions):
    """The conventions without any tableau en vigueur (a queryset)."""
    return conventions.exclude(tableaux__en_vigueur=True)


def conventions_sans_tableau_en_vigueur(conventions) -> list:
    """Conventions the yearly table cannot show (a multi-year commitment paid by tranches,
    like the Territoire zéro non recours), with their commitments and tranches."""
    return list(
        sans_tableau_en_vigueur(conventions)
        .select_related("territoire")
        .prefetch_related(
            Prefetch(
                "engagements_pluriannuels",
                queryset=EngagementPluriannuel.objects.select_related("financeur")
                .prefetch_related("tranches")
                .avec_total_tranches(),
            )
        )
        .order_by("-annee_debut", "intitule")
    )
