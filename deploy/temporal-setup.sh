#!/usr/bin/env bash
# Registers the namespace and Koers's search attributes (names and types as platform/search-attributes.ts).
# Used by docker-compose.yml (admin-tools image) and scripts/temporal-cluster.sh (TEMPORAL_CLI, the CLI
# built by the install step).
set -euo pipefail
temporal="${TEMPORAL_CLI:-temporal}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
until "$temporal" operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do sleep 2; done
"$temporal" operator namespace describe -n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 \
  || "$temporal" operator namespace create -n "$TEMPORAL_NAMESPACE" --retention 3650d --address "$TEMPORAL_ADDRESS"
while read -r name type; do
  "$temporal" operator search-attribute create -n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" --name "$name" --type "$type" || true
done < "$here/search-attributes.txt"
# Done only when a visibility query may use them: the namespace cache of every service refreshes them.
query="$(awk '$2 == "Keyword" { printf "%s%s = '"'"'setup-probe'"'"'", sep, $1; sep = " AND " }' "$here/search-attributes.txt")"
until "$temporal" workflow list -n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" --query "$query" --limit 1 >/dev/null 2>&1; do sleep 1; done
