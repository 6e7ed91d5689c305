#!/usr/bin/env bash
# `npm run test:conformance`: other people's test tools check the standards against a running Koers
# (`npm start` with its embedded Temporal server, on free ports and a throwaway data directory):
#  1. Spectral with the Dutch API Design Rules ruleset (test/conformance/adr-ruleset.koers.yaml);
#  2. openapi-typescript generates client types from the served document; the conformance tests,
#     the openapi-fetch client among them (no type assertions, see eslint.config.mjs), type-check;
#  3. Schemathesis (default checks) with an admin key and with a caseworker key;
#  4. jest: the CloudEvents SDK, the openapi-fetch client and ical.js against the same server.
# Bounded in time: Schemathesis gets a time budget per run. Every tool runs; the script fails at the
# end if any of them failed, naming which.
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf '[conformance] %s\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

SCHEMATHESIS_VERSION="$(sed -n 's/^SCHEMATHESIS_VERSION="\(.*\)"$/\1/p' scripts/install-tools.sh)"
st=".tools/schemathesis-$SCHEMATHESIS_VERSION/bin/st"
[ -x "$st" ] || { echo "Schemathesis is not installed: run npm install (scripts/install-tools.sh)" >&2; exit 1; }

# The ruleset is a verbatim copy of the published one; where the shared copy is beside us, they must agree.
if [ -f ../shared/conformance/adr-ruleset.yaml ] && ! cmp -s ../shared/conformance/adr-ruleset.yaml test/conformance/adr-ruleset.yaml; then
  echo "test/conformance/adr-ruleset.yaml differs from ../shared/conformance/adr-ruleset.yaml: copy the published ruleset again" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/koers-conformance-XXXXXX")"
port="$(free_port)"
base="http://127.0.0.1:$port"
admin_key="conformance-admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
caseworker_key="conformance-caseworker-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
partner_key="conformance-partner-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
cat > "$work/api-keys.json" <<KEYS
[
  { "key": "$admin_key", "role": "admin", "name": "conformance-admin" },
  { "key": "$caseworker_key", "role": "caseworker", "name": "conformance-caseworker", "municipalities": ["borger-odoorn"] },
  { "key": "$partner_key", "role": "partner", "name": "conformance-partner", "municipalities": ["borger-odoorn"],
    "eventTypes": ["nl.koers.brp.registered", "nl.koers.bijstand.applied", "nl.koers.intake.held", "nl.koers.duo.notified"] }
]
KEYS

say "starting Koers on $base (data in $work)"
# Schemathesis sends thousands of requests without or with a wrong key from this one address, on purpose:
# the failed-sign-in limit would answer them 429 instead of the 401 the checks are about.
KOERS_FAILED_SIGN_IN_LIMIT=0 PORT="$port" KOERS_DATA_DIR="$work/data" KOERS_API_KEYS_FILE="$work/api-keys.json" \
  KOERS_EMBEDDED_TEMPORAL_PORT="$(free_port)" KOERS_EMBEDDED_TEMPORAL_UI_PORT="$(free_port)" \
  KOERS_WORKER_METRICS_PORT=0 LOG_LEVEL=warn \
  node --enable-source-maps -r @swc-node/register main.ts > "$work/koers.log" 2>&1 &
koers_pid=$!
stop() {
  kill -TERM "$koers_pid" 2>/dev/null && wait "$koers_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

for _ in $(seq 1 360); do
  if curl -sf "$base/health" >/dev/null; then break; fi
  kill -0 "$koers_pid" 2>/dev/null || { cat "$work/koers.log" >&2; echo "Koers exited during start-up" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$base/health" >/dev/null || { cat "$work/koers.log" >&2; echo "Koers did not become healthy" >&2; exit 1; }
curl -sf "$base/v1/openapi.json" -o "$work/openapi.json"

failed=()
say "1/4 Spectral, Dutch API Design Rules"
npx spectral lint --fail-severity error -r test/conformance/adr-ruleset.koers.yaml "$work/openapi.json" || failed+=(spectral)

say "2/4 openapi-typescript: client types from the served document; the client test type-checks against them"
npx openapi-typescript "$work/openapi.json" -o test/conformance/generated/koers-api.d.ts || failed+=(openapi-typescript)
npx tsc -p test/conformance/tsconfig.json || failed+=(generated-client-typecheck)

# Each run gets a time budget for its generated tests; the whole script stays within a few minutes.
# Every default check runs but one: positive_data_acceptance (ST202) wants every schema-valid request
# accepted, while the contract refuses with 422 what JSON Schema cannot state: a date after today, a
# BSN failing the 11-proef, a municipality without a policy, a form of another task kind. Those 422s
# are documented, so status_code_conformance still checks each of them.
# A request may wait for Temporal's own deadline (10 s) before its 503, hence the request timeout.
# One worker: with two, Hypothesis' lambda-source cache raced (a KeyError inside Schemathesis 4.32.5).
schemathesis() { # key label
  say "3/4 Schemathesis as $2"
  "$st" --config-file test/conformance/schemathesis.toml run "$base/v1/openapi.json" \
    --header "Authorization: Bearer $1" \
    --exclude-checks positive_data_acceptance \
    --max-examples 30 --max-time 90 --workers 1 --seed 20261130 \
    --request-timeout 30 --generation-allow-x00 false \
    --report junit --report-dir "$work/schemathesis-$2" \
    --warnings off
}
schemathesis "$admin_key" admin || failed+=(schemathesis-admin)
schemathesis "$caseworker_key" caseworker || failed+=(schemathesis-caseworker)

say "4/4 CloudEvents SDK, generated client, ical.js"
KOERS_CONFORMANCE_URL="$base" KOERS_CONFORMANCE_ADMIN_KEY="$admin_key" KOERS_CONFORMANCE_CASEWORKER_KEY="$caseworker_key" \
  KOERS_CONFORMANCE_PARTNER_KEY="$partner_key" npx jest -c test/conformance/jest.config.js --runInBand || failed+=(jest-conformance)

if [ ${#failed[@]} -gt 0 ]; then
  say "FAILED: ${failed[*]}"
  exit 1
fi
say "all conformance checks passed"
