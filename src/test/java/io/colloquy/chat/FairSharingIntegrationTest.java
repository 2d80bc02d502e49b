package io.colloquy.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.Fixtures;
import io.colloquy.support.OpenAiIntegrationTestBase;

/**
 * No tenant can slow or overspend the others: the async queue serves tenants in turn, a tenant's hanging
 * webhook receiver delays only its own deliveries, a chunked body is held to the size limit, and a hard
 * budget holds for every call of a burst of async turns.
 */
class FairSharingIntegrationTest extends OpenAiIntegrationTestBase {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aTenantsBacklogDoesNotStarveAnotherTenantsJob() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Done.")).withFixedDelay(1000)));
        var busy = fixtures.tenant();
        var quiet = fixtures.tenant();
        List<UUID> conversations = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            conversations.add(fixtures.conversation(busy));
        }
        UUID quietConversation = fixtures.conversation(quiet);
        for (int i = 0; i < 80; i++) {
            enqueue(busy, conversations.get(i), "Backlog item " + i);
        }
        long waitingBefore = 80 - countJobs(busy.id(), "DONE");
        String quietJob = enqueue(quiet, quietConversation, "Just one question").body().get("id").asString();

        await().atMost(WAIT).until(() -> "DONE".equals(jobStatus(quiet, quietJob)));
        // in arrival order the quiet tenant's job would start after every busy job still queued when it came;
        // served in turn, it starts after at most the few busy jobs that were taken at that moment
        long busyStartedFirst = jdbc.sql("""
                        SELECT count(*) FROM async_jobs b WHERE b.tenant_id = :busy
                        AND b.started_at > (SELECT created_at FROM async_jobs WHERE tenant_id = :quiet AND id = :job)
                        AND b.started_at < (SELECT started_at FROM async_jobs WHERE tenant_id = :quiet AND id = :job)""")
                .param("busy", busy.id()).param("quiet", quiet.id()).param("job", UUID.fromString(quietJob))
                .query(Long.class).single();
        assertThat(waitingBefore).as("the backlog was still there when the quiet tenant came").isGreaterThan(30);
        assertThat(busyStartedFirst).as("busy jobs taken between the quiet job's arrival and its own (of %d waiting): %s; %s",
                waitingBefore, jdbc.sql("SELECT created_at, started_at, attempts, last_error FROM async_jobs WHERE tenant_id = :t")
                        .param("t", quiet.id()).query().listOfRows(),
                jdbc.sql("SELECT max(attempts) AS a, min(started_at) AS s, max(started_at) AS e FROM async_jobs WHERE tenant_id = :t")
                        .param("t", busy.id()).query().listOfRows()).isLessThan(9);
        await().atMost(WAIT).until(() -> countJobs(busy.id(), "DONE") == 80);
    }

    @Test
    void aHangingWebhookReceiverDelaysOnlyItsOwnTenant() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(FakeOpenAi.answer(FakeOpenAi.confident("Done."))));
        FakeOpenAi.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/hooks/hanging"))
                .willReturn(aResponse().withStatus(204).withFixedDelay(30_000)));
        FakeOpenAi.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/hooks/fine"))
                .willReturn(aResponse().withStatus(204)));
        String base = "http://127.0.0.1:" + FakeOpenAi.server().port();
        var hanging = fixtures.tenant(Map.of("webhookUrl", base + "/hooks/hanging", "webhookSecret", "whsec-0123456789abcdef"));
        var fine = fixtures.tenant(Map.of("webhookUrl", base + "/hooks/fine", "webhookSecret", "whsec-fedcba9876543210"));
        for (int i = 0; i < 6; i++) {
            enqueue(hanging, fixtures.conversation(hanging), "Hello " + i);
        }
        await().atMost(WAIT).until(() -> FakeOpenAi.server().findAll(postRequestedFor(urlEqualTo("/hooks/hanging"))).size() >= 2);
        String job = enqueue(fine, fixtures.conversation(fine), "Hello").body().get("id").asString();

        await().atMost(WAIT).until(() -> "DELIVERED".equals(jdbc.sql(
                "SELECT coalesce(webhook_state, '') FROM async_jobs WHERE tenant_id = :t AND id = :id").param("t", fine.id())
                .param("id", UUID.fromString(job)).query(String.class).single()));
        assertThat(jdbc.sql("SELECT count(*) FROM async_jobs WHERE tenant_id = :t AND webhook_state = 'DELIVERED'")
                .param("t", hanging.id()).query(Long.class).single())
                .as("the hanging receiver's own deliveries are still waiting").isZero();
    }

    @Test
    void aChunkedBodyOverTheLimitIs413AndNothingIsStored() throws Exception {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        byte[] body = ("{\"content\":\"" + "x".repeat(200_000) + "\"}").getBytes();
        // a stream body of unknown length is sent chunked, without Content-Length
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/conversations/"
                        + conversation + "/messages"))
                .header("Authorization", "Bearer " + tenant.chatKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.body()).contains("request-too-large");
        assertThat(jdbc.sql("SELECT count(*) FROM messages WHERE tenant_id = :t").param("t", tenant.id())
                .query(Long.class).single()).isZero();
    }

    @Test
    void aHardBudgetHoldsForEveryCallOfABurstOfAsyncTurns() {
        // each call reports 300 prompt and 20 completion tokens of gpt-4o-mini: $0.000057
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Done."), 300, 0, 20)));
        BigDecimal budget = new BigDecimal("0.001");
        var tenant = fixtures.tenant(Map.of("monthlyBudgetUsd", budget.toPlainString(), "hardLimitAction", "HANDOFF"));
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            jobs.add(enqueue(tenant, fixtures.conversation(tenant), "Question " + i).body().get("id").asString());
        }
        await().atMost(WAIT).until(() -> jdbc.sql("""
                        SELECT count(*) FROM async_jobs WHERE tenant_id = :t AND status IN ('QUEUED', 'RUNNING')""")
                .param("t", tenant.id()).query(Long.class).single() == 0);

        BigDecimal spent = jdbc.sql("SELECT coalesce(sum(cost_usd), 0) FROM usage_ledger WHERE tenant_id = :t")
                .param("t", tenant.id()).query(BigDecimal.class).single();
        // the largest a call may cost: its prompt and 600 completion tokens (the output limit) at the same price
        BigDecimal oneCall = new BigDecimal("0.0004");
        assertThat(spent).as("spent %s of a %s budget", spent, budget).isLessThanOrEqualTo(budget.add(oneCall));
        assertThat(spent).isPositive();
        assertThat(jdbc.sql("SELECT count(*) FROM handoffs WHERE tenant_id = :t AND reason = 'BUDGET_EXHAUSTED'")
                .param("t", tenant.id()).query(Long.class).single()).as("the turns past the budget went to a person")
                .isPositive();
        assertThat(jdbc.sql("SELECT coalesce(sum(held_usd), 0) FROM budget_months WHERE tenant_id = :t")
                .param("t", tenant.id()).query(BigDecimal.class).single()).as("every hold settled").isZero();
    }

    private io.colloquy.support.Http.Response enqueue(Fixtures.Tenant tenant, UUID conversation, String content) {
        var response = http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", content));
        assertThat(response.status()).as(response.text()).isEqualTo(202);
        return response;
    }

    private String jobStatus(Fixtures.Tenant tenant, String job) {
        return jdbc.sql("SELECT status FROM async_jobs WHERE tenant_id = :t AND id = :id").param("t", tenant.id())
                .param("id", UUID.fromString(job)).query(String.class).single();
    }

    private long countJobs(UUID tenant, String status) {
        return jdbc.sql("SELECT count(*) FROM async_jobs WHERE tenant_id = :t AND status = :s")
                .param("t", tenant).param("s", status).query(Long.class).single();
    }
}
