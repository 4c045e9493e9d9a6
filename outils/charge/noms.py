"""The names of the load test's requests, one per kind of page: the locustfile names its requests
with them, the report orders its tables with them and knows from them what is a download.
Nothing here imports locust (CI does not install it)."""

TABLEAU_DE_BORD = "Tableau de bord"
RECHERCHE = "Recherche"
CONVENTION = "Convention"
COMPARAISON_ANNEES = "Comparaison d'une année à l'autre"
COMPARAISON_VERSIONS = "Comparaison des versions"
BILAN = "Bilan"
PAGES = (TABLEAU_DE_BORD, RECHERCHE, CONVENTION, COMPARAISON_ANNEES, COMPARAISON_VERSIONS, BILAN)

EXPORT_CSV = "Export CSV d'une convention"
CLASSEUR = "Classeur de l'annexe (xlsx)"
LIGNES = "Lignes d'engagement d'un territoire (xlsx)"
TELECHARGEMENTS = (EXPORT_CSV, CLASSEUR, LIGNES)

# The request type of the rows that time the first byte of a download (locust's « Type » column).
PREMIER_OCTET = "TTFB"
