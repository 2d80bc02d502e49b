package io.colloquy.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.colloquy.support.ServiceTestBase;

/**
 * Reads the migrated schema from PostgreSQL's catalog: every tenant-owned table (every table but the
 * reference tables) has {@code tenant_id}, its primary key and its other indexes start with it, and its
 * unique keys and its foreign keys to other tenant-owned tables include it. That is what distributing
 * by {@code tenant_id} (Citus) requires; a new table or key that breaks it fails here.
 */
class SchemaKeysTest extends ServiceTestBase {

    /** Indexes that serve the named cross-tenant scans and so do not start with tenant_id. */
    private static final Set<String> CROSS_TENANT_INDEXES = Set.of(
            "async_jobs_runnable", "async_jobs_leases", "async_jobs_webhooks", "handoffs_leases",
            "conversations_turn_leases", "budget_holds_expiry");

    @Test
    void everyTenantOwnedTableIsKeyedByTenant() {
        assertThat(tenantOwnedTables("public")).contains("conversations", "messages", "conversation_memory",
                "handoffs", "async_jobs", "usage_ledger", "cost_anomalies", "idempotency_keys", "usage_daily");
        assertThat(keyProblems("public")).isEmpty();
    }

    /** The same check on a schema made for the purpose sees each kind of mistake. */
    @Test
    void keysWithoutTheTenantAreSeen() {
        jdbc.sql("DROP SCHEMA IF EXISTS keys_probe CASCADE").update();
        jdbc.sql("""
                CREATE SCHEMA keys_probe;
                CREATE TABLE keys_probe.parent (tenant_id uuid, id uuid, code text UNIQUE, PRIMARY KEY (tenant_id, id));
                CREATE TABLE keys_probe.child (id uuid PRIMARY KEY, tenant_id uuid, parent_id uuid,
                    FOREIGN KEY (tenant_id, parent_id) REFERENCES keys_probe.parent (tenant_id, id));
                CREATE TABLE keys_probe.orphan (tenant_id uuid, id uuid, parent_id uuid, PRIMARY KEY (tenant_id, id));
                CREATE UNIQUE INDEX orphan_parent ON keys_probe.orphan (parent_id);
                CREATE INDEX orphan_by_parent ON keys_probe.orphan (parent_id, tenant_id);
                CREATE TABLE keys_probe.loose (id uuid PRIMARY KEY);
                ALTER TABLE keys_probe.orphan ADD CONSTRAINT orphan_fk FOREIGN KEY (parent_id) REFERENCES keys_probe.child (id);
                """).update();
        try {
            assertThat(keyProblems("keys_probe")).containsExactlyInAnyOrder(
                    "child primary key [id] does not start with tenant_id",
                    "loose has no tenant_id column (or belongs in TenantTables.REFERENCE_TABLES)",
                    "unique index parent_code_key on parent[code] lacks tenant_id",
                    "index parent_code_key on parent[code] does not start with tenant_id",
                    "unique index child_pkey on child[id] lacks tenant_id",
                    "unique index orphan_parent on orphan[parent_id] lacks tenant_id",
                    "index orphan_parent on orphan[parent_id] does not start with tenant_id",
                    "index orphan_by_parent on orphan[parent_id, tenant_id] does not start with tenant_id",
                    "foreign key orphan_fk from orphan to child lacks tenant_id");
        } finally {
            jdbc.sql("DROP SCHEMA keys_probe CASCADE").update();
        }
    }

    private List<String> keyProblems(String schema) {
        List<String> problems = new ArrayList<>();
        List<String> tables = tenantOwnedTables(schema);
        for (String table : tables) {
            if (!hasTenantColumn(schema, table)) {
                problems.add(table + " has no tenant_id column (or belongs in TenantTables.REFERENCE_TABLES)");
            }
        }
        for (Map<String, Object> index : jdbc.sql("""
                        SELECT c.relname AS tbl, ic.relname AS idx, i.indisunique AS uniq, i.indisprimary AS pk,
                               array_to_string(array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
                                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o), ',') AS cols
                        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
                        WHERE c.relnamespace = CAST(:schema AS regnamespace)""")
                .param("schema", schema).query().listOfRows()) {
            String table = (String) index.get("tbl");
            if (!tables.contains(table) || !hasTenantColumn(schema, table)) {
                continue;
            }
            List<String> cols = List.of(((String) index.get("cols")).split(","));
            if ((Boolean) index.get("pk")) {
                if (!cols.getFirst().equals("tenant_id")) {
                    problems.add(table + " primary key " + cols + " does not start with tenant_id");
                }
                if (!cols.contains("tenant_id")) {
                    problems.add("unique index " + index.get("idx") + " on " + table + cols + " lacks tenant_id");
                }
                continue;
            }
            if ((Boolean) index.get("uniq") && !cols.contains("tenant_id")) {
                problems.add("unique index " + index.get("idx") + " on " + table + cols + " lacks tenant_id");
            }
            if (!cols.getFirst().equals("tenant_id") && !CROSS_TENANT_INDEXES.contains((String) index.get("idx"))) {
                problems.add("index " + index.get("idx") + " on " + table + cols + " does not start with tenant_id");
            }
        }
        for (Map<String, Object> fk : jdbc.sql("""
                        SELECT c.conname AS name, cr.relname AS tbl, fr.relname AS ref,
                               array_to_string(array(SELECT a.attname FROM unnest(c.conkey) k
                                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k), ',') AS cols
                        FROM pg_constraint c JOIN pg_class cr ON cr.oid = c.conrelid JOIN pg_class fr ON fr.oid = c.confrelid
                        WHERE c.contype = 'f' AND c.connamespace = CAST(:schema AS regnamespace)""")
                .param("schema", schema).query().listOfRows()) {
            if (tables.contains((String) fk.get("tbl")) && tables.contains((String) fk.get("ref"))
                    && !List.of(((String) fk.get("cols")).split(",")).contains("tenant_id")) {
                problems.add("foreign key " + fk.get("name") + " from " + fk.get("tbl") + " to " + fk.get("ref")
                        + " lacks tenant_id");
            }
        }
        return problems;
    }

    /** Tables and partitioned tables (partitions are checked through their parent's keys, which they share). */
    private List<String> tenantOwnedTables(String schema) {
        return jdbc.sql("""
                        SELECT relname FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace)
                        AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname""")
                .param("schema", schema).query(String.class).list().stream()
                .filter(t -> !TenantTables.REFERENCE_TABLES.contains(t))
                .toList();
    }

    private boolean hasTenantColumn(String schema, String table) {
        return jdbc.sql("""
                        SELECT count(*) FROM information_schema.columns
                        WHERE table_schema = :schema AND table_name = :t AND column_name = 'tenant_id'""")
                .param("schema", schema).param("t", table).query(Long.class).single() == 1;
    }
}
