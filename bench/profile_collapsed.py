#!/usr/bin/env python3
"""Shares of the service's CPU samples per step, from async-profiler's collapsed stacks: a sample counts
for a step when any frame of its stack matches it; with several files, side by side.
  profile_collapsed.py <profile.collapsed> [<other.collapsed> ...]"""
import collections, os, sys

STEPS = [
    ("the JIT compiler (C1/C2 threads)", "CompileBroker"),
    ("socket reads and writes (database round trips, HTTP)", "sun/nio/ch/"),
    ("Hibernate (any frame)", "org/hibernate/"),
    ("Spring Data repository calls", "org/springframework/data/repository/core/support/RepositoryMethodInvoker"),
    ("transaction commits", "AbstractPlatformTransactionManager.commit"),
    ("transaction begins", "AbstractPlatformTransactionManager.getTransaction"),
    ("the PostgreSQL JDBC driver", "org/postgresql/"),
    ("JdbcClient statements", "DefaultJdbcClient"),
    ("the OpenAI SDK", "com/openai/"),
    ("Jackson (either version)", "jackson"),
    ("context assembly (SessionMemory.prepare)", "io/colloquy/memory/SessionMemory.prepare"),
    ("the usage ledger write", "io/colloquy/usage/UsageLedger.record"),
    ("notifications", "io/colloquy/events/Notification"),
    ("garbage collection threads", "G1"),
]

results = []
for path in sys.argv[1:]:
    shares, total = collections.Counter(), 0
    for line in open(path):
        stack, _, count = line.rstrip().rpartition(" ")
        total += int(count)
        for label, frame in STEPS:
            if frame in stack:
                shares[label] += int(count)
    results.append((total, shares))
print("| step (share of the service's CPU samples) | " + " | ".join(os.path.basename(p) for p in sys.argv[1:]) + " |")
print("| --- |" + " ---: |" * len(results))
for label, _ in STEPS:
    print(f"| {label} | " + " | ".join(f"{s[label] * 100 / t:.1f} %" for t, s in results) + " |")
print("samples: " + ", ".join(str(t) for t, _ in results))
