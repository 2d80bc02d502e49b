#!/usr/bin/env bash
# The turn's own cost through the real OpenAI client path: a static OpenAI-compatible upstream (nginx,
# answering at once), Colloquy with the OpenAI provider pointed at it, and wrk posting synchronous turns
# over many conversations of one tenant; then the same with the simulated provider; and the upstream
# alone, in the same run. Prints one table.
#   bench/lean_turn.sh [seconds=20] [conversations=512] [warm-up seconds=120]
# The warm-up runs on conversations of its own, 120 s by default: on 2 cores the JIT compiler's time kept
# growing for about 100 s of load (jstat -compiler), and took a fifth to a third of the service's CPU
# samples while it did. Each measured row then starts on fresh conversations, so two builds are measured
# on transcripts of the same length (a turn's cost grows with the transcript its prompt reads).
# The 32-connection rows also give the CPU each turn cost the service and PostgreSQL: the steadier figure
# on a machine whose throughput varies by a sixth from run to run.
# Extra JVM flags for both runs: LEAN_JAVA_OPTS (for example a profiler agent).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/static_upstream.sh"
SECONDS_RUN="${1:-20}"
CONVERSATIONS="${2:-512}"
WARMUP="${3:-120}"
UP_PORT="${UP_PORT:-18091}"
require wrk wrk
OUT="$RESULTS/lean-turn"
mkdir -p "$OUT"
cleanup() { stop_service; stop_static_upstream; }

start_static_upstream "$UP_PORT"
trap cleanup EXIT

# wrk_summary <file>: turns/s p50 p99 errors (non-200 answers and socket errors)
wrk_summary() {
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def pct(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, t, re.M)
    v = float(m.group(1)); return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
errors = 0
m = re.search(r"statuses: 200=\d+ (.*)", t)
if m:
    errors += sum(int(x) for x in re.findall(r"=(\d+)", m.group(1)))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
if m and not re.search(r"statuses:", t):
    errors += int(m.group(1))
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
if m:
    errors += sum(int(x) for x in m.groups())
print("%.0f %.2f %.2f %d" % (rps, pct(50), pct(99), errors))
PY
}

ROWS=()
row() { # <label> <wrk file> [cpu file]
  local cpu="-- | --"
  read -r rps p50 p99 errors < <(wrk_summary "$2")
  if [ -n "${3:-}" ]; then
    read -r java pg < "$3"
    cpu=$(awk -v r="$rps" -v j="$java" -v p="$pg" 'BEGIN {printf "%.2f ms | %.2f ms", j * 1000 / r, p * 1000 / r}')
  fi
  ROWS+=("| $1 | $rps | $p50 ms | $p99 ms | $errors | $cpu |")
}

echo "== machine: $(machine)"
echo "== the upstream alone"
wrk -t1 -c1 -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/upstream.lua" "http://127.0.0.1:$UP_PORT/v1/chat/completions" \
  > "$OUT/upstream-1.txt"
wrk -t2 -c32 -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/upstream.lua" "http://127.0.0.1:$UP_PORT/v1/chat/completions" \
  > "$OUT/upstream-32.txt"

# turns_so_far <database> <file of conversation ids>: the customer turns they hold on average
turns_so_far() {
  psql -q -h 127.0.0.1 -U colloquy -d "$1" -At -v ids="$(paste -sd, "$2")" <<'SQL'
SELECT round(avg(c)) FROM (SELECT count(*) AS c FROM messages WHERE role = 'CUSTOMER'
  AND conversation_id = ANY(string_to_array(:'ids', ',')::uuid[]) GROUP BY conversation_id) t
SQL
}

measure() { # <label> <database> [java flags...]
  local label="$1" db="$2"; shift 2
  start_service "$db" -Dcolloquy.tenant.rate-limit.enabled=false ${LEAN_JAVA_OPTS:-} "$@"
  trap cleanup EXIT
  local tenant key warm="$OUT/conversations-$label-warm.txt" ids="$OUT/conversations-$label.txt"
  local fresh="$OUT/conversations-$label-1.txt"
  tenant=$(create_tenant)
  key=$(create_key "$tenant" CHAT)
  create_conversations "$key" "$CONVERSATIONS" "$warm"
  create_conversations "$key" "$CONVERSATIONS" "$ids"
  create_conversations "$key" "$CONVERSATIONS" "$fresh"
  echo "== $label: warm-up ${WARMUP}s, then ${SECONDS_RUN}s at 32 connections and at 1"
  wrk -t2 -c32 -d${WARMUP}s -s "$BENCH_DIR/turns.lua" "$BASE" -- "$key" "$warm" 2 > /dev/null
  # the warm-up's last turns are still being written when wrk stops
  sleep 2
  cpu_seconds > "$OUT/$label.cpu-before"
  wrk -t2 -c32 -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$key" "$ids" 2 > "$OUT/$label-32.txt"
  cpu_seconds > "$OUT/$label.cpu-after"
  # cores the service and PostgreSQL used during the 32-connection row
  join "$OUT/$label.cpu-before" "$OUT/$label.cpu-after" | awk -v d="$SECONDS_RUN" \
    '{c[$1] = ($3 - $2) / 100 / d} END {printf "%.3f %.3f\n", c["java"], c["postgres"]}' > "$OUT/$label.cores"
  wrk -t1 -c1 -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$key" "$fresh" 1 > "$OUT/$label-1.txt"
  # and the long conversations the warm-up left (memory compacts them and recall searches their archive)
  turns_so_far "$db" "$warm" > "$OUT/$label-long.turns"
  wrk -t2 -c32 -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$key" "$warm" 2 > "$OUT/$label-long.txt"
  psql -q -h 127.0.0.1 -U colloquy -d "$db" -At -c \
    "SELECT purpose || ' ' || outcome || ' ' || count(*) FROM usage_ledger GROUP BY purpose, outcome ORDER BY 1" \
    > "$OUT/$label-ledger.txt"
  stop_service
}

measure openai colloquy_bench_lean_openai \
  -Dcolloquy.llm.upstreams.static.base-url="http://127.0.0.1:$UP_PORT/v1" -Dcolloquy.llm.upstreams.static.api-key=bench \
  -Dcolloquy.llm.upstreams.static.provider=openai -Dcolloquy.llm.route=static:gpt-4o-mini
measure simulated colloquy_bench_lean_simulated \
  -Dcolloquy.llm.provider=simulated -Dcolloquy.llm.simulated.latency=0ms -Dcolloquy.llm.simulated.chunk-delay=0ms

row "32 connections, OpenAI provider" "$OUT/openai-32.txt" "$OUT/openai.cores"
row "32 connections, simulated provider" "$OUT/simulated-32.txt" "$OUT/simulated.cores"
row "32 connections, OpenAI provider, long conversations ($(cat "$OUT/openai-long.turns") turns each)" "$OUT/openai-long.txt"
row "32 connections, simulated provider, long conversations ($(cat "$OUT/simulated-long.turns") turns each)" \
  "$OUT/simulated-long.txt"
row "1 connection, OpenAI provider" "$OUT/openai-1.txt"
row "1 connection, simulated provider" "$OUT/simulated-1.txt"
row "the upstream alone, 1 connection" "$OUT/upstream-1.txt"
row "the upstream alone, 32 connections" "$OUT/upstream-32.txt"
{
  echo "machine: $(machine); $(date -u +%Y-%m-%dT%H:%MZ); ${SECONDS_RUN}s per row after ${WARMUP}s warm-up, $CONVERSATIONS conversations"
  echo
  echo "| load | turns/s | p50 | p99 | errors | service CPU per turn | PostgreSQL CPU per turn |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "model calls in the ledger (purpose, outcome, count):"
  sed 's/^/  openai: /' "$OUT/openai-ledger.txt"
  sed 's/^/  simulated: /' "$OUT/simulated-ledger.txt"
} | tee "$OUT/summary.md"
