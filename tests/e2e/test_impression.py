"""Printing, in Chromium's print media: the line « Imprimé le … par … » appears, the buttons,
action links, search and navigation go; on screen it is the other way round."""

from tests.e2e.conftest import CAPTURES, connecter


def test_une_convention_imprimee(instance, navigateur):
    page = navigateur
    connecter(page, instance, "finances", "demo-finances-2026")
    page.goto(f"{instance}/conventions/calpa-dijon-2023/")
    mention = page.locator(".mention-impression")
    a_l_ecran = [
        page.get_by_role("button", name="Se déconnecter").first,
        page.get_by_role("link", name="Modifier les montants de cette version"),
        page.get_by_role("link", name="Comparer les versions de 2023"),
        page.locator(".recherche-entete").first,
    ]
    assert not mention.is_visible()
    assert all(element.is_visible() for element in a_l_ecran)

    page.emulate_media(media="print")
    assert mention.is_visible()
    assert mention.inner_text().startswith("Imprimé le ")
    assert mention.inner_text().endswith(" par finances")
    assert [element.is_visible() for element in a_l_ecran] == [False] * len(a_l_ecran)
    assert page.locator(".tableau-annexe").is_visible()
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURES / "convention-imprimee.png"))
