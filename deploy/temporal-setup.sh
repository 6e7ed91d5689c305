#!/usr/bin/env bash
# Registers the namespace and Koers's search attributes (names and types as platform/search-attributes.ts).
# Safe to run on every deploy. Used by docker-compose.yml (admin-tools image) and
# scripts/temporal-cluster.sh (TEMPORAL_CLI: the CLI built by the install step). The cluster takes
# only mutual TLS: the client certificate comes from the variables Koers reads (TEMPORAL_TLS_CA_PATH,
# TEMPORAL_TLS_CERT_PATH, TEMPORAL_TLS_KEY_PATH, TEMPORAL_TLS_SERVER_NAME).
set -euo pipefail
temporal="${TEMPORAL_CLI:-temporal}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tls=()
[ -z "${TEMPORAL_TLS_CA_PATH:-}" ] || tls+=(--tls-ca-path "$TEMPORAL_TLS_CA_PATH")
[ -z "${TEMPORAL_TLS_CERT_PATH:-}" ] || tls+=(--tls-cert-path "$TEMPORAL_TLS_CERT_PATH" --tls-key-path "$TEMPORAL_TLS_KEY_PATH")
[ -z "${TEMPORAL_TLS_SERVER_NAME:-}" ] || tls+=(--tls-server-name "$TEMPORAL_TLS_SERVER_NAME")
at=(-n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" "${tls[@]}")
until "$temporal" operator cluster health --address "$TEMPORAL_ADDRESS" "${tls[@]}" >/dev/null 2>&1; do sleep 2; done
"$temporal" operator namespace describe "${at[@]}" >/dev/null 2>&1 \
  || "$temporal" operator namespace create "${at[@]}" --retention 3650d
# A new namespace reaches the services' namespace caches within seconds: until then a search
# attribute cannot be added to it, so each is retried until the server lists it.
registered() { "$temporal" operator search-attribute list "${at[@]}" 2>/dev/null | grep -qw "$1"; }
while read -r name type; do
  for _ in $(seq 60); do
    registered "$name" && continue 2
    "$temporal" operator search-attribute create "${at[@]}" --name "$name" --type "$type" >/dev/null 2>&1 || sleep 1
  done
  echo "search attribute $name could not be registered" >&2
  exit 1
done < "$here/search-attributes.txt"
# Done only when a visibility query may use them (every service's cache has them).
query="$(awk '{ printf "%s%s IS NULL", sep, $1; sep = " AND " }' "$here/search-attributes.txt")"
for _ in $(seq 60); do
  "$temporal" workflow list "${at[@]}" --query "$query" --limit 1 >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "search attributes registered but not queryable" >&2
exit 1
