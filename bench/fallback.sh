#!/usr/bin/env bash
# Fallback before handoff, measured: synchronous turn latency (JSON) when the primary upstream hangs
# (never sends a byte) and the fallback answers, and when the primary's circuit is already open (turns
# go straight to the fallback); next to them, the fallback alone as the only upstream.
#   bench/fallback.sh [hanging-samples=40] [samples=300]
source "$(dirname "$0")/lib.sh"
HANG_N="${1:-40}"
N="${2:-300}"
HANG_PORT=18092; FALLBACK_PORT=18093
echo "== machine: $(machine)"
python3 "$BENCH_DIR/hanging_upstream.py" $HANG_PORT > /dev/null 2>&1 &
HANG_PID=$!
python3 "$BENCH_DIR/fake_stream_upstream.py" --port $FALLBACK_PORT --ttfb-ms 100 --chunk-ms 1 --chunk-chars 16 \
  > /dev/null 2>&1 &
FALLBACK_PID=$!
cleanup() { kill $HANG_PID $FALLBACK_PID 2>/dev/null; stop_service; }
trap cleanup EXIT
UPSTREAMS=(-Dcolloquy.llm.provider=openai
  -Dcolloquy.llm.upstreams.primary.base-url=http://127.0.0.1:$HANG_PORT/v1 -Dcolloquy.llm.upstreams.primary.api-key=bench
  -Dcolloquy.llm.upstreams.primary.provider=openai -Dcolloquy.llm.upstreams.primary.first-byte-timeout=2s
  -Dcolloquy.llm.upstreams.fallback.base-url=http://127.0.0.1:$FALLBACK_PORT/v1 -Dcolloquy.llm.upstreams.fallback.api-key=bench
  -Dcolloquy.llm.upstreams.fallback.provider=openai)

run() { # <database> <label> <samples> <route> [extra java args...]
  local db="$1" label="$2" n="$3" route="$4"; shift 4
  start_service "$db" "${UPSTREAMS[@]}" "-Dcolloquy.llm.route=$route" "$@"

  TENANT=$(create_tenant); KEY=$(create_key "$TENANT" CHAT)
  create_conversations "$KEY" 60 "$RESULTS/fallback-ids.txt"
  python3 "$BENCH_DIR/turn_latency.py" "$BASE" "$KEY" "$RESULTS/fallback-ids.txt" 10 warm-up > /dev/null
  python3 "$BENCH_DIR/turn_latency.py" "$BASE" "$KEY" "$RESULTS/fallback-ids.txt" "$n" "$label" \
    | tee -a "$RESULTS/fallback.txt"
  stop_service
}
: > "$RESULTS/fallback.txt"
# (Resilience4j caps the minimum number of calls at the sliding window's size: both are raised)
echo "== primary hangs (first-byte limit 2 s), fallback answers; the primary's circuit kept closed for this run"
run colloquy_bench_fallback_a "primary hangs, fallback answers" "$HANG_N" "primary:gpt-4o-mini,fallback:gpt-4o-mini" \
  -Dresilience4j.circuitbreaker.configs.llm.minimum-number-of-calls=100000 \
  -Dresilience4j.circuitbreaker.configs.llm.sliding-window-size=100000
echo "== the primary's circuit open: straight to the fallback (the warm-up's first turns open it)"
run colloquy_bench_fallback_b "primary circuit open, straight to the fallback" "$N" \
  "primary:gpt-4o-mini,fallback:gpt-4o-mini" -Dresilience4j.circuitbreaker.configs.llm.wait-duration-in-open-state=1h
echo "== comparison: the fallback as the only upstream"
run colloquy_bench_fallback_c "fallback alone (comparison)" "$N" "fallback:gpt-4o-mini"
