"""6. Indicateurs: a part (« dont … ») never exceeds its whole; an exhaustive breakdown sums to its
whole.

The convention defines them (Pacte de solidarité 2020, article 2.2.1): « des indicateurs de suivi
sont définis de façon concertée pour chaque action. » The bilan 2023 reports their values with
breakdowns, some partial — « 48 personnes ont été orientées en 2023 dont 31 femmes. » — some
exhaustive, where the parts must make the whole — « 53 entrées ont été enregistrées en 2023 dans
le dispositif, 52 sorties et 220 personnes présentes au 31 décembre. » next to « 269 personnes
ont été suivies sur l'année 2023. »

Either contradiction, for a bilan's measures, is an erreur on the indicator concerned.
"""

from decimal import Decimal

from commun.formats import nombre

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._registre import regle

SEVERITE = Severite.ERREUR
# A part's label as the documents write it (« dont femmes »); the sum's detail drops it.
PREFIXE_PARTIE = "dont "


@regle(Regle.INDICATEURS)
def indicateurs(donnees: Donnees):
    """A part never exceeds its whole; an exhaustive breakdown adds up to its whole."""
    from bilans.models import Indicateur

    parties_exhaustives: dict[int, list] = {}
    for indicateur in donnees.indicateurs.values():
        if indicateur.parent_id and indicateur.partie_exhaustive:
            parties_exhaustives.setdefault(indicateur.parent_id, []).append(indicateur)
    trouves = []  # (indicator id, attendu, constaté, unité, message, bilan)
    mesures = donnees.mesures
    for bilan in donnees.bilans:
        siens = donnees.indicateurs_par_convention.get(bilan.convention_id, [])
        # Only the parts are compared here, and the bilan's key is read once: thousands of
        # indicators at national scale.
        bilan_pk = bilan.pk
        for indicateur in siens:
            if not indicateur.parent_id:
                continue
            partie = mesures.get((bilan_pk, indicateur.pk))
            tout = mesures.get((bilan_pk, indicateur.parent_id))
            if partie is not None and tout is not None and partie > tout:
                parent = donnees.indicateurs[indicateur.parent_id]
                trouves.append(
                    (
                        indicateur.pk,
                        tout,
                        partie,
                        indicateur.unite,
                        f"Action {indicateur.action_code}, bilan {bilan.annee} : "
                        f"« {indicateur.libelle} » ({nombre(partie)}) dépasse son total "
                        f"« {parent.libelle} » ({nombre(tout)}).",
                        bilan,
                    )
                )
        for parent in (i for i in siens if i.pk in parties_exhaustives):
            parties = parties_exhaustives[parent.pk]
            tout = mesures.get((bilan_pk, parent.pk))
            valeurs = [mesures.get((bilan_pk, p.pk)) for p in parties]
            if tout is None or None in valeurs:
                continue
            somme = sum(valeurs, Decimal(0))
            if somme == tout:
                continue
            detail = " + ".join(
                f"{nombre(v)} {p.libelle.removeprefix(PREFIXE_PARTIE)}"
                for p, v in zip(parties, valeurs, strict=True)
            )
            trouves.append(
                (
                    parent.pk,
                    tout,
                    somme,
                    parent.unite,
                    f"Action {parent.action_code}, bilan {bilan.annee} : la décomposition de "
                    f"« {parent.libelle} » ({nombre(tout)}) est exhaustive mais ses parties font "
                    f"{detail} = {nombre(somme)} (écart {'+' if somme > tout else '−'}"
                    f"{nombre(abs(somme - tout))} {parent.unite}).",
                    bilan,
                )
            )
    objets = Indicateur.objects.select_related("action__convention").in_bulk(
        {pk for pk, *_reste in trouves}
    )
    for pk, attendu, constate, unite, message, bilan in trouves:
        yield Constat(
            Regle.INDICATEURS,
            SEVERITE,
            objets[pk],
            attendu,
            constate,
            constate - attendu,
            unite,
            message,
            bilan.convention_id,
            (bilan.annee, bilan.annee),
            (bilan,),
        )
