#!/usr/bin/env bash
# Synchronous turns per second and latency percentiles with the simulated model at zero latency,
# measured with wrk over loopback; next to it, the same load on a read-only endpoint for comparison.
#   bench/turns.sh [seconds=30] [connections=32] [conversations=400]
source "$(dirname "$0")/lib.sh"
SECONDS_RUN="${1:-30}"
CONNECTIONS="${2:-32}"
CONVERSATIONS="${3:-400}"
THREADS=2
require wrk wrk

start_service colloquy_bench_turns -Dcolloquy.llm.simulated.latency=0ms
TENANT=$(create_tenant)
KEY=$(create_key "$TENANT" CHAT)
IDS="$RESULTS/turn-conversations.txt"
create_conversations "$KEY" "$CONVERSATIONS" "$IDS"

echo "== warm-up (10 s)"
wrk -t$THREADS -c$CONNECTIONS -d10s -s "$BENCH_DIR/turns.lua" "$BASE" -- "$KEY" "$IDS" $THREADS > /dev/null
echo "== machine: $(machine)"
echo "== sync turns: wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_RUN}s --latency, $CONVERSATIONS conversations"
wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$KEY" "$IDS" $THREADS \
  | tee "$RESULTS/turns.txt"
echo "== comparison, read-only transcript GET: same connections and duration"
wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/reads.lua" "$BASE" -- "$KEY" "$IDS" \
  | tee "$RESULTS/reads.txt"
psql -q -h 127.0.0.1 -U colloquy -d colloquy_bench_turns -c \
  "SELECT purpose, count(*) AS calls, round(avg(prompt_tokens)) AS avg_prompt FROM usage_ledger GROUP BY purpose" \
  | tee "$RESULTS/turns-usage.txt"
