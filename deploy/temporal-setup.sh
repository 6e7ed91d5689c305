#!/usr/bin/env bash
# Registers the namespace and Koers's search attributes (names and types as platform/search-attributes.ts).
set -euo pipefail
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do sleep 2; done
temporal operator namespace describe -n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create -n "$TEMPORAL_NAMESPACE" --retention 3650d --address "$TEMPORAL_ADDRESS"
while read -r name type; do
  temporal operator search-attribute create -n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" --name "$name" --type "$type" || true
done < /deploy/search-attributes.txt
