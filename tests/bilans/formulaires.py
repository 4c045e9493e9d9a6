"""What the bilan page's form of an action posts, as a browser would send it back unchanged."""

from bilans.models import Mesure, RapportAction


def formulaire_du_rapport(code: str, annee: int = 2023):
    """``(données POST, rapport)`` for the action ``code`` of the bilan of ``annee``."""
    rapport = RapportAction.objects.get(bilan__annee=annee, action__code=code)
    donnees = {
        "action": code,
        f"r{rapport.pk}-realisation": rapport.realisation,
        f"r{rapport.pk}-operateur": rapport.operateur,
        f"r{rapport.pk}-texte": rapport.texte,
    }
    for mesure in Mesure.objects.filter(indicateur__action=rapport.action, bilan=rapport.bilan):
        donnees[f"m{rapport.pk}-indicateur_{mesure.indicateur_id}"] = str(mesure.valeur)
        donnees[f"m{rapport.pk}-version_{mesure.indicateur_id}"] = str(mesure.version)
    return donnees, rapport


def champ_de(rapport, code_indicateur: str) -> str:
    mesure = Mesure.objects.get(indicateur__action=rapport.action, indicateur__code=code_indicateur)
    return f"m{rapport.pk}-indicateur_{mesure.indicateur_id}"
