"""An address reversed once for a list gives, for each convention, what ``reverse`` gives."""

from django.urls import reverse

from commun.adresses import par_slug


def test_la_meme_adresse_que_reverse():
    convention, bilan = par_slug("conventions:detail"), par_slug("bilans:detail", 2023)
    for slug in ("calpa-dijon-2023", "tznr-dijon-2023-2025", "a_b-9"):
        assert convention(slug) == reverse("conventions:detail", args=[slug])
        assert bilan(slug) == reverse("bilans:detail", args=[slug, 2023])
    assert bilan("calpa-dijon-2023") == "/conventions/calpa-dijon-2023/bilans/2023/"
