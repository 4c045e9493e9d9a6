#!/usr/bin/env bash
# Bounded load test, loopback only, with per-page percentiles: the national-scale dataset on
# PostgreSQL (throw-away database pauvrete_charge, dropped at the end unless GARDER_BASE=1), the
# application under gunicorn (make serve's settings), then locust headless: UTILISATEURS (50)
# logged-in administrators for DUREE seconds (120), each reading a page 1 to 5 s before the next
# (outils/charge/locustfile.py); with SATURATION=1, the same users again without pauses. Then
# outils/charge/rapport.py writes docs/charge.md from locust's CSV statistics (SORTIE to write
# elsewhere). It stops by itself and stops gunicorn; it exits 1 if a request failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
DUREE="${DUREE:-120}"
UTILISATEURS="${UTILISATEURS:-50}"
MONTEE="${MONTEE:-10}"
TERRITOIRES="${TERRITOIRES:-120}"
ANNEES="${ANNEES:-6}"
PORT="${PORT:-8765}"
BASE="${BASE:-pauvrete_charge}"
SORTIE="${SORTIE:-docs/charge.md}"
RESULTATS="${RESULTATS:-$(mktemp -d /tmp/pauvrete-charge.XXXXXX)}"
GUNICORN=(--workers 3 --threads 4 --keep-alive 10)
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${BASE}"
export DEBUG=0 HTTPS=0 ALLOWED_HOSTS=127.0.0.1 CONN_MAX_AGE=60 SECRET_KEY="charge-$(date +%s)-cle-de-test-locale-uniquement"
PY=.venv/bin/python
mkdir -p "$RESULTATS"
CHARGE_DEPART=$($PY -c 'import json, os; print(json.dumps(os.getloadavg()))')

echo "== locust (extra charge de pyproject.toml)"
.venv/bin/pip install -q -e '.[charge]'

SERVEUR=""
fin() {
    if [ -n "$SERVEUR" ]; then
        kill "$SERVEUR" 2>/dev/null || true
        wait "$SERVEUR" 2>/dev/null || true
    fi
    if [ "${GARDER_BASE:-0}" != 1 ]; then
        psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${BASE} WITH (FORCE)" postgres || true
    fi
}
trap fin EXIT
trap 'exit 130' INT TERM

echo "== base ${BASE} : les cinq documents et generer_donnees --territoires ${TERRITOIRES} --annees ${ANNEES}"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${BASE} WITH (FORCE)" postgres
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${BASE}" postgres
$PY manage.py migrate -v0
$PY manage.py loaddata fixtures/*.json -v0
$PY manage.py generer_donnees --territoires "$TERRITOIRES" --annees "$ANNEES"
$PY manage.py collectstatic --noinput -v0

# The session of an administrator (he sees everything), the conventions and the territoire of
# the route, the sizes of the dataset.
CHARGE_COOKIE=$($PY manage.py shell -v 0 -c "
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from comptes import roles
u = roles.creer_compte('charge', mot_de_passe='charge-locale-2026', role=roles.ADMINISTRATEUR)
s = SessionStore(); s[SESSION_KEY] = str(u.pk); s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); print('sessionid=' + s.session_key)
")
export CHARGE_COOKIE
export CHARGE_PARCOURS="$RESULTATS/parcours.json"
$PY manage.py shell -v 0 -c "
import json
from bilans.models import Mesure
from conventions.models import Action, Convention, Engagement, Territoire
conventions = Convention.objects.filter(slug__startswith='calpa-territoire-').order_by('pk')[:40]
json.dump({
    'conventions': [[c.slug, c.annee_debut] for c in conventions],
    'territoire': Territoire.objects.get(slug='territoire-001').pk,
}, open('$CHARGE_PARCOURS', 'w'))
json.dump({
    'conventions': Convention.objects.count(), 'actions': Action.objects.count(),
    'engagements': Engagement.objects.count(), 'mesures': Mesure.objects.count(),
}, open('$RESULTATS/tailles.json', 'w'))
"

echo "== gunicorn sur 127.0.0.1:${PORT} (${GUNICORN[*]})"
.venv/bin/gunicorn pauvrete.wsgi --bind "127.0.0.1:${PORT}" "${GUNICORN[@]}" --log-level warning &
SERVEUR=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:${PORT}/compte/connexion/" && break; sleep 0.2; done

# One request of each download before the run: the session works, the route's addresses answer
# 200, and the number of lines of the engagement workbook, for the report.
$PY - "$PORT" "$RESULTATS" <<'PY'
import io, json, os, sys, urllib.request
from openpyxl import load_workbook
port, resultats = sys.argv[1], sys.argv[2]
territoire = json.load(open(os.environ["CHARGE_PARCOURS"]))["territoire"]
def lire(chemin):
    requete = urllib.request.Request(f"http://127.0.0.1:{port}{chemin}", headers={"Cookie": os.environ["CHARGE_COOKIE"]})
    with urllib.request.urlopen(requete, timeout=120) as reponse:
        if reponse.status != 200 or "/compte/connexion/" in reponse.url:
            sys.exit(f"{chemin} : statut {reponse.status} ({reponse.url})")
        return reponse.read()
lire("/")
lire("/conventions/calpa-dijon-2023/?export=csv")
contenu = lire(f"/engagements.xlsx?annee=2023&territoire={territoire}")
feuille = load_workbook(io.BytesIO(contenu), read_only=True).worksheets[0]
lignes = sum(1 for _ in feuille.iter_rows(min_row=2))
json.dump({"lignes_xlsx": lignes}, open(f"{resultats}/xlsx.json", "w"))
PY

passage() {  # passage NAME [extra environment]: one locust run, its CSV under $RESULTATS/NAME
    local nom="$1"
    shift
    env "$@" PYTHONPATH=. .venv/bin/locust -f outils/charge/locustfile.py --headless \
        -u "$UTILISATEURS" -r "$MONTEE" -t "${DUREE}s" --stop-timeout 10 \
        --host "http://127.0.0.1:${PORT}" --csv "$RESULTATS/$nom" --only-summary
}
CODE=0
echo "== ${UTILISATEURS} utilisateurs pendant ${DUREE} s, pause de 1 à 5 s entre deux pages"
passage charge CHARGE_SANS_PAUSE=0 || CODE=$?
SATURATION_CSV=()
if [ "${SATURATION:-0}" = 1 ]; then
    echo "== ${UTILISATEURS} utilisateurs sans pause (saturation)"
    passage saturation CHARGE_SANS_PAUSE=1 || CODE=$?
    SATURATION_CSV=(--saturation "$RESULTATS/saturation")
fi
kill "$SERVEUR" && wait "$SERVEUR" 2>/dev/null || true
SERVEUR=""

$PY - "$RESULTATS" <<PY
import json, os, sys
from datetime import datetime
from importlib.metadata import version
resultats = sys.argv[1]
contexte = {
    "date": datetime.now().strftime("%d/%m/%Y %H:%M"), "coeurs": os.cpu_count(),
    "charge": json.loads("${CHARGE_DEPART}"), "base": "${BASE}",
    "territoires": ${TERRITOIRES}, "annees": ${ANNEES},
    "gunicorn": "\`${GUNICORN[*]}\`",
    "locust": version("locust"), "utilisateurs": ${UTILISATEURS}, "montee": ${MONTEE},
    "duree": ${DUREE},
}
for nom in ("tailles", "xlsx"):
    contexte.update(json.load(open(f"{resultats}/{nom}.json")))
json.dump(contexte, open(f"{resultats}/contexte.json", "w"), ensure_ascii=False, indent=1)
PY
echo "== rapport : ${SORTIE} (CSV de locust dans ${RESULTATS})"
$PY outils/charge/rapport.py --csv "$RESULTATS/charge" --contexte "$RESULTATS/contexte.json" \
    "${SATURATION_CSV[@]}" --sortie "$SORTIE" > /dev/null
echo "== fini (code ${CODE})"
exit "$CODE"
