#!/usr/bin/env python3
"""Inclusive share of CPU samples per method, from JFR recordings: for every execution sample, each
distinct method on its stack counts once. Prints the Colloquy methods and the library steps worth naming
(transactions, Hibernate's flush, JSON, JDBC, the OpenAI client, tracing) that most samples pass
through; with two recordings, side by side.
  profile_top.py <recording.jfr> [<other recording.jfr> ...] [--rows N]"""
import argparse, collections, os, re, subprocess

parser = argparse.ArgumentParser()
parser.add_argument("recordings", nargs="+")
parser.add_argument("--rows", type=int, default=30)
options = parser.parse_args()
args, rows = options.recordings, options.rows
JFR = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if os.environ.get("JAVA_HOME") else "jfr"
LIBRARY = {  # a step worth naming: a frame prefix
    "transaction begin": "org.springframework.transaction.support.AbstractPlatformTransactionManager.getTransaction",
    "transaction commit": "org.springframework.transaction.support.AbstractPlatformTransactionManager.commit",
    "Hibernate flush": "org.hibernate.event.internal.AbstractFlushingEventListener.flushEverythingToExecutions",
    "Spring Data JPA repository": "org.springframework.data.jpa.repository.support.SimpleJpaRepository",
    "Spring Data query method": "org.springframework.data.repository.core.support.QueryExecutorMethodInterceptor",
    "JPQL query creation": "org.hibernate.internal.AbstractSharedSessionContract.createQuery",
    "JSON columns (Hibernate's Jackson mapper)": "org.hibernate.type.format.jackson",
    "JdbcClient statements": "org.springframework.jdbc.core.simple.DefaultJdbcClient",
    "PostgreSQL JDBC driver": "org.postgresql.",
    "Hikari connection checkout": "com.zaxxer.hikari.HikariDataSource.getConnection",
    "OpenAI SDK": "com.openai.",
    "token counting (jtokkit)": "com.knuddels.jtokkit",
    "tracing and observations": "io.micrometer.observation.Observation.observe",
    "HTTP JSON (Jackson message converters)": "org.springframework.http.converter",
    "Tomcat": "org.apache.coyote.",
}


def profile(jfr):
    out = subprocess.run([JFR, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "400", jfr],
                         capture_output=True, text=True, check=True).stdout
    samples, inclusive = 0, collections.Counter()
    for event in out.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
        if not frames:
            continue
        samples += 1
        seen = set()
        for f in frames:
            if f.startswith("io.colloquy.") and "$$" not in f and "lambda$" not in f and "$Proxy" not in f:
                seen.add(f.replace("io.colloquy.", ""))
            for label, prefix in LIBRARY.items():
                if f.startswith(prefix):
                    seen.add("[" + label + "]")
        inclusive.update(seen)
    return samples, inclusive


results = [profile(a) for a in args]
names = collections.Counter()
for samples, inc in results:
    for k, v in inc.items():
        names[k] += v / samples
print("| step | " + " | ".join(os.path.basename(a) for a in args) + " |")
print("| --- |" + " ---: |" * len(args))
print("| samples | " + " | ".join(str(s) for s, _ in results) + " |")
for name, _ in names.most_common(rows):
    print("| %s | %s |" % (name, " | ".join("%.1f %%" % (100.0 * inc[name] / s) for s, inc in results)))
