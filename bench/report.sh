#!/usr/bin/env bash
# The monthly report for one tenant with 10 million ledger rows in the month (seeded with SQL set
# functions), read with wrk; next to it, the same figures computed by scanning the ledger, which the
# report never does. Then the ledger write cost per call, read from the service's own timer during a
# turn load on the same, full ledger.
#   bench/report.sh [rows=10000000]
source "$(dirname "$0")/lib.sh"
ROWS="${1:-10000000}"
DB=colloquy_bench_report
require wrk wrk
start_service $DB
TENANT=$(create_tenant)
FINANCE=$(curl -fs -XPOST "$BASE/api/v1/tenants/$TENANT/api-keys" -H "Authorization: Bearer $ADMIN_KEY" \
  -H 'Content-Type: application/json' -d '{"roles":["FINANCE"]}' | json_field '["key"]')
echo "== machine: $(machine)"
echo "== seeding $ROWS ledger rows for one tenant in the current month"
time psql -q -h 127.0.0.1 -U colloquy -d $DB -v tenant="$TENANT" -v rows="$ROWS" -f "$BENCH_DIR/seed-ledger.sql"
psql -q -h 127.0.0.1 -U colloquy -d $DB -c "SELECT count(*) AS ledger_rows, pg_size_pretty(pg_total_relation_size('usage_ledger_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM'))) AS partition_size FROM usage_ledger WHERE tenant_id = '$TENANT'" \
  | tee "$RESULTS/report-seed.txt"
curl -fs "$BASE/api/v1/costs/monthly/$TENANT" -H "Authorization: Bearer $FINANCE" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("report: calls", r["calls"], "cost", r["costUsd"], "days", len(r["byDay"]))'
for format in json csv; do
  echo "== GET /costs/monthly/{tenant} ($format): wrk -t2 -c4 -d20s"
  wrk -t2 -c4 -d20s --latency -s "$BENCH_DIR/report.lua" "$BASE" -- "$FINANCE" "$TENANT" $format \
    | tee "$RESULTS/report-$format.txt"
done
echo "== comparison: the report's totals and by-model figures computed from the ledger itself"
psql -h 127.0.0.1 -U colloquy -d $DB <<SQL | tee "$RESULTS/report-scan.txt"
\timing on
SELECT model, count(*), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd) FROM usage_ledger
WHERE tenant_id = '$TENANT' AND occurred_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
GROUP BY model;
SELECT model, sum(calls), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd) FROM usage_daily
WHERE tenant_id = '$TENANT' AND day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date GROUP BY model;
SQL
echo "== ledger write cost per call during turns (service timer colloquy.usage.record, 20 s of turns)"
KEY=$(create_key "$TENANT" CHAT)
create_conversations "$KEY" 200 "$RESULTS/report-conversations.txt"
wrk -t2 -c16 -d20s -s "$BENCH_DIR/turns.lua" "$BASE" -- "$KEY" "$RESULTS/report-conversations.txt" 2 | grep -E "Requests/sec|statuses"
curl -fs "$MANAGEMENT/actuator/prometheus" | grep -E '^colloquy_usage_record_seconds(\{|_count|_sum)' | tee "$RESULTS/ledger-write.txt"
