# Helpers shared by the benchmark scripts: build the jar once, start Colloquy on a bench database,
# create a tenant and keys through the API, stop it again.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
source "$ROOT/bin/env.sh"
BENCH_PORT="${BENCH_PORT:-18080}"
BASE="http://127.0.0.1:$BENCH_PORT"
# the actuator (health details, metrics) answers on the management port only
BENCH_MANAGEMENT_PORT="${BENCH_MANAGEMENT_PORT:-18081}"
MANAGEMENT="http://127.0.0.1:$BENCH_MANAGEMENT_PORT"
ADMIN_KEY="bench-admin-key"

# require <command> <Debian package>: stops the script with how to install a tool it needs
require() {
  command -v "$1" >/dev/null || { echo "$1 is needed (apt-get install $2)" >&2; exit 1; }
}
RESULTS="$BENCH_DIR/results"
mkdir -p "$RESULTS"

# BENCH_JAR=<path> runs a given build instead (an earlier commit's jar, for a side-by-side run)
build_jar() {
  if [ -n "${BENCH_JAR:-}" ]; then
    JAR="$BENCH_JAR"
    return
  fi
  if [ -z "${BENCH_SKIP_BUILD:-}" ] || ! ls "$ROOT"/target/colloquy-*.jar >/dev/null 2>&1; then
    (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
  fi
  JAR=$(ls "$ROOT"/target/colloquy-*.jar | grep -v original | head -n 1)
}

# start_service <database> [extra java args...]: a fresh database each time
start_service() {
  local db="$1"; shift
  prepare_local_database "$db" yes
  build_jar
  # a load generator is one tenant sending far past a tenant's rate limit: limits are off unless a script
  # turns them on (a later -D wins)
  COLLOQUY_ADMIN_KEY="$ADMIN_KEY" SERVER_PORT="$BENCH_PORT" MANAGEMENT_SERVER_PORT="$BENCH_MANAGEMENT_PORT" \
    "$JAVA_HOME/bin/java" -Xms1g -Xmx4g -Dcolloquy.tenant.rate-limit.enabled=false "$@" -jar "$JAR" \
    > "$RESULTS/service-$db.log" 2>&1 &
  SERVICE_PID=$!
  # a script that set its own EXIT trap (stopping its fake upstreams and the service) keeps it
  [ -n "$(trap -p EXIT)" ] || trap stop_service EXIT
  for _ in $(seq 1 120); do
    if curl -fs "$BASE/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "service did not start; see $RESULTS/service-$db.log" >&2
  exit 1
}

stop_service() {
  if [ -n "${SERVICE_PID:-}" ]; then
    kill "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
    SERVICE_PID=""
  fi
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# create_tenant [settings-json] -> prints tenant id
create_tenant() {
  local settings="${1:-{\}}"
  curl -fs -XPOST "$BASE/api/v1/tenants" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench-$RANDOM\",\"settings\":$settings}" | json_field '["id"]'
}

# create_key <tenant-id> <role> -> prints the key
create_key() {
  curl -fs -XPOST "$BASE/api/v1/tenants/$1/api-keys" -H "Authorization: Bearer $ADMIN_KEY" \
    -H 'Content-Type: application/json' -d "{\"roles\":[\"$2\"]}" | json_field '["key"]'
}

# create_conversations <chat-key> <count> <file>: one kept-alive connection (a curl and a python per
# conversation took about a minute for 1,500)
create_conversations() {
  python3 - "$BASE" "$1" "$2" "$3" <<'PY'
import http.client, json, sys, urllib.parse
base, key, count, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
url = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
with open(path, "w") as out:
    for _ in range(count):
        connection.request("POST", "/api/v1/conversations", body="{}",
                           headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 201 and response.status != 200:
            sys.exit("creating a conversation answered %d: %s" % (response.status, body[:200]))
        out.write(json.loads(body)["id"] + "\n")
PY
}

# cpu_seconds: CPU seconds (in clock ticks of 1/100 s) used so far per process group: the service (java),
# PostgreSQL, wrk, nginx and the rest
cpu_seconds() {
  for p in /proc/[0-9]*; do
    printf '%s %s\n' "$(cat "$p/comm" 2>/dev/null)" "$(awk '{print $14+$15}' "$p/stat" 2>/dev/null)"
  done | awk '{g=$1; if (g ~ /^postgres/) g="postgres"; else if (g !~ /^(java|wrk|nginx)$/) g="other"; a[g]+=$2}
              END {for (k in a) print k, a[k]}' | sort
}

machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
}
