#!/usr/bin/env bash
# A noisy neighbour, measured: tenant B sends synchronous turns at a steady modest rate while tenant A
# sends at three times the service's capacity (both open loop: a request is sent on schedule whether or
# not the last one was answered). B's latency and errors beside B's figures alone, A's 429 count; with
# rate limits off and on; and, on top, A flat out with wrk (64 connections, as fast as answers come).
# The simulated model answers at once (what is measured is the service's own sharing).
#   bench/noisy_neighbour.sh [seconds=30] [b-rate=20] [a-multiple=3]
source "$(dirname "$0")/lib.sh"
SECONDS_RUN="${1:-30}"
B_RATE="${2:-20}"
A_MULTIPLE="${3:-3}"
require wrk wrk
OUT="$RESULTS/noisy-neighbour"
mkdir -p "$OUT"
SIMULATED=(-Dcolloquy.llm.provider=simulated -Dcolloquy.llm.simulated.latency=0ms -Dcolloquy.llm.simulated.chunk-delay=0ms)

setup_tenants() {
  A=$(create_tenant); A_KEY=$(create_key "$A" CHAT)
  B=$(create_tenant); B_KEY=$(create_key "$B" CHAT)
  create_conversations "$A_KEY" 512 "$OUT/a-ids.txt"
  create_conversations "$B_KEY" 200 "$OUT/b-ids.txt"
}

b_alone() { python3 "$BENCH_DIR/paced_turns.py" "127.0.0.1:$BENCH_PORT" "$B_KEY" "$OUT/b-ids.txt" "$B_RATE" "$SECONDS_RUN" "$1"; }

with_a() { # <label>: A paced at A_RATE while B runs at its rate; A's own line goes to a-<label>.jsonl
  python3 "$BENCH_DIR/paced_turns.py" "127.0.0.1:$BENCH_PORT" "$A_KEY" "$OUT/a-ids.txt" "$A_RATE" \
    $((SECONDS_RUN + 4)) "A: $1" > "$OUT/a-$1.jsonl" &
  local a_pid=$!
  sleep 2
  python3 "$BENCH_DIR/paced_turns.py" "127.0.0.1:$BENCH_PORT" "$B_KEY" "$OUT/b-ids.txt" "$B_RATE" "$SECONDS_RUN" "$1"
  wait $a_pid
  cat "$OUT/a-$1.jsonl" >&2
}

with_a_flat_out() { # <label>: A flat out with wrk (64 connections) while B runs at its rate
  wrk -t2 -c64 -d$((SECONDS_RUN + 4))s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$A_KEY" "$OUT/a-ids.txt" 2 \
    > "$OUT/a-$1.txt" &
  local wrk_pid=$!
  sleep 2
  python3 "$BENCH_DIR/paced_turns.py" "127.0.0.1:$BENCH_PORT" "$B_KEY" "$OUT/b-ids.txt" "$B_RATE" "$SECONDS_RUN" "$1"
  wait $wrk_pid
}

a_summary() { # <file>: A's requests per second, answered turns per second and 429s
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
total = int(re.search(r"(\d+) requests in", t).group(1))
secs = float(re.search(r"requests in ([\d.]+)s", t).group(1))
st = dict(re.findall(r"(\d{3}|other5xx|other)=(\d+)", re.search(r"statuses: (.*)", t).group(1)))
print("A sent %.0f requests/s: %.0f turns/s answered (200), %s answered 429 in %.0f s" % (rps, int(st["200"]) / secs, st["429"], secs))
PY
}

echo "== machine: $(machine)"
echo "== capacity: tenant A alone, 32 connections, rate limits off"
start_service colloquy_bench_noisy_capacity "${SIMULATED[@]}" -Dcolloquy.tenant.rate-limit.enabled=false
setup_tenants
wrk -t2 -c32 -d20s -s "$BENCH_DIR/turns.lua" "$BASE" -- "$A_KEY" "$OUT/a-ids.txt" 2 > /dev/null
wrk -t2 -c32 -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$A_KEY" "$OUT/a-ids.txt" 2 > "$OUT/capacity.txt"
CAPACITY=$(grep "Requests/sec" "$OUT/capacity.txt" | awk '{printf "%.0f", $2}')
A_RATE=$((CAPACITY * A_MULTIPLE))
echo "capacity: $CAPACITY turns/s; A sends $A_RATE turns/s"
echo "== rate limits off: B alone, then B beside A"
b_alone "B alone, limits off" | tee "$OUT/b.jsonl"
with_a "B beside A, limits off" | tee -a "$OUT/b.jsonl"
stop_service

echo "== rate limits on (the defaults: 100 requests/s per tenant, burst 200)"
start_service colloquy_bench_noisy_limited "${SIMULATED[@]}" -Dcolloquy.tenant.rate-limit.enabled=true
setup_tenants
wrk -t2 -c32 -d20s -s "$BENCH_DIR/turns.lua" "$BASE" -- "$A_KEY" "$OUT/a-ids.txt" 2 > /dev/null
b_alone "B alone, limits on" | tee -a "$OUT/b.jsonl"
with_a "B beside A, limits on" | tee -a "$OUT/b.jsonl"
with_a_flat_out "B beside A flat out, limits on" | tee -a "$OUT/b.jsonl"
a_summary "$OUT/a-B beside A flat out, limits on.txt" | tee "$OUT/a-flat-out.txt"
stop_service
