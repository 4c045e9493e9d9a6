"""The synthesis's long tables, their rows written in Python: the départements (a hundred at
national size), the bilans and the territoires (25 each). A template loop resolves and escapes
each cell on its own; at national size it cost more than every query of the page. The same
markup as a template would write: a row header, each cell with its column's name
(``data-label``, which a phone writes before the figure)."""

from django import template
from django.utils.safestring import mark_safe

from commun.echappement import echapper
from commun.formats import date_longue, euros, nombre
from commun.formulaires import option

register = template.Library()


def _cellule(libelle: str, contenu: str, montant: bool = False) -> str:
    """A ``<td>``; ``contenu`` is already escaped."""
    classe = ' class="montant"' if montant else ""
    return f'<td{classe} data-label="{libelle}">{contenu}</td>'


def _rangees(lignes) -> str:
    return mark_safe("".join(lignes))


@register.simple_tag
def rangees_departements(departements) -> str:
    """Département (code), région, État and collectivités engaged."""
    return _rangees(
        f'<tr><th scope="row">{echapper(d.nom)}{f" ({echapper(d.code)})" if d.code else ""}</th>'
        + _cellule("Région", echapper(d.region) if d.region else "—")
        + _cellule("Engagé État", euros(d.engage_etat), montant=True)
        + _cellule("Engagé collectivités", euros(d.engage_collectivite), montant=True)
        + "</tr>"
        for d in departements
    )


@register.simple_tag
def rangees_territoires(comptes) -> str:
    """A territoire's bilans: attendus, en retard, transmis, à compléter, validés."""
    return _rangees(
        f'<tr><th scope="row">{echapper(c.territoire)}</th>'
        + "".join(
            _cellule(libelle, nombre(getattr(c, champ)), montant=True)
            for libelle, champ in (
                ("Attendus", "attendus"),
                ("En retard", "en_retard"),
                ("Transmis", "transmis"),
                ("À compléter", "a_completer"),
                ("Validés", "valides"),
            )
        )
        + "</tr>"
        for c in comptes
    )


def _transmis(ligne) -> str:
    if not ligne.transmis_le:
        return "—"
    texte = date_longue(ligne.transmis_le)
    if ligne.attente is not None:
        texte += f" (en attente depuis {nombre(ligne.attente)} jours)"
    return texte


@register.simple_tag
def rangees_bilans(lignes) -> str:
    """A bilan expected: its link, territoire, status, situation (late in bold, in words),
    due date, days late, transmitted on (and waiting since)."""
    return _rangees(
        f'<tr><th scope="row"><a href="{echapper(l.lien)}">{echapper(l.convention)}</a></th>'
        + _cellule("Territoire", echapper(l.territoire))
        + _cellule("Statut", echapper(l.statut))
        + _cellule(
            "Situation",
            "<strong>en retard</strong>" if l.etat == "en retard" else echapper(l.etat),
        )
        + _cellule("Échéance", date_longue(l.echeance))
        + _cellule(
            "Retard",
            f"{nombre(l.retard)} jours" if l.retard is not None else "—",
            montant=True,
        )
        + _cellule("Transmis le", _transmis(l))
        + "</tr>"
        for l in lignes  # noqa: E741
    )


@register.simple_tag
def options(choix, choisi) -> str:
    """The ``<option>`` of a filter's list, ``choisi`` selected: ``choix`` as pairs (code,
    name) or as the départements' triples (code, name, région), written « name (code) »."""
    return mark_safe(
        "".join(
            option(valeur, f"{nom} ({valeur})" if region else nom, str(valeur) == str(choisi))
            for valeur, nom, *region in choix
        )
    )


@register.simple_tag
def rangees_constats(groupes, peut_exporter: bool) -> str:
    """A rule: its name, severity (in words, in a badge), count, and the conventions named
    (each a link) with how many more."""
    return _rangees(
        f'<tr><th scope="row">{echapper(g.regle)}</th>'
        + _cellule(
            "Sévérité",
            f'<span class="constats-badge constats-{echapper(g.severite)}">'
            f"{echapper(g.severite)}</span>",
        )
        + _cellule("Constats", nombre(g.nombre), montant=True)
        # One block: on a phone the cell is a grid of its name and its content, which a list
        # and a sentence beside it would split into two columns.
        + _cellule("Concernés", f"<div>{_concernes(g, peut_exporter)}</div>")
        + "</tr>"
        for g in groupes
    )


def _pluriel(nombre_: int) -> str:
    return "s" if nombre_ > 1 else ""


def _concernes(g, peut_exporter: bool) -> str:
    texte = (
        f"{nombre(g.nombre_de_conventions)} convention{_pluriel(g.nombre_de_conventions)}, "
        f"{nombre(g.nombre_de_territoires)} territoire{_pluriel(g.nombre_de_territoires)}"
        '<ul class="liste-simple">'
        + "".join(
            f'<li>{echapper(territoire)} : <a href="{echapper(lien)}">{echapper(intitule)}</a></li>'
            for territoire, intitule, lien in g.conventions
        )
        + "</ul>"
    )
    if g.autres:
        texte += (
            f"<p>… et {nombre(g.autres)} autre{_pluriel(g.autres)}"
            f"{' (toutes dans le téléchargement)' if peut_exporter else ''}.</p>"
        )
    return texte
