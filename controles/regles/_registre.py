"""The registry of rules: ``@regle(Regle.CODE)`` on a module's rule function enters it in the list
that the service, the command, the pages and the admin run."""

import inspect
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..constats import Constat, Regle

# « … »: what a rule's module docstring quotes from the convention or the domain guide.
CITATION = re.compile(r"«\s*(.+?)\s*»", re.DOTALL)


@dataclass(frozen=True)
class RegleEnregistree:
    """One rule: its code (and label), its function, and the module that documents it."""

    code: Regle
    fonction: Callable[..., Iterable[Constat]]
    # Whether the rule reads today's date (``aujourdhui``), as the calendar does.
    datee: bool = False

    @property
    def libelle(self) -> str:
        return str(self.code.label)

    @property
    def module(self):
        return sys.modules[self.fonction.__module__]

    @property
    def documentation(self) -> str:
        """The module's docstring: the sentence the rule checks, quoted, and its parameters."""
        return inspect.getdoc(self.module) or ""

    @property
    def citations(self) -> list[str]:
        """The sentences the docstring quotes in « … », spaces and line breaks collapsed."""
        return [" ".join(c.split()) for c in CITATION.findall(self.documentation)]

    def __call__(self, donnees, aujourdhui) -> Iterable[Constat]:
        return self.fonction(donnees, aujourdhui) if self.datee else self.fonction(donnees)


ENREGISTREES: dict[Regle, RegleEnregistree] = {}


def regle(code: Regle):
    """Register the decorated function as the rule ``code``; one function per code."""

    def enregistrer(fonction):
        if code in ENREGISTREES:
            existante = ENREGISTREES[code].fonction
            raise ValueError(
                f"La règle « {code} » est déjà enregistrée par "
                f"{existante.__module__}.{existante.__qualname__}."
            )
        datee = "aujourdhui" in inspect.signature(fonction).parameters
        ENREGISTREES[code] = RegleEnregistree(code, fonction, datee)
        return fonction

    return enregistrer
