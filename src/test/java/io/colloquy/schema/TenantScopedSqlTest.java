package io.colloquy.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import io.colloquy.support.ServiceTestBase;
import io.colloquy.support.SqlRecorder;

/**
 * Every statement the service sent during the whole test run (recorded by {@link SqlRecorder}) that
 * touches a tenant-owned table names its tenant, except the named cross-tenant scans. Runs last, so it
 * sees what every other test made the service do; it drives the main flows itself too, so it also
 * means something when run alone.
 */
@Order(Integer.MAX_VALUE)
class TenantScopedSqlTest extends ServiceTestBase {

    @Test
    void everyStatementOnATenantOwnedTableNamesItsTenant() {
        driveTheMainFlows();
        Set<String> tenantTables = Set.copyOf(jdbc.sql("""
                        SELECT DISTINCT table_name FROM information_schema.columns
                        WHERE table_schema = 'public' AND column_name = 'tenant_id'""")
                .query(String.class).list().stream().filter(t -> !TenantTables.REFERENCE_TABLES.contains(t)).toList());
        Map<String, String> statements = SqlRecorder.statements();
        assertThat(statements.keySet()).as("the recorder saw the service's statements")
                .anyMatch(s -> s.contains("messages")).anyMatch(s -> s.contains("usage_ledger"))
                .anyMatch(s -> s.contains("handoffs")).anyMatch(s -> s.contains("conversation_memory"));
        Map<String, String> problems = new TreeMap<>();
        statements.forEach((sql, caller) -> {
            String problem = TenantTables.problem(sql, tenantTables);
            if (problem != null) {
                problems.put(caller + ": " + problem, sql);
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void theCheckRecognisesUnscopedStatements() {
        Set<String> tables = Set.of("messages", "async_jobs");
        assertThat(TenantTables.problem("select * from messages m where m.conversation_id = ?", tables)).isNotNull();
        assertThat(TenantTables.problem("update async_jobs set status = 'DONE' where id = ?", tables)).isNotNull();
        assertThat(TenantTables.problem("insert into messages (conversation_id, seq) values (?, ?)", tables)).isNotNull();
        assertThat(TenantTables.problem("/* cross-tenant: anything */ select * from async_jobs", tables)).isNotNull();
        assertThat(TenantTables.problem("select * from messages m1_0 where m1_0.tenant_id=? and m1_0.seq=?", tables))
                .isNull();
        assertThat(TenantTables.problem("/* cross-tenant: job-queue */ update async_jobs set x = 1", tables)).isNull();
        assertThat(TenantTables.problem("select 1 from tenants where id = ?", tables)).isNull();
    }

    private void driveTheMainFlows() {
        var tenant = fixtures.tenant(Map.of("monthlyBudgetUsd", "100"));
        UUID conversation = fixtures.conversation(tenant);
        fixtures.say(tenant, conversation, "Hi, my order A-12345 has not arrived, my email is ann@example.com");
        fixtures.say(tenant, conversation, "I want to talk to a person please");
        var queue = http.get("/api/v1/handoffs", tenant.agentKey()).body().get("handoffs");
        String handoff = queue.get(0).get("id").asString();
        http.post("/api/v1/handoffs/" + handoff + "/claim", tenant.agentKey(), Map.of("agentName", "Ada"));
        http.post("/api/v1/handoffs/" + handoff + "/messages", tenant.agentKey(), Map.of("content", "Hello, Ada here"));
        http.post("/api/v1/handoffs/" + handoff + "/resolve", tenant.agentKey(), Map.of("returnToBot", true));
        http.get("/api/v1/conversations/" + conversation + "/memory", tenant.agentKey());
        http.get("/api/v1/conversations/" + conversation + "/messages?after=0", tenant.chatKey());
        http.get("/api/v1/conversations/" + conversation + "/costs", tenant.financeKey());
        http.get("/api/v1/costs/monthly/" + tenant.id(), tenant.financeKey());
    }
}
