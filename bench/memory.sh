#!/usr/bin/env bash
# The 300-turn conversation at the default token budget against a naive full-history gateway:
# prompt tokens per turn, total tokens billed, planted-fact recall, and memory assembly time.
#   bench/memory.sh
source "$(dirname "$0")/lib.sh"
prepare_local_database colloquy_bench_memory yes
echo "== machine: $(machine)"
cd "$ROOT"
./mvnw -q -B test -Dtest=MemoryBenchmark -Dtest.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false
cat "$RESULTS/memory.txt"
