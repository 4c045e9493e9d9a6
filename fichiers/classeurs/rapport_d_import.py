"""What an annex import creates, changes and deletes, sheet by sheet, in French: rendered by the
admin's preview and by ``manage.py importer``."""

from dataclasses import dataclass, field


@dataclass
class RapportDImport:
    """What an import creates, changes and deletes, sheet by sheet, in French."""

    lignes: list[str] = field(default_factory=list)
    crees: int = 0
    modifies: int = 0
    supprimes: int = 0
    tableaux_crees: int = 0
    # Amounts whose action row or financeur column the workbook no longer has: deleted only
    # when the user confirms it (``supprimer``), listed in the preview either way.
    suppressions: list[str] = field(default_factory=list)
    suppressions_confirmees: bool = False
    # The state of the touched tableaux before the import: a confirmation after a preview
    # checks that nobody changed them in between.
    empreinte: str = ""

    def __str__(self):
        return "\n".join([self.detail, *self.avertissement_suppressions()])

    @property
    def detail(self) -> str:
        """Sheet by sheet and the total; the admin lists the deletions apart, with their box."""
        return "\n".join([*self.lignes, self.total])

    @property
    def total(self) -> str:
        """The import in one sentence, for the admin's message."""
        return (
            f"Total : {self.tableaux_crees} tableau(x) créé(s), {self.crees} montant(s) "
            f"ajouté(s), {self.modifies} modifié(s), {self.supprimes} supprimé(s)."
        )

    def avertissement_suppressions(self) -> list[str]:
        if not self.suppressions or self.suppressions_confirmees:
            return []
        return [
            f"{len(self.suppressions)} montant(s) dont la ligne d'action ou la colonne de "
            "financeur a été retirée du classeur seront supprimés seulement si vous le "
            "confirmez (--supprimer en ligne de commande, « Supprimer ces montants » dans "
            "l'administration) :",
            *self.suppressions,
        ]
