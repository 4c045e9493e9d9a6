#!/usr/bin/env bash
# Bounded load test, loopback only: the national-scale dataset on PostgreSQL, the application
# under gunicorn (make serve's settings), 50 concurrent users for DUREE seconds (120 by default)
# mixing pages and exports, each reading a page 1 to 5 s before the next; then, with SATURATION=1,
# the same 50 connections without pauses (the capacity of the machine). It stops by itself and
# prints wrk's figures. Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/../.."
DUREE="${DUREE:-120}"
PORT="${PORT:-8765}"
BASE="${BASE:-pauvrete_charge}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${BASE}"
export DEBUG=0 HTTPS=0 ALLOWED_HOSTS=127.0.0.1 CONN_MAX_AGE=60 SECRET_KEY="charge-$(date +%s)-cle-de-test-locale-uniquement"
PY=.venv/bin/python

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${BASE}" postgres
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${BASE}" postgres
$PY manage.py migrate -v0
$PY manage.py loaddata fixtures/*.json -v0
$PY manage.py generer_donnees --territoires "${TERRITOIRES:-120}" --annees "${ANNEES:-6}"
$PY manage.py collectstatic --noinput -v0
COOKIE=$($PY manage.py shell -v 0 -c "
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from conventions import roles
u = roles.creer_compte('charge', mot_de_passe='charge-locale-2026', role=roles.ADMINISTRATEUR)
s = SessionStore(); s[SESSION_KEY] = str(u.pk); s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); print('sessionid=' + s.session_key)
")
PAGES=$($PY manage.py shell -v 0 -c "
from conventions.models import Convention
pages = ['/', '/?page=3', '/?annee=2023', '/recherche/?q=logement']
for c in Convention.objects.filter(slug__startswith='calpa-territoire-').order_by('pk')[:40]:
    pages += [f'/conventions/{c.slug}/', f'/conventions/{c.slug}/comparaison/annees/?annee={c.annee_debut}',
              f'/conventions/{c.slug}/comparaison/versions/', f'/conventions/{c.slug}/bilans/{c.annee_debut}/']
pages += ['/conventions/calpa-dijon-2023/?export=csv', '/conventions/calpa-dijon-2023/classeur/?periode=2023']
from conventions.models import Territoire
pages += [f'/engagements.xlsx?annee=2023&territoire={Territoire.objects.get(slug=\"territoire-001\").pk}']
print(','.join(pages))
")
export COOKIE PAGES
.venv/bin/gunicorn pauvrete.wsgi --bind "127.0.0.1:${PORT}" --workers 3 --threads 4 --keep-alive 10 --log-level warning &
SERVEUR=$!
trap 'kill $SERVEUR 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:${PORT}/compte/connexion/" && break; sleep 0.2; done
echo "== 50 utilisateurs, pause de 1 à 5 s entre deux pages"
PAUSE_MIN=1000 PAUSE_MAX=5000 wrk -t2 -c50 -d"${DUREE}s" --timeout 10s -s outils/charge/parcours.lua \
    "http://127.0.0.1:${PORT}"
if [ "${SATURATION:-0}" = 1 ]; then
    echo "== 50 connexions sans pause (saturation)"
    PAUSE_MIN=0 PAUSE_MAX=0 wrk -t2 -c50 -d"${DUREE}s" --timeout 10s -s outils/charge/parcours.lua \
        "http://127.0.0.1:${PORT}"
fi
