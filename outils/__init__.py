"""Tools beside the application, never imported by it: the national data generator
(``manage.py generer_donnees``), the benchmark (``python -m outils.banc``, ``make bench``) and
the load test (``bash outils/charge/lancer.sh``). An app only so that the generator's command
is found."""
