"""The search box's page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from comptes.acces import conventions_de
from pages.recherche import rechercher


@login_required
def recherche(request):
    texte = request.GET.get("q", "").strip()
    resultats = rechercher(conventions_de(request.user), texte) if len(texte) >= 2 else None
    return render(request, "conventions/recherche.html", {"q": texte, "resultats": resultats})
