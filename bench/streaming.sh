#!/usr/bin/env bash
# Live delivery, measured side by side on one machine:
#  1. time to the first reply delta of a streamed turn through Colloquy (OpenAI provider), against the
#     fake streaming upstream's own time to its first chunk carrying reply text (the overhead);
#  2. with 2,000 conversation event streams open: latency from an agent's reply to the event on the
#     widget's stream, and the service's heap per open stream.
#   bench/streaming.sh [turns=300] [streams=2000] [samples=300]   (PARTS="1 2" by default)
source "$(dirname "$0")/lib.sh"
PARTS="${PARTS:-1 2}"
TURNS="${1:-300}"
STREAMS="${2:-2000}"
SAMPLES="${3:-300}"
ulimit -n 200000 2>/dev/null || ulimit -n 65536 2>/dev/null || true
UP_PORT=18091
echo "== machine: $(machine)"

python3 "$BENCH_DIR/fake_stream_upstream.py" --port $UP_PORT --ttfb-ms 150 --chunk-ms 15 --chunk-chars 8 \
  > "$RESULTS/fake-upstream.log" 2>&1 &
UP_PID=$!
trap 'kill $UP_PID 2>/dev/null; stop_service' EXIT

start_service colloquy_bench_streaming -Dcolloquy.llm.provider=openai -Dspring.ai.openai.api-key=bench \
  -Dspring.ai.openai.base-url=http://127.0.0.1:$UP_PORT/v1 -Dcolloquy.events.max-streams-per-tenant=100000

if [[ " $PARTS " == *" 1 "* ]]; then
echo "== 1. time to first delta ($TURNS streamed turns, one at a time; upstream: 150 ms to its first byte, then 8 characters every 15 ms)"
TENANT=$(create_tenant); KEY=$(create_key "$TENANT" CHAT)
create_conversations "$KEY" 50 "$RESULTS/stream-conversations.txt"
# warm-up, then the measured run
python3 "$BENCH_DIR/stream_probe.py" ttfd "$BASE" "$KEY" "$RESULTS/stream-conversations.txt" 30 "http://127.0.0.1:$UP_PORT" > /dev/null
python3 "$BENCH_DIR/stream_probe.py" ttfd "$BASE" "$KEY" "$RESULTS/stream-conversations.txt" "$TURNS" \
  "http://127.0.0.1:$UP_PORT" | tee "$RESULTS/streaming-ttfd.txt"

fi

if [[ " $PARTS " == *" 2 "* ]]; then
echo "== 2. $STREAMS open conversation streams: agent reply to widget, and heap per stream"
# a tenant of its own: the seed script fills every conversation of the tenant it is given
TENANT=$(create_tenant); KEY=$(create_key "$TENANT" CHAT); AGENT=$(create_key "$TENANT" AGENT)
psql -q -h 127.0.0.1 -U colloquy -d colloquy_bench_streaming -v tenant="$TENANT" -v count="$STREAMS" \
  -f "$BENCH_DIR/seed-handoffs.sql"
psql -q -At -F ' ' -h 127.0.0.1 -U colloquy -d colloquy_bench_streaming -c \
  "SELECT h.id, h.conversation_id FROM handoffs h WHERE h.tenant_id = '$TENANT' AND h.status = 'PENDING' ORDER BY random()" \
  > "$RESULTS/stream-pairs.txt"
heap_used() {
  "$JAVA_HOME/bin/jcmd" "$SERVICE_PID" GC.run > /dev/null
  sleep 1
  "$JAVA_HOME/bin/jcmd" "$SERVICE_PID" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { print $(i+1); exit } }'
}
BEFORE=$(heap_used)
FLAG="$RESULTS/streams-measured.flag"; rm -f "$FLAG"
python3 "$BENCH_DIR/stream_probe.py" fanout "$BASE" "$KEY" "$AGENT" "$RESULTS/stream-pairs.txt" "$SAMPLES" "$FLAG" \
  > "$RESULTS/streaming-fanout.txt" 2>&1 &
PROBE=$!
for _ in $(seq 1 240); do grep -q "open conversation streams" "$RESULTS/streaming-fanout.txt" && break; sleep 0.5; done
AFTER=$(heap_used)
# what the open streams hold, largest first (for reading, not for the figures)
"$JAVA_HOME/bin/jcmd" "$SERVICE_PID" GC.class_histogram | head -n 45 > "$RESULTS/streaming-histogram.txt"
OPEN=$(curl -fs "$MANAGEMENT/actuator/metrics/colloquy.events.streams" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["measurements"][0]["value"]))')
THREADS=$(curl -fs "$MANAGEMENT/actuator/metrics/jvm.threads.live" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["measurements"][0]["value"]))')
touch "$FLAG"
wait $PROBE
cat "$RESULTS/streaming-fanout.txt"
python3 - "$BEFORE" "$AFTER" "$OPEN" "$THREADS" <<'PY' | tee -a "$RESULTS/streaming-fanout.txt"
import re, sys
def kb(v):
    m = re.match(r"(\d+)([KMG]?)", v)
    n = int(m.group(1)); return n * {"": 1/1024, "K": 1, "M": 1024, "G": 1024 * 1024}[m.group(2)]
before, after, open_, threads = kb(sys.argv[1]), kb(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print("heap after full GC: %.0f KB with no stream, %.0f KB with %d open streams: %.1f KB per stream; live platform+carrier threads: %s"
      % (before, after, open_, (after - before) / max(open_, 1), threads))
PY
fi
