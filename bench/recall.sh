#!/usr/bin/env bash
# Recall over long everyday conversations (issue 12) at a 2,000-token budget, against a sliding window
# of the same budget, with a useless and with the simulated summarizer; prompt tokens per turn; the time
# recall adds to a turn at 1,000+ archived messages; the archive's write cost against indexing every
# message on insert.
#   bench/recall.sh [seeds, default 7,11,23]
source "$(dirname "$0")/lib.sh"
prepare_local_database colloquy_bench_recall yes
echo "== machine: $(machine)"
cd "$ROOT"
./mvnw -q -B test -Dtest=RecallBenchmark -Dtest.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Drecall.seeds="${1:-7,11,23}"
cat "$RESULTS/recall.txt"
