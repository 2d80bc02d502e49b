package io.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.colloquy.support.Fixtures;
import io.colloquy.support.ServiceTestBase;
import io.colloquy.support.StoredText;
import tools.jackson.databind.JsonNode;

/**
 * Erasure of one conversation and of every conversation of a customer, and the scheduled retention:
 * afterwards no text of the conversation is stored in any table, the conversation answers 404, and the
 * finance figures are what they were.
 */
class ErasureAndRetentionIntegrationTest extends ServiceTestBase {

    @Autowired
    RetentionPurge retention;

    @Test
    void anErasedConversationLeavesNoTextAnywhereAndTheCostsAsTheyWere() {
        var tenant = fixtures.tenant();
        String marker = marker();
        UUID conversation = conversationWithEverything(tenant, marker, "customer-" + marker);
        assertThat(StoredText.whereFound(jdbc, marker)).as("the marker is stored before the erasure")
                .contains("messages.content", "conversations.external_user_ref");
        JsonNode costsBefore = monthlyReport(tenant);
        long ledgerRowsBefore = ledgerRows(tenant);
        assertThat(ledgerRowsBefore).isPositive();

        assertThat(http.delete("/api/v1/conversations/" + conversation, tenant.chatKey()).status())
                .as("a widget's key cannot erase").isEqualTo(403);
        assertThat(http.delete("/api/v1/conversations/" + conversation, tenant.adminKey()).status()).isEqualTo(204);

        assertThat(StoredText.whereFound(jdbc, marker)).as("tables still holding the erased text").isEmpty();
        assertThat(http.get("/api/v1/conversations/" + conversation, tenant.chatKey()).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/conversations/" + conversation + "/messages", tenant.agentKey()).status()).isEqualTo(404);
        assertThat(http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "hello?")).status()).isEqualTo(404);
        assertThat(http.delete("/api/v1/conversations/" + conversation, tenant.adminKey()).status())
                .as("erased already").isEqualTo(404);
        assertThat(ledgerRows(tenant)).as("the ledger keeps its cost rows").isEqualTo(ledgerRowsBefore);
        assertThat(monthlyReport(tenant)).as("finance totals do not change").isEqualTo(costsBefore);
    }

    @Test
    void erasingACustomerErasesEveryConversationOfThatCustomerOnly() {
        var tenant = fixtures.tenant();
        var otherTenant = fixtures.tenant();
        String marker = marker();
        String customer = "customer-" + marker();
        UUID first = conversationWithEverything(tenant, marker, customer);
        UUID second = conversationWithEverything(tenant, marker, customer);
        UUID someoneElse = conversationWithEverything(tenant, marker(), "someone-else");
        UUID sameRefOtherTenant = conversationWithEverything(otherTenant, marker(), customer);

        var erased = http.delete("/api/v1/conversations?externalUserRef=" + customer, tenant.adminKey());
        assertThat(erased.status()).as(erased.text()).isEqualTo(200);
        assertThat(erased.body().get("count").asInt()).isEqualTo(2);
        assertThat(erased.body().get("conversationIds").toString()).contains(first.toString(), second.toString());

        assertThat(StoredText.whereFound(jdbc, marker)).isEmpty();
        assertThat(http.get("/api/v1/conversations/" + first, tenant.chatKey()).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/conversations/" + second, tenant.chatKey()).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/conversations/" + someoneElse, tenant.chatKey()).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/conversations/" + sameRefOtherTenant, otherTenant.chatKey()).status())
                .as("another tenant's customer with the same reference").isEqualTo(200);
        assertThat(http.delete("/api/v1/conversations", tenant.adminKey()).status())
                .as("the customer must be named").isEqualTo(400);
    }

    @Test
    void retentionErasesConversationsIdleLongerThanTheTenantKeepsThemAndIdempotencyKeysExpire() {
        var tenant = fixtures.tenant(Map.of("retentionDays", 30));
        var keepsAll = fixtures.tenant();
        UUID old = conversationWithEverything(tenant, marker(), null);
        UUID recent = conversationWithEverything(tenant, marker(), null);
        UUID oldButKept = conversationWithEverything(keepsAll, marker(), null);
        ageConversation(old, 31);
        ageConversation(oldButKept, 400);
        jdbc.sql("UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE conversation_id = :c")
                .param("c", recent).update();

        retention.purge();

        assertThat(http.get("/api/v1/conversations/" + old, tenant.chatKey()).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/conversations/" + recent, tenant.chatKey()).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/conversations/" + oldButKept, keepsAll.chatKey()).status())
                .as("a tenant without a retention period keeps its conversations").isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM idempotency_keys WHERE conversation_id = :c")
                .param("c", recent).query(Long.class).single()).as("the day-old key is forgotten").isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM idempotency_keys WHERE conversation_id = :c")
                .param("c", oldButKept).query(Long.class).single()).as("a fresh key is kept").isEqualTo(1);
    }

    // ---- helpers

    /**
     * A conversation with turns (transcript, memory, recall index, usage), an idempotency record, an open
     * handoff and a queued async job, each carrying the marker.
     */
    private UUID conversationWithEverything(Fixtures.Tenant tenant, String marker, String externalUserRef) {
        var started = http.post("/api/v1/conversations", tenant.chatKey(),
                externalUserRef == null ? Map.of("metadata", Map.of("note", marker))
                        : Map.of("externalUserRef", externalUserRef, "metadata", Map.of("note", marker)));
        assertThat(started.status()).isEqualTo(201);
        UUID conversation = UUID.fromString(started.body().get("id").asString());
        var turn = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "My order " + marker + " has not arrived."), Map.of("Idempotency-Key", "k-" + marker));
        assertThat(turn.status()).as(turn.text()).isEqualTo(200);
        fixtures.say(tenant, conversation, "It is about " + marker + " again.");
        var handoff = fixtures.say(tenant, conversation, "Let me talk to a real person about " + marker + ".");
        assertThat(handoff.get("handoff").isNull()).as("a handoff is open").isFalse();
        assertThat(http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", "Still waiting for " + marker + ".")).status()).isEqualTo(202);
        return conversation;
    }

    private void ageConversation(UUID conversation, int days) {
        jdbc.sql("UPDATE conversations SET updated_at = now() - make_interval(days => :d) WHERE id = :c")
                .param("d", days).param("c", conversation).update();
    }

    private JsonNode monthlyReport(Fixtures.Tenant tenant) {
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        var report = http.get("/api/v1/costs/monthly/" + tenant.id() + "?month=" + month, tenant.financeKey());
        assertThat(report.status()).isEqualTo(200);
        return report.body();
    }

    private long ledgerRows(Fixtures.Tenant tenant) {
        return jdbc.sql("SELECT count(*) FROM usage_ledger WHERE tenant_id = :t").param("t", tenant.id())
                .query(Long.class).single();
    }

    private static String marker() {
        return "quokka" + ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999);
    }
}
