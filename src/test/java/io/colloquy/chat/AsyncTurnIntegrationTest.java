package io.colloquy.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.colloquy.ColloquyApplication;
import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.Fixtures;
import io.colloquy.support.OpenAiIntegrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * Async turns: the durable queue, retries through an outage, exactly-once completion, several instances
 * on one database, a worker that died mid-run, dead jobs and signed webhooks.
 */
class AsyncTurnIntegrationTest extends OpenAiIntegrationTestBase {

    @Autowired
    DataSource dataSource;

    ConfigurableApplicationContext secondInstance;

    @AfterEach
    void stopSecondInstance() {
        if (secondInstance != null) {
            secondInstance.close();
        }
        circuitBreakers.circuitBreaker(PRIMARY_CIRCUIT).reset();
    }

    @Test
    void anAsyncTurnIsAcceptedAndItsReplyArrivesInTheTranscriptAndTheJob() {
        stubAnswer();
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var accepted = enqueue(tenant, conversation, "Where is order A-12345?");
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.header("Location")).isEqualTo("/api/v1/jobs/" + accepted.body().get("id").asString());
        JsonNode job = awaitJob(tenant, accepted.body().get("id").asString(), "DONE");

        assertThat(job.get("reply").get("content").asString()).isEqualTo("On its way.");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        var transcript = http.get("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey()).body();
        assertThat(transcript.get("messages")).hasSize(2);
        assertThat(http.get("/api/v1/jobs/" + job.get("id").asString(), fixtures.tenant().chatKey()).status())
                .as("another tenant's job").isEqualTo(404);
    }

    @Test
    void anIdempotencyKeyQueuesOneJob() {
        stubAnswer();
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String path = "/api/v1/conversations/" + conversation + "/messages:async";
        Map<String, String> key = Map.of("Idempotency-Key", "async-1");

        var first = http.post(path, tenant.chatKey(), Map.of("content", "Cancel order C-1"), key);
        var again = http.post(path, tenant.chatKey(), Map.of("content", "Cancel order C-1"), key);
        var other = http.post(path, tenant.chatKey(), Map.of("content", "Something else"), key);

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.body().get("id").asString()).isEqualTo(first.body().get("id").asString());
        assertThat(other.status()).isEqualTo(422);
        awaitJob(tenant, first.body().get("id").asString(), "DONE");
        assertThat(countJobs(tenant.id(), "DONE")).isEqualTo(1);
    }

    @Test
    void jobsQueuedDuringAnOutageAllCompleteExactlyOnceAfterRecovery() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(500)));
        var tenant = fixtures.tenant();
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            UUID conversation = fixtures.conversation(tenant);
            var accepted = enqueue(tenant, conversation, "Question " + i + " about my delivery");
            assertThat(accepted.status()).isEqualTo(202);
            jobs.add(accepted.body().get("id").asString());
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                circuitBreakers.circuitBreaker(PRIMARY_CIRCUIT).getState().name().equals("OPEN"));
        assertThat(countJobs(tenant.id(), "DONE")).isZero();

        stubAnswer();
        // the outage is over: the circuit may try again now (in this context it would stay open for 60 s)
        circuitBreakers.getAllCircuitBreakers().stream()
                .filter(c -> c.getState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN)
                .forEach(io.github.resilience4j.circuitbreaker.CircuitBreaker::transitionToHalfOpenState);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> countJobs(tenant.id(), "DONE") == 200);
        assertThat(countJobs(tenant.id(), "DEAD")).isZero();
        assertExactlyOneReplyPerJob(tenant.id(), 200);
        int maxAttempts = jdbc.sql("SELECT max(attempts) FROM async_jobs WHERE tenant_id = :t").param("t", tenant.id())
                .query(Integer.class).single();
        assertThat(maxAttempts).as("waiting out the open circuit spends no attempts").isLessThanOrEqualTo(4);
    }

    @Test
    void twoInstancesShareTheJobTableWithoutDuplicateWork() {
        stubAnswer(50);
        HikariDataSource db = unwrap(dataSource);
        // command-line arguments outrank application.yml, as they would for a real second instance
        secondInstance = new SpringApplicationBuilder(ColloquyApplication.class)
                .profiles("test", "fake-openai")
                .run("--server.port=0",
                        "--spring.datasource.url=" + db.getJdbcUrl(),
                        "--spring.datasource.username=" + db.getUsername(),
                        "--spring.datasource.password=" + (db.getPassword() == null ? "" : db.getPassword()),
                        "--spring.ai.openai.base-url=" + FakeOpenAi.baseUrl());
        var tenant = fixtures.tenant();
        for (int i = 0; i < 100; i++) {
            UUID conversation = fixtures.conversation(tenant);
            assertThat(enqueue(tenant, conversation, "Hello " + i).status()).isEqualTo(202);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> countJobs(tenant.id(), "DONE") == 100);
        assertExactlyOneReplyPerJob(tenant.id(), 100);
        long workers = jdbc.sql("SELECT count(DISTINCT locked_by) FROM async_jobs WHERE tenant_id = :t")
                .param("t", tenant.id()).query(Long.class).single();
        assertThat(workers).as("both instances took jobs").isEqualTo(2);
    }

    @Test
    void aJobWhoseWorkerDiedMidRunIsTakenAgainAndCompletedOnce() {
        stubAnswer();
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        // what a worker killed mid-run leaves behind: the customer's message, and its job RUNNING under a lease
        // that nobody will renew
        jdbc.sql("""
                        INSERT INTO messages (conversation_id, seq, tenant_id, role, content, created_at)
                        VALUES (:c, 1, :t, 'CUSTOMER', 'Is my refund through?', now())""")
                .param("c", conversation).param("t", tenant.id()).update();
        jdbc.sql("UPDATE conversations SET last_seq = 1 WHERE id = :c").param("c", conversation).update();
        UUID job = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO async_jobs (id, tenant_id, conversation_id, customer_seq, status, attempts, next_run_at,
                            lease_token, lease_until, locked_by, created_at, updated_at)
                        VALUES (:id, :t, :c, 1, 'RUNNING', 1, now(), gen_random_uuid(), now() - interval '1 second',
                            'worker-killed', now(), now())""")
                .param("id", job).param("t", tenant.id()).param("c", conversation).update();

        JsonNode done = awaitJob(tenant, job.toString(), "DONE");

        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        assertThat(done.get("reply").get("content").asString()).isEqualTo("On its way.");
        assertExactlyOneReplyPerJob(tenant.id(), 1);
    }

    @Test
    void aJobThatKeepsFailingIsDeadAndTheCustomerIsHandedOff() {
        circuitBreakers.circuitBreaker(PRIMARY_CIRCUIT).transitionToDisabledState();
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(503)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var accepted = enqueue(tenant, conversation, "Please cancel order Z-1");
        JsonNode dead = awaitJob(tenant, accepted.body().get("id").asString(), "DEAD");

        assertThat(dead.get("attempts").asInt()).isEqualTo(4);
        assertThat(dead.get("lastError").asString()).contains("UPSTREAM_ERROR");
        assertThat(dead.get("handoff").get("reason").asString()).isEqualTo("LLM_UNAVAILABLE");
        assertThat(http.get("/api/v1/conversations/" + conversation, tenant.chatKey()).body().get("status").asString())
                .isEqualTo("AWAITING_AGENT");
        long failedCalls = jdbc.sql("SELECT count(*) FROM usage_ledger WHERE tenant_id = :t AND outcome = 'SERVER_ERROR'")
                .param("t", tenant.id()).query(Long.class).single();
        assertThat(failedCalls).as("every attempt that reached the provider is in the ledger").isEqualTo(12);
    }

    @Test
    void aCompletedJobCallsTheTenantsWebhookWithAnHmacSignature() throws Exception {
        stubAnswer();
        String secret = "whsec-0123456789abcdef";
        FakeOpenAi.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/hooks/acme"))
                .willReturn(aResponse().withStatus(204)));
        var tenant = fixtures.tenant(Map.of("webhookUrl", "http://127.0.0.1:" + FakeOpenAi.server().port() + "/hooks/acme",
                "webhookSecret", secret));
        UUID conversation = fixtures.conversation(tenant);
        String jobId = enqueue(tenant, conversation, "Where is order A-12345?").body().get("id").asString();

        await().atMost(Duration.ofSeconds(20)).until(() ->
                !FakeOpenAi.server().findAll(postRequestedFor(urlEqualTo("/hooks/acme"))).isEmpty());
        var delivery = FakeOpenAi.server().findAll(postRequestedFor(urlEqualTo("/hooks/acme"))).getFirst();
        String signature = delivery.getHeader("X-Colloquy-Signature");
        String t = signature.substring(2, signature.indexOf(','));
        String expected = WebhookDispatcher.sign(secret, Long.parseLong(t), delivery.getBodyAsString());
        assertThat(signature).isEqualTo("t=" + t + ",v1=" + expected);
        assertThat(delivery.getHeader("X-Colloquy-Event-Id")).isEqualTo(jobId);
        JsonNode payload = FakeOpenAi.body(delivery);
        assertThat(payload.get("event").asString()).isEqualTo("turn.completed");
        assertThat(payload.get("reply").get("content").asString()).isEqualTo("On its way.");
        await().atMost(Duration.ofSeconds(5)).until(() -> "DELIVERED".equals(jdbc.sql(
                "SELECT webhook_state FROM async_jobs WHERE id = :id").param("id", UUID.fromString(jobId))
                .query(String.class).single()));
    }

    // ---- helpers

    private static HikariDataSource unwrap(DataSource dataSource) {
        try {
            return dataSource.unwrap(HikariDataSource.class);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void stubAnswer() {
        stubAnswer(0);
    }

    private void stubAnswer(int delayMillis) {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("On its way.")).withFixedDelay(delayMillis)));
    }

    private io.colloquy.support.Http.Response enqueue(Fixtures.Tenant tenant, UUID conversation, String content) {
        return http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", content));
    }

    private JsonNode awaitJob(Fixtures.Tenant tenant, String jobId, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                status.equals(http.get("/api/v1/jobs/" + jobId, tenant.chatKey()).body().get("status").asString()));
        return http.get("/api/v1/jobs/" + jobId, tenant.chatKey()).body();
    }

    private long countJobs(UUID tenant, String status) {
        return jdbc.sql("SELECT count(*) FROM async_jobs WHERE tenant_id = :t AND status = :s")
                .param("t", tenant).param("s", status).query(Long.class).single();
    }

    /** Each job's customer message has exactly one assistant reply, and it is the one the job points to. */
    private void assertExactlyOneReplyPerJob(UUID tenant, int jobs) {
        var rows = jdbc.sql("""
                        SELECT j.id, j.reply_seq, count(m.seq) AS replies
                        FROM async_jobs j
                        LEFT JOIN messages m ON m.conversation_id = j.conversation_id AND m.in_reply_to = j.customer_seq
                            AND m.role = 'ASSISTANT'
                        WHERE j.tenant_id = :t GROUP BY j.id, j.reply_seq""")
                .param("t", tenant).query().listOfRows();
        assertThat(rows).hasSize(jobs);
        assertThat(rows).allSatisfy(r -> {
            assertThat(((Number) r.get("replies")).intValue()).isEqualTo(1);
            assertThat(r.get("reply_seq")).isNotNull();
        });
        long ledger = jdbc.sql("SELECT count(*) FROM usage_ledger WHERE tenant_id = :t AND outcome = 'SUCCESS'")
                .param("t", tenant).query(Long.class).single();
        assertThat(ledger).as("one successful model call per job").isEqualTo(jobs);
    }
}
