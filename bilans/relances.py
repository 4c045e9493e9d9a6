"""Reminders about bilans, by e-mail: nobody has to remember a deadline.

The collectivité's users are written to 30 days before a bilan is due, on the day, and every
14 days while it is overdue (until it is transmitted); the État's users when a bilan is
transmitted to them. Each e-mail sent is recorded (:class:`Relance`), so that a daily run
(``manage.py relancer``, by cron) never sends the same reminder twice, and a missed day is
caught up the next: the rules read « not yet sent », not « sent on exactly that day ».
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Max

from commun.evenements import evenement
from comptes import droits
from conventions.models import Convention

from .models import Bilan, Relance

Motif = Relance.Motif
AVANT = 30  # days before the due date
INTERVALLE = 14  # days between two reminders of an overdue bilan


def date_longue(jour: date) -> str:
    mois = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    return f"{jour.day}{'er' if jour.day == 1 else ''} {mois.split()[jour.month - 1]} {jour.year}"


@dataclass
class Courriel:
    convention: Convention
    annee: int
    motif: str
    echeance: date | None
    destinataires: list = field(default_factory=list)
    bilan: Bilan | None = None

    @property
    def sujet(self) -> str:
        intitule = f"bilan {self.annee} « {self.convention.intitule} »"
        return {
            Motif.AVANT_ECHEANCE: f"[Pauvreté] Le {intitule} est attendu le "
            f"{date_longue(self.echeance)}",
            Motif.ECHEANCE: f"[Pauvreté] Le {intitule} est attendu aujourd'hui",
            Motif.RETARD: f"[Pauvreté] Le {intitule} est en retard",
            Motif.TRANSMIS: f"[Pauvreté] Le {intitule} vous a été transmis",
        }[self.motif]

    def corps(self, aujourdhui: date) -> str:
        # A bilan not recorded yet has no page: the link goes to its convention.
        adresse = settings.ADRESSE_DU_SITE.rstrip("/") + (
            self.bilan.get_absolute_url() if self.bilan else self.convention.get_absolute_url()
        )
        if self.motif == Motif.TRANSMIS:
            texte = (
                f"{self.convention.territoire} a transmis le bilan {self.annee} de la convention "
                f"« {self.convention.intitule} ».\n\nVous pouvez l'examiner, puis le valider ou "
                "le renvoyer à compléter avec un commentaire :"
            )
        else:
            jours = (self.echeance - aujourdhui).days
            quand = (
                f"dans {jours} jour{'s' if jours > 1 else ''}"
                if jours > 0
                else "aujourd'hui"
                if jours == 0
                else f"depuis {-jours} jour{'s' if jours < -1 else ''}"
            )
            etat = "attendu" if jours >= 0 else "en retard"
            texte = (
                f"Le bilan {self.annee} de la convention « {self.convention.intitule} » est "
                f"{etat} : l'échéance du {date_longue(self.echeance)} tombe {quand}"
                if jours >= 0
                else f"Le bilan {self.annee} de la convention « {self.convention.intitule} » est "
                f"en retard {quand} (échéance du {date_longue(self.echeance)})"
            )
            texte += (
                ".\n\nLa convention demande qu'il soit délibéré par le conseil puis transmis au "
                "préfet. "
            )
            texte += (
                "Pour le compléter et le transmettre :"
                if self.bilan
                else "Il n'est pas encore enregistré dans l'application ; la convention :"
            )
        return (
            f"Bonjour,\n\n{texte}\n{adresse}\n\n"
            "Ce message est envoyé automatiquement par l'application de suivi des conventions."
        )


def _destinataires(territoire_id: int, cote: str):
    utilisateurs = (
        get_user_model()
        .objects.filter(
            is_active=True,
            profil__cote=cote,
            profil__territoires=territoire_id,
        )
        .exclude(email="")
        .order_by("username")
    )
    if cote == "collectivite":  # those who fill the bilan (comptes/droits.py)
        utilisateurs = utilisateurs.filter(droits.qui_peut(droits.REMPLIR_LES_BILANS)).distinct()
    return list(utilisateurs)


def a_envoyer(aujourdhui: date) -> list[Courriel]:
    """The reminders due today that were not sent yet, each with its recipients."""
    conventions = list(
        Convention.objects.exclude(bilan_echeance_jour=None)
        .exclude(bilan_echeance_mois=None)
        .select_related("territoire")
        .order_by("slug")
    )
    bilans = {
        (b.convention_id, b.annee): b
        for b in Bilan.objects.filter(convention__in=[c.pk for c in conventions])
    }
    envoyees = {
        (r["convention"], r["annee"], r["motif"]): r["derniere"]
        for r in Relance.objects.values("convention", "annee", "motif").annotate(
            derniere=Max("date")
        )
    }

    def derniere(convention, annee, *motifs):
        dates = [envoyees.get((convention.pk, annee, m)) for m in motifs]
        return max((d for d in dates if d), default=None)

    courriels = []
    for convention in conventions:
        for annee in range(convention.annee_debut, convention.annee_fin + 1):
            echeance = convention.echeance_bilan(annee)
            bilan = bilans.get((convention.pk, annee))
            if bilan and bilan.statut in {Bilan.Statut.TRANSMIS, Bilan.Statut.VALIDE}:
                if (
                    bilan.date_transmission
                    and (derniere(convention, annee, Motif.TRANSMIS) or date.min)
                    < bilan.date_transmission
                ):
                    courriels.append(
                        Courriel(convention, annee, Motif.TRANSMIS, echeance, bilan=bilan)
                    )
                continue
            jours = (echeance - aujourdhui).days
            motif = None
            if 0 < jours <= AVANT and not derniere(convention, annee, Motif.AVANT_ECHEANCE):
                motif = Motif.AVANT_ECHEANCE
            elif jours == 0 and not derniere(convention, annee, Motif.ECHEANCE):
                motif = Motif.ECHEANCE
            elif jours < 0:
                precedente = derniere(convention, annee, *Motif.values)
                if precedente is None or (aujourdhui - precedente).days >= INTERVALLE:
                    motif = Motif.RETARD
            if motif:
                courriels.append(Courriel(convention, annee, motif, echeance, bilan=bilan))
    for courriel in courriels:
        cote = "etat" if courriel.motif == Motif.TRANSMIS else "collectivite"
        courriel.destinataires = _destinataires(courriel.convention.territoire_id, cote)
    return courriels


def envoyer(courriels: list[Courriel], aujourdhui: date) -> tuple[int, list[str]]:
    """Send each e-mail to each recipient, one message each (nobody sees the others' address),
    and record it. Returns the number sent and the French description of each failure."""
    envoyes, echecs = 0, []
    with get_connection() as connexion:
        for courriel in courriels:
            for destinataire in courriel.destinataires:
                message = EmailMessage(
                    courriel.sujet,
                    courriel.corps(aujourdhui),
                    to=[destinataire.email],
                    connection=connexion,
                )
                try:
                    message.send()
                except OSError as erreur:
                    echecs.append(f"{destinataire.email} : envoi impossible ({erreur}).")
                    continue
                Relance.objects.get_or_create(
                    convention=courriel.convention,
                    annee=courriel.annee,
                    motif=courriel.motif,
                    destinataire=destinataire,
                    date=aujourdhui,
                )
                envoyes += 1
    evenement("relances envoyées", envoyees=envoyes, echecs=len(echecs))
    return envoyes, echecs


def prevenir_l_etat(bilan: Bilan, aujourdhui: date) -> int:
    """Right after a transmission: the État's users following the territoire are told."""
    convention = bilan.convention
    courriel = Courriel(
        convention,
        bilan.annee,
        Motif.TRANSMIS,
        convention.echeance_bilan(bilan.annee),
        _destinataires(convention.territoire_id, "etat"),
        bilan,
    )
    envoyes, _echecs = envoyer([courriel], aujourdhui)
    return envoyes
