# Shared by bin/run and bin/test: picks Java 25 and, when no database is configured and Docker is not
# available, prepares the local PostgreSQL (role and database) and points Spring at it.

if [ -z "${JAVA_HOME:-}" ] || ! "${JAVA_HOME}/bin/java" -version 2>&1 | grep -qE 'version "2[5-9]'; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk; do
    if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] && ! java -version 2>&1 | grep -qE 'version "2[5-9]'; then
  echo "Colloquy needs Java 25: set JAVA_HOME to a JDK 25" >&2
  exit 1
fi

PGHOST_LOCAL="${COLLOQUY_PGHOST:-127.0.0.1}"
PGPORT_LOCAL="${COLLOQUY_PGPORT:-5432}"

# Creates role colloquy and the given database on the local PostgreSQL (as superuser postgres).
# With recreate=yes, drops the database first (tests start from an empty schema).
prepare_local_database() {
  local db="$1" recreate="${2:-no}"
  if ! command -v psql >/dev/null 2>&1; then
    echo "No database configured (SPRING_DATASOURCE_URL), no Docker, and no psql to prepare a local PostgreSQL." >&2
    return 1
  fi
  local su=(psql -v ON_ERROR_STOP=1 -q -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U "${COLLOQUY_PGSUPERUSER:-postgres}" -d postgres)
  "${su[@]}" -tc "SELECT 1 FROM pg_roles WHERE rolname = 'colloquy'" | grep -q 1 \
    || "${su[@]}" -c "CREATE ROLE colloquy LOGIN PASSWORD 'colloquy' CREATEDB"
  if [ "$recreate" = "yes" ]; then
    "${su[@]}" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  fi
  "${su[@]}" -tc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || "${su[@]}" -c "CREATE DATABASE $db OWNER colloquy"
  export SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST_LOCAL:$PGPORT_LOCAL/$db"
  export SPRING_DATASOURCE_USERNAME=colloquy
  export SPRING_DATASOURCE_PASSWORD=colloquy
}

# Drops a database made by prepare_local_database (a test run's own), closing what still uses it.
drop_local_database() {
  psql -v ON_ERROR_STOP=1 -q -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" -U "${COLLOQUY_PGSUPERUSER:-postgres}" -d postgres \
    -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true
}
