#!/usr/bin/env bash
# Installs the real Temporal servers Koers runs on, and the conformance tools, from package registries only:
#  - the Temporal CLI (dev server with SQLite persistence and Web UI), compiled from the Go module proxy;
#  - the Temporal server and its schema tool (temporal-sql-tool), compiled from the Go module proxy, for
#    a cluster on PostgreSQL (scripts/temporal-cluster.sh); the schemas are embedded in the tool;
#  - the time-skipping test server, the Java artifact from Maven Central, with a JVM wrapper;
#  - Schemathesis (PyPI) in a Python virtual environment, for `npm run test:conformance`;
#  - Keycloak (its Quarkus distribution from Maven Central), the OpenID Connect provider the sign-in tests run.
# Both are cached per machine in $KOERS_TOOLS_DIR (default ~/.cache/koers/tools) and linked as ./.tools,
# so fresh clones on the same machine reuse them. A pinned version change triggers a rebuild.
set -euo pipefail

TEMPORAL_CLI_VERSION="1.5.1"
# The server the CLI 1.5.1 embeds, and the one docker-compose.yml runs (platform/tools.ts, compose test).
TEMPORAL_SERVER_VERSION="1.29.1"
TEST_SERVER_VERSION="1.38.0"
# Bump when the test server's folder is laid out differently, so cached copies are rebuilt.
TEST_SERVER_LAYOUT="2"
SCHEMATHESIS_VERSION="4.32.5"
# The identity provider of the sign-in tests (test/helpers/keycloak.ts); platform/tools.ts names the same.
KEYCLOAK_VERSION="26.5.6"

project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${KOERS_TOOLS_DIR:-$HOME/.cache/koers/tools}"
mkdir -p "$tools_dir"
ln -sfn "$tools_dir" "$project_dir/.tools"

say() { printf '[install-tools] %s\n' "$*"; }
fail() { printf '[install-tools] ERROR: %s\n' "$*" >&2; exit 1; }
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

install_temporal_cli() {
  local dir="$tools_dir/temporal-cli-$TEMPORAL_CLI_VERSION"
  if [ -x "$dir/temporal" ]; then say "Temporal CLI $TEMPORAL_CLI_VERSION cached at $dir"; return; fi
  command -v go >/dev/null || fail "Go >= 1.25 is needed to build the Temporal CLI. Install it: apt-get install golang-go (or a Go >= 1.25 toolchain), then run npm install again."
  local go_version; go_version="$(go env GOVERSION | sed 's/^go//')"
  version_at_least "$go_version" "1.25" || fail "Go $go_version found; the Temporal CLI v$TEMPORAL_CLI_VERSION needs Go >= 1.25 (set GOTOOLCHAIN=go1.25.0 or newer to let go fetch it from the module proxy)."
  say "building Temporal CLI v$TEMPORAL_CLI_VERSION with go install (takes several minutes on 2 cores)..."
  local staging="$dir.partial"
  rm -rf "$staging"; mkdir -p "$staging"
  # CGO off: the CLI uses the pure-Go SQLite driver, and a static binary survives libc upgrades.
  CGO_ENABLED=0 GOBIN="$staging" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
  "$staging/temporal" --version >/dev/null || fail "the built Temporal CLI does not run"
  rm -rf "$dir"; mv "$staging" "$dir"
  say "Temporal CLI ready: $("$dir/temporal" --version)"
}

install_temporal_server() {
  local dir="$tools_dir/temporal-server-$TEMPORAL_SERVER_VERSION"
  if [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ]; then say "Temporal server $TEMPORAL_SERVER_VERSION cached at $dir"; return; fi
  command -v go >/dev/null || fail "Go >= 1.25 is needed to build the Temporal server. Install it: apt-get install golang-go (or a Go >= 1.25 toolchain), then run npm install again."
  local go_version; go_version="$(go env GOVERSION | sed 's/^go//')"
  version_at_least "$go_version" "1.25" || fail "Go $go_version found; the Temporal server v$TEMPORAL_SERVER_VERSION needs Go >= 1.25 (set GOTOOLCHAIN=go1.25.0 or newer to let go fetch it from the module proxy)."
  say "building Temporal server v$TEMPORAL_SERVER_VERSION and temporal-sql-tool with go install (about 7 CPU-minutes, at low priority)..."
  local staging="$dir.partial"
  rm -rf "$staging"; mkdir -p "$staging"
  # One go install builds both from the same module version; CGO off as for the CLI (pure-Go drivers).
  CGO_ENABLED=0 GOBIN="$staging" nice -n 10 go install \
    "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
  mv "$staging/server" "$staging/temporal-server"
  mv "$staging/sql" "$staging/temporal-sql-tool"
  "$staging/temporal-server" --version >/dev/null || fail "the built Temporal server does not run"
  "$staging/temporal-sql-tool" --version >/dev/null || fail "the built temporal-sql-tool does not run"
  rm -rf "$dir"; mv "$staging" "$dir"
  say "Temporal server ready: $("$dir/temporal-server" --version)"
}

wait_for_port() { # host port seconds
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

install_test_server() {
  local dir="$tools_dir/temporal-test-server-$TEST_SERVER_VERSION-$TEST_SERVER_LAYOUT"
  if [ -f "$dir/.complete" ]; then say "test server $TEST_SERVER_VERSION cached at $dir"; return; fi
  command -v java >/dev/null || fail "Java >= 11 is needed for the time-skipping test server. Install it: apt-get install openjdk-17-jre-headless, then run npm install again."
  command -v mvn >/dev/null || fail "Maven is needed to fetch the test server from Maven Central. Install it: apt-get install maven, then run npm install again."
  say "fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION and its dependencies from Maven Central..."
  rm -rf "$dir"; mkdir -p "$dir/lib"
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>nl.koers</groupId><artifactId>test-server-deps</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$TEST_SERVER_VERSION</version></dependency>
    <!-- A logging backend that discards, so the server does not warn about a missing one on every start. -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  mvn -q -B -f "$dir/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir/lib" -DincludeScope=runtime
  # The SDK gives a server about 5 s to answer; a cold JVM loading ~100 jars on 2 cores comes close.
  # An AppCDS archive dumped from one real start lets later starts map their classes from a file,
  # and C1-only JIT with the serial GC trims start-up further (a test server needs no peak throughput).
  local jvm_flags='-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss1m'
  cat > "$dir/test-server" <<WRAP
#!/usr/bin/env bash
here="\$(cd "\$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
exec java -Xshare:auto -XX:SharedArchiveFile="\$here/app.jsa" $jvm_flags -cp "\$here/lib/*" io.temporal.testserver.TestServer "\$@"
WRAP
  chmod +x "$dir/test-server"
  say "recording a class-data-sharing archive for a fast JVM start..."
  local port; port="$(free_port)"
  # shellcheck disable=SC2086
  java -XX:ArchiveClassesAtExit="$dir/app.jsa" $jvm_flags -cp "$dir/lib/*" io.temporal.testserver.TestServer "$port" >/dev/null 2>&1 &
  local pid=$!
  wait_for_port 127.0.0.1 "$port" 60 || { kill "$pid" 2>/dev/null; fail "the test server did not start"; }
  sleep 1
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  [ -f "$dir/app.jsa" ] || fail "the class-data-sharing archive was not written"
  touch "$dir/.complete"
  say "test server ready at $dir"
}

install_schemathesis() {
  local dir="$tools_dir/schemathesis-$SCHEMATHESIS_VERSION"
  if [ -f "$dir/.complete" ]; then say "Schemathesis $SCHEMATHESIS_VERSION cached at $dir"; return; fi
  command -v python3 >/dev/null || fail "Python >= 3.9 is needed for Schemathesis. Install it: apt-get install python3 python3-venv, then run npm install again."
  say "installing Schemathesis $SCHEMATHESIS_VERSION from PyPI into a virtual environment..."
  # A virtual environment records its own path in its scripts, so it is built in place; .complete marks it whole.
  rm -rf "$dir"
  python3 -m venv "$dir" || fail "python3 -m venv failed. Install it: apt-get install python3-venv, then run npm install again."
  "$dir/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  "$dir/bin/st" --version >/dev/null || fail "the installed Schemathesis does not run"
  touch "$dir/.complete"
  say "Schemathesis ready: $("$dir/bin/st" --version)"
}

install_keycloak() {
  local dir="$tools_dir/keycloak-$KEYCLOAK_VERSION"
  if [ -f "$dir/.complete" ]; then say "Keycloak $KEYCLOAK_VERSION cached at $dir"; return; fi
  command -v java >/dev/null || fail "Java >= 17 is needed for Keycloak. Install it: apt-get install openjdk-17-jre-headless, then run npm install again."
  command -v mvn >/dev/null || fail "Maven is needed to fetch Keycloak from Maven Central. Install it: apt-get install maven, then run npm install again."
  command -v unzip >/dev/null || fail "unzip is needed to unpack Keycloak. Install it: apt-get install unzip, then run npm install again."
  say "fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION from Maven Central..."
  local staging="$dir.partial"
  rm -rf "$staging"; mkdir -p "$staging"
  mvn -q -B dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" -DoutputDirectory="$staging"
  local zip="$staging/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  [ -f "$zip" ] || fail "Maven did not deliver Keycloak's zip"
  unzip -q "$zip" -d "$staging"
  rm -rf "$dir"; mv "$staging/keycloak-$KEYCLOAK_VERSION" "$dir"; rm -rf "$staging"
  "$dir/bin/kc.sh" --version >/dev/null 2>&1 || fail "the unpacked Keycloak does not run"
  touch "$dir/.complete"
  say "Keycloak ready at $dir"
}

install_temporal_cli
install_temporal_server
install_test_server
install_schemathesis
install_keycloak
