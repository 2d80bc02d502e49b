package io.colloquy.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.ColloquyApplication;
import io.colloquy.conversation.Conversations;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.support.CuttableProxy;
import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.OpenAiIntegrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * Nothing is lost when a turn is cut off: an instance killed (SIGKILL) in the middle of a turn, and the
 * database going away under a stream of turns. The conversation takes turns again within seconds, the
 * customer's message is answered, a retry with the same Idempotency-Key gets that answer, and no message
 * is ever stored twice; a failure for a dependency answers 503 with Retry-After, never 500.
 */
class CrashSafetyIntegrationTest extends OpenAiIntegrationTestBase {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Autowired
    DataSource dataSource;

    @Autowired
    Conversations conversations;

    @Autowired
    PlatformTransactionManager transactions;

    TransactionTemplate tx;

    @org.junit.jupiter.api.BeforeEach
    void transactions() {
        tx = new TransactionTemplate(transactions);
    }

    @Test
    void aTurnCutOffByAKilledInstanceIsAnsweredAndItsRetryGetsThatAnswer() throws Exception {
        // the killed instance's model call hangs; after the kill, the model answers at once
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Too late.")).withFixedDelay(60_000)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        HikariDataSource db = dataSource.unwrap(HikariDataSource.class);
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process other = new ProcessBuilder(
                new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-cp", System.getProperty("java.class.path"), ColloquyApplication.class.getName(),
                "--spring.profiles.active=test,fake-openai", "--server.port=" + port,
                "--spring.datasource.url=" + db.getJdbcUrl(), "--spring.datasource.username=" + db.getUsername(),
                "--spring.datasource.password=" + (db.getPassword() == null ? "" : db.getPassword()),
                "--colloquy.llm.upstreams.openai.base-url=" + FakeOpenAi.baseUrl(),
                "--colloquy.llm.upstreams.openai.api-key=" + FakeOpenAi.API_KEY, "--colloquy.llm.route=openai:gpt-4o-mini",
                "--colloquy.llm.attempt-timeout=120s", "--colloquy.llm.turn-budget=120s",
                "--colloquy.jobs.workers-enabled=false", "--colloquy.chat.turn-lease=2s")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var otherHttp = new Http(port);
            await().atMost(WAIT).ignoreExceptions().until(() -> otherHttp.get("/readyz", null).status() == 200);
            String path = "/api/v1/conversations/" + conversation + "/messages";
            Map<String, String> key = Map.of("Idempotency-Key", "crash-1");
            Map<String, String> body = Map.of("content", "Please refund order A-777");
            Thread.ofVirtual().start(() -> {
                try {
                    otherHttp.post(path, tenant.chatKey(), body, key);
                } catch (RuntimeException expected) {
                    // the instance dies under this request
                }
            });
            await().atMost(WAIT).until(() -> FakeOpenAi.requests().size() == 1);
            other.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            FakeOpenAi.server().resetAll();
            FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                    FakeOpenAi.answer(FakeOpenAi.confident("Your refund for A-777 is approved."))));
            List<Integer> statuses = new ArrayList<>();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                var retry = http.post(path, tenant.chatKey(), body, key);
                statuses.add(retry.status());
                if (retry.status() == 409) {
                    assertThat(retry.header("Retry-After")).isNotNull();
                }
                return retry.status() == 200;
            });
            assertThat(statuses).as("until it is answered the retry is told it is in progress").allMatch(
                    s -> s == 409 || s == 200);
            var answered = http.post(path, tenant.chatKey(), body, key).body();
            assertThat(answered.get("reply").get("content").asString()).isEqualTo("Your refund for A-777 is approved.");

            var transcript = http.get(path + "?after=0", tenant.chatKey()).body().get("messages");
            assertThat(transcript.valueStream().filter(m -> m.get("content").asString().equals("Please refund order A-777")))
                    .as("stored once").hasSize(1);
            assertThat(transcript.valueStream().filter(m -> m.get("role").asString().equals("ASSISTANT"))).hasSize(1);
            assertThat(fixtures.say(tenant, conversation, "Thanks!").get("status").asString())
                    .as("the conversation takes turns again").isEqualTo("BOT");
        } finally {
            other.destroyForcibly();
        }
    }

    /**
     * A new turn may take a conversation whose dead turn the recovery has not freed yet: the dead turn's
     * customer message is queued in the same transaction, so it is answered rather than forgotten.
     */
    @Test
    void aTurnTakingOverADeadTurnsConversationQueuesTheDeadTurnsMessage() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Answered."))));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        int orphan = tx.execute(s -> conversations.append(TenantId.of(tenant.id()), ConversationId.of(conversation),
                Conversations.NewMessage.customer("Where is my parcel?")).seq());
        jdbc.sql("""
                        UPDATE conversations SET turn_token = :token, turn_started_at = now() - interval '2 minutes',
                            turn_lease_until = now() - interval '1 minute', turn_customer_seq = :seq
                        WHERE tenant_id = :t AND id = :c""")
                .param("token", UUID.randomUUID()).param("seq", orphan).param("t", tenant.id())
                .param("c", conversation).update();

        assertThat(fixtures.say(tenant, conversation, "Hello again").get("reply").get("content").asString())
                .isEqualTo("Answered.");

        assertThat(jdbc.sql("SELECT count(*) FROM async_jobs WHERE tenant_id = :t AND conversation_id = :c "
                        + "AND customer_seq = :seq")
                .param("t", tenant.id()).param("c", conversation).param("seq", orphan).query(Long.class).single())
                .as("the dead turn's message is queued as soon as its conversation is taken").isEqualTo(1);
        await().atMost(WAIT).until(() -> http.get("/api/v1/conversations/" + conversation + "/messages?after=0",
                tenant.chatKey()).body().get("messages").valueStream()
                .filter(m -> m.get("role").asString().equals("ASSISTANT")).count() == 2);
    }

    @Test
    void theDatabaseGoingAwayUnderSyncAndAsyncTurnsLosesNothingAndDuplicatesNothing() throws Exception {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Noted.")).withFixedDelay(50)));
        HikariDataSource db = dataSource.unwrap(HikariDataSource.class);
        URI url = URI.create(db.getJdbcUrl().substring("jdbc:".length()));
        var tenant = fixtures.tenant();
        List<UUID> conversations = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            conversations.add(fixtures.conversation(tenant));
        }
        try (var proxy = new CuttableProxy(url.getHost(), url.getPort());
             var other = new SpringApplicationBuilder(ColloquyApplication.class).profiles("test", "fake-openai")
                     .run("--server.port=0",
                             "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + proxy.port() + url.getPath(),
                             "--spring.datasource.username=" + db.getUsername(),
                             "--spring.datasource.password=" + (db.getPassword() == null ? "" : db.getPassword()),
                             "--spring.datasource.hikari.connection-timeout=1000",
                             "--colloquy.llm.upstreams.openai.base-url=" + FakeOpenAi.baseUrl(),
                             "--colloquy.llm.upstreams.openai.api-key=" + FakeOpenAi.API_KEY,
                             "--colloquy.llm.route=openai:gpt-4o-mini", "--colloquy.chat.turn-lease=2s")) {
            var viaProxy = new Http(((WebServerApplicationContext) other).getWebServer().getPort());
            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            CountDownLatch before = new CountDownLatch(8);
            CountDownLatch failures = new CountDownLatch(4);
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 48; i++) {
                    int n = i;
                    pool.submit(() -> {
                        UUID conversation = conversations.get(n % conversations.size());
                        boolean async = n % 3 == 0;
                        String path = "/api/v1/conversations/" + conversation + "/messages" + (async ? ":async" : "");
                        int status;
                        try {
                            var response = viaProxy.post(path, tenant.chatKey(), Map.of("content", "message " + n),
                                    Map.of("Idempotency-Key", "k-" + n));
                            status = response.status();
                            if (status == 503) {
                                assertThat(response.header("Retry-After")).isNotNull();
                                assertThat(response.contentType()).startsWith("application/problem+json");
                            }
                        } catch (RuntimeException e) {
                            status = -1;
                        }
                        outcomes.put("k-" + n, status);
                        before.countDown();
                        if (status != 200 && status != 202) {
                            failures.countDown();
                        }
                        return null;
                    });
                    if (i == 16) {
                        // the database goes away once some turns went through, and comes back once some failed
                        assertThat(before.await(60, TimeUnit.SECONDS)).isTrue();
                        proxy.cut();
                    }
                    if (i == 32) {
                        assertThat(failures.await(60, TimeUnit.SECONDS)).isTrue();
                        proxy.restore();
                    }
                }
            }
            assertThat(outcomes.values()).as("a dependency failure is never a 500").doesNotContain(500)
                    .allMatch(s -> s == 200 || s == 202 || s == 503 || s == 409 || s == -1);
            assertThat(outcomes.values()).contains(503);

            // every request that failed is retried with its key until it has its answer
            for (var entry : outcomes.entrySet()) {
                int n = Integer.parseInt(entry.getKey().substring(2));
                if (entry.getValue() == 200 || entry.getValue() == 202) {
                    continue;
                }
                UUID conversation = conversations.get(n % conversations.size());
                boolean async = n % 3 == 0;
                String path = "/api/v1/conversations/" + conversation + "/messages" + (async ? ":async" : "");
                List<String> seen = new ArrayList<>();
                try {
                    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                        var r = viaProxy.post(path, tenant.chatKey(), Map.of("content", "message " + n),
                                Map.of("Idempotency-Key", entry.getKey()));
                        seen.add(r.status() + (r.status() >= 400 ? " " + r.body().get("type").asString() : ""));
                        return r.status() == 200 || r.status() == 202;
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("request " + entry.getKey() + " (first " + entry.getValue() + ") never got "
                            + "its answer; retries saw " + seen.subList(Math.max(0, seen.size() - 3), seen.size())
                            + "; conversation " + jdbc.sql("SELECT status, turn_token, turn_lease_until, turn_customer_seq, "
                            + "last_seq FROM conversations WHERE id = :c").param("c", conversation).query().listOfRows()
                            + " messages " + jdbc.sql("SELECT seq, role, in_reply_to, content FROM messages WHERE "
                            + "conversation_id = :c ORDER BY seq").param("c", conversation).query().listOfRows()
                            + " keys " + jdbc.sql("SELECT idempotency_key, customer_seq, response IS NULL AS open FROM "
                            + "idempotency_keys WHERE conversation_id = :c").param("c", conversation).query().listOfRows()
                            + " jobs " + jdbc.sql("SELECT customer_seq, status, attempts, last_error FROM async_jobs WHERE "
                            + "conversation_id = :c").param("c", conversation).query().listOfRows(), e);
                }
            }
            await().atMost(WAIT).until(() -> jdbc.sql("""
                            SELECT count(*) FROM async_jobs WHERE tenant_id = :t AND status NOT IN ('DONE', 'DEAD')""")
                    .param("t", tenant.id()).query(Long.class).single() == 0);
        }
        for (int n = 0; n < 48; n++) {
            long stored = jdbc.sql("SELECT count(*) FROM messages WHERE tenant_id = :t AND content = :c")
                    .param("t", tenant.id()).param("c", "message " + n).query(Long.class).single();
            assertThat(stored).as("message %d stored exactly once", n).isEqualTo(1);
        }
        var unanswered = jdbc.sql("""
                        SELECT c.conversation_id, c.seq, c.content, v.status, v.turn_token,
                               (SELECT string_agg(j.status || '/' || j.attempts || '/' || coalesce(j.last_error, ''), ',')
                                FROM async_jobs j WHERE j.tenant_id = c.tenant_id
                                AND j.conversation_id = c.conversation_id AND j.customer_seq = c.seq) AS jobs
                        FROM messages c JOIN conversations v ON v.tenant_id = c.tenant_id AND v.id = c.conversation_id
                        WHERE c.tenant_id = :t AND c.role = 'CUSTOMER'
                        AND NOT EXISTS (SELECT 1 FROM messages a WHERE a.tenant_id = c.tenant_id
                            AND a.conversation_id = c.conversation_id AND a.role = 'ASSISTANT' AND a.in_reply_to = c.seq)
                        -- a message written while a person owns the conversation is theirs to answer
                        AND NOT EXISTS (SELECT 1 FROM handoffs h WHERE h.tenant_id = c.tenant_id
                            AND h.conversation_id = c.conversation_id AND h.status <> 'RESOLVED' AND h.through_seq < c.seq)""")
                .param("t", tenant.id()).query().listOfRows();
        assertThat(unanswered).as("every customer message was answered, or is with a person; handoffs: %s",
                jdbc.sql("SELECT reason, reason_detail FROM handoffs WHERE tenant_id = :t").param("t", tenant.id())
                        .query().listOfRows()).isEmpty();
        for (UUID conversation : conversations) {
            JsonNode turn = fixtures.say(tenant, conversation, "One more thing");
            assertThat(turn.get("reply").isNull() && !turn.get("status").asString().equals("AWAITING_AGENT"))
                    .as("no conversation is stuck").isFalse();
        }
        assertThat(jdbc.sql("SELECT reason FROM handoffs WHERE tenant_id = :t").param("t", tenant.id())
                .query(String.class).list()).as("a database outage is not a reason to hand anyone off")
                .doesNotContain("CUSTOMER_REQUEST", "POLICY_TOPIC");
    }
}
