"""The nine rules of docs/DESIGN.md, « Rules the application checks », one module each.

Each module quotes, in its docstring, the sentence of the convention (or of the domain guide) it
checks, names its parameters as module constants, and registers its one function with
``@regle(Regle.CODE)``. Each function reads a ``Donnees`` snapshot (and, for the calendar, today's
date) and yields ``Constat``s; none of them writes anything.

``REGLES`` lists the registered rules in the order of ``Regle`` (the order of docs/DESIGN.md); the
service runs them, and through it the command, the pages and the admin. To add a rule: add its
code to ``Regle`` and a module here whose function carries ``@regle``; every module of this
package not starting with « _ » is imported below.
"""

import pkgutil
from importlib import import_module

from ..constats import Regle
from ._registre import ENREGISTREES, RegleEnregistree, regle

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        import_module(f"{__name__}.{_module.name}")

_sans_fonction = [code for code in Regle if code not in ENREGISTREES]
if _sans_fonction:
    raise ImportError(f"Règles sans module dans controles/regles/ : {', '.join(_sans_fonction)}.")

REGLES: list[RegleEnregistree] = [ENREGISTREES[code] for code in Regle]


def regle_de(code: Regle | str) -> RegleEnregistree:
    """The registered rule of ``code`` (« calendrier » or ``Regle.CALENDRIER``)."""
    return ENREGISTREES[Regle(code)]


__all__ = ["REGLES", "RegleEnregistree", "regle", "regle_de"]
