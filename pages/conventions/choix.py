"""What a page of a convention was asked for: the export format (for those who may export),
the period and the version shown (the one en vigueur unless another is asked)."""

from comptes.droits import exiger, peut_exporter
from conventions.models import TableauEngagements


def export_demande(request) -> str | None:
    format_ = request.GET.get("export")
    if format_ in {"csv", "xlsx"}:
        exiger(peut_exporter(request.user))
        return format_
    return None


def versions_du_tableau(convention):
    """The versions of the tableau des engagements: the bilan's « budget prévisionnel » is the
    bilan's, shown and compared with it, not a version one could put en vigueur."""
    return convention.tableaux.exclude(nature=TableauEngagements.Nature.PREVISIONNEL_BILAN)


def periodes_de(convention):
    """The periods of a convention's tableaux, newest first: ``[(clé, libellé), …]``."""
    vues = []
    for debut, fin in (
        versions_du_tableau(convention)
        .values_list("annee_debut", "annee_fin")
        .distinct()
        .order_by("-annee_debut", "annee_fin")
    ):
        cle = str(debut) if debut == fin else f"{debut}-{fin}"
        vues.append((cle, debut, fin))
    return vues


def tableau_choisi(request, convention):
    periodes = periodes_de(convention)
    if not periodes:
        return periodes, None, []
    demandee = request.GET.get("periode")
    cle, debut, fin = next((p for p in periodes if p[0] == demandee), periodes[0])
    versions = list(
        versions_du_tableau(convention)
        .filter(annee_debut=debut, annee_fin=fin)
        .order_by("-en_vigueur", "libelle")
    )
    version = request.GET.get("version")
    tableau = next((t for t in versions if str(t.pk) == version), versions[0])
    return periodes, tableau, versions
