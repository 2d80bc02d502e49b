package io.colloquy.schema;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which tables belong to tenants and which statements on them are scoped to one tenant. The schema is
 * meant to be distributed by {@code tenant_id}: a statement that names no tenant would have to visit
 * every node, so only the named cross-tenant scans may do that.
 */
final class TenantTables {

    /**
     * Tables that are not tenant-owned: small tables every tenant reads (replicated to every node rather
     * than distributed), and the rate limits' buckets, keyed by their own id ("t:<tenant>", "k:<key>") and
     * distributed by it.
     */
    static final Set<String> REFERENCE_TABLES = Set.of("tenants", "model_prices", "api_keys", "flyway_schema_history",
            "rate_limit_buckets");

    /** Work that spans tenants by nature, each marked in its SQL with {@code /* cross-tenant: <name> *}{@code /}. */
    static final Set<String> CROSS_TENANT_SCANS = Set.of(
            "job-queue",              // workers take due jobs of any tenant (SKIP LOCKED)
            "job-queue-meters",       // queue depth and age for Prometheus
            "webhook-queue",          // due webhook deliveries of any tenant
            "handoff-lease-expiry",   // claims whose lease ran out go back to their queue
            "handoff-queue-meters",   // queue depth and oldest wait per tenant
            "turn-recovery",          // turns whose lease ran out (their instance died) on any tenant's conversation
            "budget-hold-expiry",     // budget holds of calls that never settled (their instance died)
            "daily-rollup-fold",      // past days' roll-up shards summed into one row
            "all-tenants-report");    // finance's report over every tenant

    private static final Pattern MARKER = Pattern.compile("/\\*\\s*cross-tenant:\\s*([a-z-]+)\\s*\\*/");
    private static final Pattern TABLE = Pattern.compile("\\b(?:from|join|update|into)\\s+([a-z_][a-z0-9_]*)");
    // tenant_id = ..., tenant_id in (...), or Hibernate's key loads: (x.tenant_id, x.id) in ((?, ?)), which
    // PostgreSQL's parser turns into tenant_id = ? and id = ? (so Citus routes them like the plain form)
    private static final Pattern TENANT_CONDITION = Pattern.compile(
            "\\btenant_id\\s*(?:=|in\\b)|\\(\\s*(?:\\w+\\.)?tenant_id\\s*,[^()]*\\)\\s*(?:=|in\\b)");

    private TenantTables() {
    }

    /** Why {@code sql} is not properly scoped, or null when it is. */
    static String problem(String sql, Set<String> tenantTables) {
        String s = sql.toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ").strip();
        String body = s.replaceAll("/\\*.*?\\*/", " ").strip();
        if (!body.matches("^(select|insert|update|delete|with)\\b.*")) {
            return null;
        }
        Set<String> touched = new java.util.TreeSet<>();
        Matcher t = TABLE.matcher(body);
        while (t.find()) {
            String table = t.group(1);
            if (tenantTables.contains(table) || table.startsWith("usage_ledger_")) {
                touched.add(table);
            }
        }
        if (touched.isEmpty()) {
            return null;
        }
        Matcher marker = MARKER.matcher(s);
        if (marker.find()) {
            return CROSS_TENANT_SCANS.contains(marker.group(1)) ? null
                    : "marked as the unknown cross-tenant scan '" + marker.group(1) + "'";
        }
        if (body.startsWith("insert")) {
            return body.contains("tenant_id") ? null : "inserts into " + touched + " without tenant_id";
        }
        return TENANT_CONDITION.matcher(body).find() ? null : "reads or writes " + touched + " without a tenant condition";
    }
}
