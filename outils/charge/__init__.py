"""The load test: ``lancer.sh`` runs locust (``locustfile.py``) against gunicorn and PostgreSQL,
then ``rapport.py`` writes docs/charge.md from locust's CSV statistics."""
