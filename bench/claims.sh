#!/usr/bin/env bash
# Claims per second with 8 concurrent agents and the claim latency percentiles: wrk posts claim-next
# on 8 connections against a queue seeded with pending handoffs (each claim returns the full package).
# Comparison: the same 8 agents claiming by id from a queue where they all contend for the oldest ones
# is not meaningful with wrk; instead the run is repeated with 1 agent to show how claims scale.
#   bench/claims.sh [seconds=20] [pending=30000]
source "$(dirname "$0")/lib.sh"
SECONDS_RUN="${1:-20}"
PENDING="${2:-30000}"
require wrk wrk

start_service colloquy_bench_claims
TENANT=$(create_tenant)
KEY=$(create_key "$TENANT" AGENT)
psql -q -h 127.0.0.1 -U colloquy -d colloquy_bench_claims -v tenant="$TENANT" -v count="$PENDING" \
  -f "$BENCH_DIR/seed-handoffs.sql"
echo "== machine: $(machine)"
for agents in 8 1; do
  echo "== claim-next: $agents concurrent agents, ${SECONDS_RUN}s, $PENDING pending at start"
  wrk -t$(( agents < 2 ? 1 : 2 )) -c$agents -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/claims.lua" "$BASE" -- "$KEY" \
    | tee "$RESULTS/claims-$agents.txt"
done
psql -q -h 127.0.0.1 -U colloquy -d colloquy_bench_claims -c \
  "SELECT status, count(*), count(DISTINCT conversation_id) AS conversations FROM handoffs GROUP BY status" \
  | tee "$RESULTS/claims-db.txt"
