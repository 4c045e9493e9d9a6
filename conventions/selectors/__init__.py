"""Reads of the conventions' domain for the pages and the files, one module a concern:
``annexes`` (the annex layout, empty or as a grid), ``periodes`` (periods without a version en
vigueur), ``comparaisons`` (versions, years, bilan), ``bascule`` (what putting a version en
vigueur changes), ``lignee`` (an action through the years), ``recherche``, ``historique``."""
