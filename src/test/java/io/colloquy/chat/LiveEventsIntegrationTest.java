package io.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import io.colloquy.ColloquyApplication;
import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.ServiceTestBase;
import io.colloquy.support.SseClient;

/**
 * Live conversations with the simulated model: a widget's stream sees an agent's reply, a reconnect with
 * Last-Event-ID gets exactly what it missed, an event written on another instance arrives, the agent
 * queue's stream tells agents what happens, and streamed turns work with the simulated model too.
 */
class LiveEventsIntegrationTest extends ServiceTestBase {

    static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    DataSource dataSource;

    @Test
    void anAgentsReplyReachesTheWidgetsOpenStream() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        var handoff = fixtures.say(tenant, conversation, "Can I talk to a person please?").get("handoff");
        try (var widget = events(tenant.chatKey(), conversation, Map.of())) {
            var ready = widget.await(e -> e.name().equals("ready"), WAIT, "ready");
            assertThat(ready.json().get("status").asString()).isEqualTo("AWAITING_AGENT");
            assertThat(ready.id()).as("ready does not move the client's Last-Event-ID").isNull();

            String id = handoff.get("id").asString();
            http.post("/api/v1/handoffs/" + id + "/claim", tenant.agentKey(), Map.of("agentName", "Ada"));
            http.post("/api/v1/handoffs/" + id + "/messages", tenant.agentKey(), Map.of("content", "Hi, Ada here."));

            var status = widget.await(e -> e.name().equals("status"), WAIT, "status");
            assertThat(status.json().get("status").asString()).isEqualTo("WITH_AGENT");
            var message = widget.await(e -> e.name().equals("message"), WAIT, "the agent's message");
            assertThat(message.json().get("message").get("role").asString()).isEqualTo("AGENT");
            assertThat(message.json().get("message").get("content").asString()).isEqualTo("Hi, Ada here.");
            assertThat(message.json().get("message").get("author").asString()).isEqualTo("Ada");
            assertThat(Long.parseLong(message.id())).isGreaterThan(Long.parseLong(status.id()));
        }
    }

    @Test
    void aReconnectWithLastEventIdReceivesExactlyTheMissedEvents() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String lastSeen;
        try (var widget = events(tenant.chatKey(), conversation, Map.of())) {
            widget.await(e -> e.name().equals("ready"), WAIT, "ready");
            fixtures.say(tenant, conversation, "Where is my order A-12345?");
            widget.await(e -> e.name().equals("message") && e.json().get("message").get("role").asString()
                    .equals("ASSISTANT"), WAIT, "the reply");
            lastSeen = widget.seen().getLast().id();
        }
        // while the widget is away: a turn and a handoff (two messages each, and a status change)
        fixtures.say(tenant, conversation, "Has it shipped yet?");
        fixtures.say(tenant, conversation, "I want to speak to a human please.");

        try (var widget = events(tenant.chatKey(), conversation, Map.of("Last-Event-ID", lastSeen))) {
            widget.await(e -> e.name().equals("ready"), WAIT, "ready");
            List<SseClient.Event> missed = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                missed.add(widget.await(e -> !e.name().equals("ready"), WAIT, "missed event " + (i + 1)));
            }
            assertThat(missed.stream().map(e -> Long.parseLong(e.id())).toList())
                    .containsExactly(Long.parseLong(lastSeen) + 1, Long.parseLong(lastSeen) + 2,
                            Long.parseLong(lastSeen) + 3, Long.parseLong(lastSeen) + 4, Long.parseLong(lastSeen) + 5);
            assertThat(missed.get(0).json().get("message").get("content").asString()).isEqualTo("Has it shipped yet?");
            assertThat(missed.get(2).json().get("message").get("content").asString())
                    .isEqualTo("I want to speak to a human please.");
            assertThat(missed.stream().map(SseClient.Event::name).toList())
                    .containsExactlyInAnyOrder("message", "message", "message", "message", "status");
            // and nothing twice: the next change is the next number
            fixtures.say(tenant, conversation, "Thanks, I'll wait.");
            var next = widget.await(e -> e.name().equals("message"), WAIT, "the next message");
            assertThat(Long.parseLong(next.id())).isEqualTo(Long.parseLong(lastSeen) + 6);
        }
    }

    @Test
    void anInternalNoteReachesAgentsButNeverTheWidget() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String id = fixtures.say(tenant, conversation, "Let me talk to a human").get("handoff").get("id").asString();
        http.post("/api/v1/handoffs/" + id + "/claim", tenant.agentKey(), Map.of("agentName", "Ada"));
        try (var widget = events(tenant.chatKey(), conversation, Map.of());
             var agent = events(tenant.agentKey(), conversation, Map.of())) {
            widget.await(e -> e.name().equals("ready"), WAIT, "ready");
            agent.await(e -> e.name().equals("ready"), WAIT, "ready");
            http.post("/api/v1/handoffs/" + id + "/resolve", tenant.agentKey(),
                    Map.of("returnToBot", true, "note", "Customer is a VIP; refund approved."));
            fixtures.say(tenant, conversation, "Thank you!");

            var note = agent.await(e -> e.name().equals("message")
                    && e.json().get("message").get("role").asString().equals("SYSTEM"), WAIT, "the note");
            assertThat(note.json().get("message").get("content").asString()).contains("VIP");
            widget.await(e -> e.name().equals("message")
                    && e.json().get("message").get("content").asString().equals("Thank you!"), WAIT, "the next turn");
            assertThat(widget.seen().toString()).doesNotContain("VIP");
        }
    }

    @Test
    void anEventWrittenOnAnotherInstanceReachesASubscriberOnThisOne() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        HikariDataSource db = unwrap(dataSource);
        try (var other = new SpringApplicationBuilder(ColloquyApplication.class).profiles("test")
                .run("--server.port=0", "--spring.datasource.url=" + db.getJdbcUrl(),
                        "--spring.datasource.username=" + db.getUsername(),
                        "--spring.datasource.password=" + (db.getPassword() == null ? "" : db.getPassword()));
             var widget = events(tenant.chatKey(), conversation, Map.of())) {
            widget.await(e -> e.name().equals("ready"), WAIT, "ready");
            int otherPort = ((WebServerApplicationContext) other).getWebServer().getPort();
            var turn = new Fixtures(new Http(otherPort)).say(tenant, conversation, "Hello from the other instance");
            var reply = widget.await(e -> e.name().equals("message")
                    && e.json().get("message").get("role").asString().equals("ASSISTANT"), WAIT, "the reply");
            assertThat(reply.json().get("message").get("content").asString())
                    .isEqualTo(turn.get("reply").get("content").asString());
        }
    }

    @Test
    void theAgentQueueStreamTellsAgentsWhatHappensAndOnlyTheHolderSeesTheCustomersMessages() {
        var tenant = fixtures.tenant();
        String otherAgentKey = fixtures.key(tenant.id(), "AGENT");
        UUID conversation = fixtures.conversation(tenant);
        try (var ada = SseClient.get(port, "/api/v1/handoffs/events", tenant.agentKey(), Map.of());
             var bo = SseClient.get(port, "/api/v1/handoffs/events", otherAgentKey, Map.of())) {
            ada.await(e -> e.name().equals("ready"), WAIT, "ready");
            bo.await(e -> e.name().equals("ready"), WAIT, "ready");

            String id = fixtures.say(tenant, conversation, "I need a real person").get("handoff").get("id").asString();
            assertThat(ada.await(e -> e.name().equals("opened"), WAIT, "opened").json().get("handoffId").asString())
                    .isEqualTo(id);
            bo.await(e -> e.name().equals("opened"), WAIT, "opened");

            http.post("/api/v1/handoffs/" + id + "/claim", tenant.agentKey(), Map.of("agentName", "Ada"));
            var claimed = bo.await(e -> e.name().equals("claimed"), WAIT, "claimed");
            assertThat(claimed.json().get("claimedBy").asString()).isEqualTo("Ada");
            assertThat(claimed.json().has("claimedKeyId")).isFalse();

            fixtures.say(tenant, conversation, "Are you there?");
            var message = ada.await(e -> e.name().equals("customer-message"), WAIT, "customer-message");
            assertThat(message.json().get("conversationId").asString()).isEqualTo(conversation.toString());

            http.post("/api/v1/handoffs/" + id + "/release", tenant.agentKey(), null);
            bo.await(e -> e.name().equals("released"), WAIT, "released");
            assertThat(bo.seen()).noneMatch(e -> e.name().equals("customer-message"));
        }
    }

    @Test
    void theSimulatedModelStreamsItsReplyToo() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        List<SseClient.Event> events;
        try (var stream = SseClient.post(port, "/api/v1/conversations/" + conversation + "/messages",
                tenant.chatKey(), Map.of("content", "I want a refund for order A-12345"), Map.of())) {
            events = stream.readToEnd(WAIT);
        }
        String streamed = StreamedTurnIntegrationTest.deltas(events);
        assertThat(events.stream().filter(e -> e.name().equals("delta")).count()).isGreaterThan(1);
        assertThat(streamed).startsWith("(simulated) I can help with a refund");
        assertThat(events.getLast().json().get("reply").get("content").asString()).isEqualTo(streamed);
    }

    @Test
    void aTurnAskedForInAFormatItCannotProduceIs406AndStoresNothing() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        var response = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "hello"), Map.of("Accept", "text/html"));
        assertThat(response.status()).isEqualTo(406);
        long messages = jdbc.sql("SELECT count(*) FROM messages WHERE tenant_id = :t").param("t", tenant.id())
                .query(Long.class).single();
        long calls = jdbc.sql("SELECT count(*) FROM usage_ledger WHERE tenant_id = :t").param("t", tenant.id())
                .query(Long.class).single();
        assertThat(messages).isZero();
        assertThat(calls).isZero();
    }

    @Test
    void aTenantsStreamsAreCappedWith429() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                var stream = events(tenant.chatKey(), conversation, Map.of());
                assertThat(stream.status()).isEqualTo(200);
                open.add(stream);
            }
            try (var refused = events(tenant.chatKey(), conversation, Map.of())) {
                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.header("Retry-After")).isNotNull();
                assertThat(refused.body()).contains("too-many-streams");
            }
            var otherTenant = fixtures.tenant();
            try (var other = events(otherTenant.chatKey(), fixtures.conversation(otherTenant), Map.of())) {
                assertThat(other.status()).as("another tenant is not affected").isEqualTo(200);
            }
        } finally {
            open.forEach(SseClient::close);
        }
    }

    private SseClient events(String key, UUID conversation, Map<String, String> headers) {
        return SseClient.get(port, "/api/v1/conversations/" + conversation + "/events", key, headers);
    }

    private static HikariDataSource unwrap(DataSource dataSource) {
        try {
            return dataSource.unwrap(HikariDataSource.class);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
