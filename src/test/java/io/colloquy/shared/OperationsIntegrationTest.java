package io.colloquy.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.colloquy.support.ServiceTestBase;

/** What an operator relies on: health, Prometheus meters, the OpenAPI description, the console page. */
class OperationsIntegrationTest extends ServiceTestBase {

    @Test
    void healthIsUpWithTheDatabaseAndTheModelCircuitInItsDetails() {
        var health = management.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asString()).isEqualTo("UP");
        assertThat(health.body().get("components").get("db").get("status").asString()).isEqualTo("UP");
        assertThat(health.body().get("components").get("circuitBreakers").get("details").get("llm:simulated:simulated-1")
                .get("details").get("state").asString()).isEqualTo("CLOSED");
    }

    @Test
    void prometheusExportsSpendByTenantModelAndPurposeWithoutConversationIds() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        fixtures.say(tenant, conversation, "Where is my order?");

        String metrics = management.get("/actuator/prometheus", null).text();
        assertThat(metrics).contains("colloquy_llm_cost_usd_total{", "colloquy_llm_tokens_total{",
                "colloquy_llm_calls_total{", "colloquy_memory_prepare_seconds", "colloquy_usage_record_seconds");
        assertThat(metrics).contains("tenant=\"" + tenant.id() + "\"");
        assertThat(metrics).doesNotContain(conversation.toString());
    }

    @Test
    void theOpenApiDescriptionListsThePublicApi() {
        var docs = http.get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.body().get("paths").propertyNames()).contains("/api/v1/conversations",
                "/api/v1/conversations/{conversationId}/messages", "/api/v1/conversations/{conversationId}/messages:async",
                "/api/v1/handoffs/claim-next", "/api/v1/costs/monthly/{tenantId}", "/api/v1/model-prices",
                "/api/v1/tenants");
        assertThat(http.get("/swagger-ui.html", null).status()).isIn(200, 302);
    }

    /** Shared machines give PostgreSQL 100 slots for everything; one test run must leave most of them. */
    @Test
    void theTestRunHoldsFewerThanThirtyDatabaseConnections() {
        long held = jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
                .query(Long.class).single();
        assertThat(held).isLessThan(30);
    }

    @Test
    void theAgentConsoleIsServed() {
        var page = http.get("/console/index.html", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("agent console");
    }
}
