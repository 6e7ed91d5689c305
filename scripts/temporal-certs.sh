#!/usr/bin/env bash
# Throwaway certificates for a Temporal cluster with mutual TLS (openssl CLI): a CA made for the
# occasion and the certificates it signs. For the local test cluster (scripts/temporal-cluster.sh) and
# for trying docker-compose.yml out; a municipality's deployment takes its certificates from its own
# PKI instead (docs/deployment.md). The CA's private key is deleted once it has signed: nothing can
# be added to this trust later.
#
#   scripts/temporal-certs.sh <dir> [name…]
#
# writes into <dir> (created, mode 0700; every key 0600):
#   ca.pem                          the CA: servers and clients trust only it
#   temporal.pem, temporal-key.pem  the Temporal server, frontend and internode (server and client use:
#                                   the server's own services call each other with it); names
#                                   temporal, localhost, 127.0.0.1 and $KOERS_TLS_SERVER_NAMES
#   koers.pem, koers-key.pem        Koers's API and workers, and the namespace set-up (client use)
#   ui.pem, ui-key.pem              the Temporal Web UI (client use)
# The names given after <dir> replace the default clients (koers ui). Certificates are valid for 30 days.
set -euo pipefail

dir="${1:?usage: $0 <dir> [client name…]}"
shift
clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=(koers ui)
command -v openssl >/dev/null || { echo "temporal-certs: openssl is not installed" >&2; exit 1; }

umask 077
mkdir -p "$dir"
chmod 700 "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# EC P-256: fast to make, accepted by Go (the server), rustls (the worker) and Node (the client).
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key "$work/ca-key.pem"
openssl req -x509 -new -key "$work/ca-key.pem" -sha256 -days 30 -subj "/O=Koers/CN=Koers throwaway Temporal CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$dir/ca.pem" 2>/dev/null

# issue <name> <extendedKeyUsage> [subjectAltName]
issue() {
  local name="$1" usage="$2" san="${3:-}"
  key "$dir/$name-key.pem"
  openssl req -new -key "$dir/$name-key.pem" -subj "/O=Koers/CN=$name" -out "$work/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=$usage"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$work/$name.ext"
  openssl x509 -req -in "$work/$name.csr" -CA "$dir/ca.pem" -CAkey "$work/ca-key.pem" -CAcreateserial \
    -CAserial "$work/ca.srl" -days 30 -sha256 -extfile "$work/$name.ext" -out "$dir/$name.pem" 2>/dev/null
}

san="DNS:temporal,DNS:localhost,IP:127.0.0.1"
for extra in ${KOERS_TLS_SERVER_NAMES:-}; do san+=",DNS:$extra"; done
issue temporal serverAuth,clientAuth "$san"
for client in "${clients[@]}"; do issue "$client" clientAuth; done
# Readable by the services' own users in containers (compose bind-mounts them); the directory stays 0700
# on this machine.
chmod 644 "$dir"/*.pem
chmod 600 "$dir"/*-key.pem
echo "temporal-certs: CA and certificates for temporal, ${clients[*]} in $dir (valid 30 days)" >&2
