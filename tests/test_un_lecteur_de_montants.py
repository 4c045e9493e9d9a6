"""The same typed text gives the same amount, or a refusal, through every door: the form field
(grid, bilan, admin), the import-export widget, the annex workbook and the yearly loader."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from commun.formulaires import NombreFrancais
from commun.montants import MontantRefuse, lire_montant
from conventions.models import Engagement
from fichiers.annuel.valeurs import ValeurRefusee, convertir
from fichiers.classeurs.listes import NombreFrancaisWidget
from tests.proprietes import exemples

REFUS = "refus"
CHAMP = Engagement._meta.get_field("montant")
# Texts near the policy's edges (thousands, separators, signs, euro sign, decimals), and noise.
SAISIES = st.one_of(
    st.text(alphabet="0123456789 ,.-€\u00a0\u202fe", min_size=1, max_size=16),
    st.decimals(min_value=-10, max_value=10**13, places=3, allow_nan=False).map(str),
    st.text(max_size=12),
)


def par_le_champ(texte):
    from django.core.exceptions import ValidationError

    try:
        return NombreFrancais(required=True).clean(texte)
    except ValidationError:
        return REFUS


def par_le_widget(texte):
    try:
        return NombreFrancaisWidget().clean(texte)
    except ValueError:
        return REFUS


def par_le_chargeur(texte):
    try:
        return convertir(CHAMP, texte)
    except ValeurRefusee:
        return REFUS


def par_le_classeur(texte):
    try:
        return lire_montant(texte)  # fichiers/classeurs/lecture.py reads each cell so
    except MontantRefuse:
        return REFUS


@settings(max_examples=exemples(100), deadline=None)
@given(SAISIES)
def test_chaque_porte_lit_la_meme_saisie_de_la_meme_facon(texte):
    if not texte.strip():
        return  # an empty cell is « no amount » at every door, not a value to compare
    lus = {
        "champ": par_le_champ(texte),
        "widget": par_le_widget(texte),
        "chargeur": par_le_chargeur(texte),
        "classeur": par_le_classeur(texte),
    }
    assert len(set(lus.values())) == 1, lus
    lu = lus["champ"]
    assert lu == REFUS or (
        isinstance(lu, Decimal) and lu >= 0 and lu == lu.quantize(Decimal("0.01"))
    )
