"""The administration screens, one module per domain application in ``pages/administration/``;
Django's admin autodiscovery imports this module, which registers them all."""

from pages.administration import (  # noqa: F401
    bilans,
    comptes,
    controles,
    conventions,
    deliberations,
    engagements,
)
