#!/usr/bin/env bash
# Graceful degradation, three measurements:
#  A. sync turn latency while the model's circuit is open (every turn a fresh conversation, so every
#     request takes the degraded path: holding reply + handoff), next to the same load with the model up;
#  B. time from upstream recovery to a 2,000-job async backlog drained (a fake OpenAI server, WireMock
#     standalone, switched from 500s to answers);
#  C. turns per second with 2,000 concurrent conversations and a 2-second model (the simulated model),
#     on virtual threads and, for comparison, on Tomcat's 200 platform threads.
#   bench/degradation.sh [A|B|C ...]   (default: all)
source "$(dirname "$0")/lib.sh"
PARTS="${*:-A B C}"
require wrk wrk
ulimit -n 200000 2>/dev/null || ulimit -n 65536 2>/dev/null || true
DB_A=colloquy_bench_degraded
PSQL() { psql -q -h 127.0.0.1 -U colloquy -d "$1" "${@:2}"; }
echo "== machine: $(machine)"

if [[ " $PARTS " == *" A "* ]]; then
  echo "== A. sync turns with the circuit open (upstream refuses connections)"
  start_service $DB_A -Dcolloquy.llm.provider=openai -Dspring.ai.openai.api-key=bench \
    -Dspring.ai.openai.base-url=http://127.0.0.1:9/v1 \
    -Dresilience4j.circuitbreaker.configs.llm.wait-duration-in-open-state=1h
  TENANT=$(create_tenant); KEY=$(create_key "$TENANT" CHAT)
  PSQL $DB_A -v tenant="$TENANT" -v count=60000 -f "$BENCH_DIR/seed-conversations.sql"
  PSQL $DB_A -v tenant="$TENANT" -f "$BENCH_DIR/ids.sql" > "$RESULTS/degraded-ids.txt"
  # open the circuit: a few turns whose attempts all fail
  for id in $(head -n 3 "$RESULTS/degraded-ids.txt"); do
    curl -s -XPOST "$BASE/api/v1/conversations/$id/messages" -H "Authorization: Bearer $KEY" \
      -H 'Content-Type: application/json' -d '{"content":"hello"}' > /dev/null
  done
  curl -s "$MANAGEMENT/actuator/health" | python3 -c 'import json,sys; print("circuit:", json.load(sys.stdin)["components"]["circuitBreakers"]["details"]["llm"]["details"]["state"])'
  tail -n +4 "$RESULTS/degraded-ids.txt" > "$RESULTS/degraded-ids-fresh.txt"
  echo "-- one customer at a time (no queueing)"
  wrk -t1 -c1 -d10s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$KEY" "$RESULTS/degraded-ids-fresh.txt" 1 \
    | tee "$RESULTS/degraded-open-c1.txt"
  # the 32-connection run takes conversations the first run did not touch
  tail -n +20000 "$RESULTS/degraded-ids-fresh.txt" > "$RESULTS/degraded-ids-fresh2.txt"
  echo "-- 32 at once"
  wrk -t2 -c32 -d20s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$KEY" "$RESULTS/degraded-ids-fresh2.txt" 2 \
    | tee "$RESULTS/degraded-open.txt"
  PSQL $DB_A -c "SELECT reason, count(*) AS handoffs FROM handoffs GROUP BY reason" | tee -a "$RESULTS/degraded-open.txt"
  stop_service
fi

if [[ " $PARTS " == *" B "* ]]; then
  echo "== B. recovery: 2,000 queued async turns, upstream down, then up"
  WM_PORT=18090
  WM_JAR=$(ls ~/.m2/repository/org/wiremock/wiremock-standalone/*/wiremock-standalone-*.jar 2>/dev/null | tail -n 1)
  [ -n "$WM_JAR" ] || (cd "$ROOT" && ./mvnw -q -B test-compile >/dev/null)
  WM_JAR=$(ls ~/.m2/repository/org/wiremock/wiremock-standalone/*/wiremock-standalone-*.jar | tail -n 1)
  "$JAVA_HOME/bin/java" -jar "$WM_JAR" --port $WM_PORT --disable-banner --no-request-journal \
    --async-response-enabled true --container-threads 100 > "$RESULTS/wiremock.log" 2>&1 &
  WM_PID=$!
  for _ in $(seq 1 30); do curl -fs "http://127.0.0.1:$WM_PORT/__admin/mappings" >/dev/null 2>&1 && break; sleep 1; done
  stub() { curl -fs -XPOST "http://127.0.0.1:$WM_PORT/__admin/mappings/reset" >/dev/null;
           curl -fs -XPOST "http://127.0.0.1:$WM_PORT/__admin/mappings" -d "$1" >/dev/null; }
  stub '{"request":{"method":"POST","urlPath":"/v1/chat/completions"},"response":{"status":500}}'
  start_service colloquy_bench_recovery -Dcolloquy.llm.provider=openai -Dspring.ai.openai.api-key=bench \
    -Dspring.ai.openai.base-url=http://127.0.0.1:$WM_PORT/v1
  TENANT=$(create_tenant)
  PSQL colloquy_bench_recovery -v tenant="$TENANT" -v count=2000 -f "$BENCH_DIR/seed-conversations.sql"
  PSQL colloquy_bench_recovery -v tenant="$TENANT" -f "$BENCH_DIR/seed-jobs.sql"
  for _ in $(seq 1 60); do
    state=$(curl -s "$MANAGEMENT/actuator/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["components"]["circuitBreakers"]["details"]["llm"]["details"]["state"])')
    [ "$state" = "OPEN" ] && break; sleep 0.5
  done
  echo "circuit: $state; jobs: $(PSQL colloquy_bench_recovery -tAc "SELECT string_agg(status || '=' || n, ' ') FROM (SELECT status, count(*) n FROM async_jobs GROUP BY status) s")"
  sleep 3
  BODY='{\"id\":\"chatcmpl-b\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"{\\\"reply\\\":\\\"Your order is on its way.\\\",\\\"confidence\\\":0.9,\\\"intent\\\":\\\"track a delivery\\\",\\\"needsHuman\\\":false}\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":420,\"completion_tokens\":30,\"total_tokens\":450}}'
  T0=$(date +%s.%N)
  stub "{\"request\":{\"method\":\"POST\",\"urlPath\":\"/v1/chat/completions\"},\"response\":{\"status\":200,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"$BODY\"}}"
  TH=""
  while true; do
    done_count=$(PSQL colloquy_bench_recovery -tAc "SELECT count(*) FROM async_jobs WHERE status IN ('DONE','DEAD')")
    if [ -z "$TH" ] && [ "$done_count" -gt 0 ]; then TH=$(date +%s.%N); fi
    [ "$done_count" -ge 2000 ] && break
    sleep 0.2
  done
  T1=$(date +%s.%N)
  {
    echo "upstream recovered at T0; first job done $(python3 -c "print(round($TH-$T0,1))") s later (the circuit half-opens after its open wait); all 2000 done $(python3 -c "print(round($T1-$T0,1))") s after T0, $(python3 -c "print(round($T1-$TH,1))") s after the first"
    PSQL colloquy_bench_recovery -c "SELECT status, count(*), max(attempts) AS max_attempts, round(avg(attempts),2) AS avg_attempts FROM async_jobs GROUP BY status"
    PSQL colloquy_bench_recovery -c "SELECT count(*) AS replies, count(DISTINCT (conversation_id, in_reply_to)) AS distinct_replies FROM messages WHERE role = 'ASSISTANT'"
    PSQL colloquy_bench_recovery -c "SELECT outcome, count(*) FROM usage_ledger GROUP BY outcome"
  } | tee "$RESULTS/recovery.txt"
  stop_service
  kill $WM_PID 2>/dev/null || true
fi

if [[ " $PARTS " == *" C "* ]]; then
  for threads in virtual platform; do
    echo "== C. 2,000 concurrent conversations, 2 s model latency, $threads threads"
    DB_C=colloquy_bench_concurrency_$threads
    start_service $DB_C -Dcolloquy.llm.simulated.latency=2s \
      -Dspring.threads.virtual.enabled=$([ $threads = virtual ] && echo true || echo false) \
      -Dspring.datasource.hikari.maximum-pool-size=40
    TENANT=$(create_tenant); KEY=$(create_key "$TENANT" CHAT)
    PSQL $DB_C -v tenant="$TENANT" -v count=8000 -f "$BENCH_DIR/seed-conversations.sql"
    PSQL $DB_C -v tenant="$TENANT" -f "$BENCH_DIR/ids.sql" > "$RESULTS/concurrency-ids.txt"
    wrk -t2 -c2000 -d60s --timeout 30s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$KEY" "$RESULTS/concurrency-ids.txt" 2 \
      | tee "$RESULTS/concurrency-$threads.txt"
    PSQL $DB_C -c "SELECT reason, left(reason_detail, 50) AS detail, count(*) AS handoffs FROM handoffs GROUP BY 1, 2" \
      | tee -a "$RESULTS/concurrency-$threads.txt"
    stop_service
  done
fi
