#!/usr/bin/env bash
# Where a turn's CPU goes under load: the OpenAI provider against the static upstream at 32 connections,
# with async-profiler (from Maven Central) attached after the warm-up, so start-up is not in the profile.
# Prints turns/s, the CPU each process group used, and the steps' shares of the service's samples.
#   bench/profile_turn.sh <name> [warm-up seconds=120] [seconds=20]
# BENCH_JAR=<path> profiles another build; run it twice with two names and pass both collapsed files to
# bench/profile_collapsed.py to compare them side by side.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/static_upstream.sh"
NAME="$1"
WARMUP="${2:-120}"
SECONDS_RUN="${3:-20}"
require wrk wrk
require unzip unzip
OUT="$RESULTS/profile"
mkdir -p "$OUT"
AP_VERSION=4.2
AP_DIR="$RESULTS/async-profiler-$AP_VERSION"
AP="$AP_DIR/linux-x64/libasyncProfiler.so"
if [ ! -f "$AP" ]; then
  mkdir -p "$AP_DIR"
  curl -fsSL -o "$AP_DIR/ap.jar" \
    "https://repo.maven.apache.org/maven2/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION-linux-x64.jar"
  (cd "$AP_DIR" && unzip -q -o ap.jar 'linux-x64/*')
fi
# attach <options>: loads the profiler into the running service (start, then stop with a file)
attach() { "$JAVA_HOME/bin/java" "$BENCH_DIR/AttachAgent.java" "$SERVICE_PID" "$AP" "$1"; }
UP_PORT="${UP_PORT:-18091}"
start_static_upstream "$UP_PORT"
cleanup() { stop_service; stop_static_upstream; }
trap cleanup EXIT
start_service colloquy_bench_profile \
  -Dcolloquy.llm.upstreams.static.base-url="http://127.0.0.1:$UP_PORT/v1" -Dcolloquy.llm.upstreams.static.api-key=bench \
  -Dcolloquy.llm.upstreams.static.provider=openai -Dcolloquy.llm.route=static:gpt-4o-mini
trap cleanup EXIT
tenant=$(create_tenant)
key=$(create_key "$tenant" CHAT)
ids="$OUT/conversations-$NAME.txt"
warm="$OUT/conversations-$NAME-warm.txt"
# as in lean_turn.sh: the warm-up on conversations of its own, the profiled run on fresh ones
create_conversations "$key" 512 "$warm"
create_conversations "$key" 512 "$ids"
echo "== $NAME: warm-up ${WARMUP}s, then ${SECONDS_RUN}s profiled at 32 connections"
wrk -t2 -c32 -d${WARMUP}s -s "$BENCH_DIR/turns.lua" "$BASE" -- "$key" "$warm" 2 > /dev/null
sleep 2
attach "start,event=cpu,interval=5ms"
cpu_seconds > "$OUT/$NAME.cpu-before"
wrk -t2 -c32 -d${SECONDS_RUN}s --latency -s "$BENCH_DIR/turns.lua" "$BASE" -- "$key" "$ids" 2 > "$OUT/$NAME-32.txt"
cpu_seconds > "$OUT/$NAME.cpu-after"
attach "stop,collapsed,file=$OUT/$NAME.collapsed"
grep -E "Requests/sec|50%|99%|statuses" "$OUT/$NAME-32.txt"
join "$OUT/$NAME.cpu-before" "$OUT/$NAME.cpu-after" | awk -v d="$SECONDS_RUN" '{printf "%s: %.2f cores\n", $1, ($3-$2)/100/d}'
python3 "$BENCH_DIR/profile_collapsed.py" "$OUT/$NAME.collapsed"
