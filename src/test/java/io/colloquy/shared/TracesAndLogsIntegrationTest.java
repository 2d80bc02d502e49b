package io.colloquy.shared;

import static io.colloquy.support.RecordedSpans.attribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.opentelemetry.sdk.trace.data.SpanData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.colloquy.support.Fixtures;
import io.colloquy.support.RecordedSpans;
import io.colloquy.support.ServiceTestBase;

/**
 * Traces and logs as an operator sees them: a turn is one trace (continuing the caller's
 * {@code traceparent}) with spans for memory assembly, each model attempt and each ledger write, all
 * carrying tenant and conversation; every problem response names its request's trace; a request's log
 * lines carry its trace, tenant and conversation.
 */
@ExtendWith(OutputCaptureExtension.class)
class TracesAndLogsIntegrationTest extends ServiceTestBase {

    static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    RecordedSpans spans;

    @Test
    void aTurnIsOneTraceWithSpansForMemoryEachModelAttemptAndTheLedgerWrite() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String traceId = newTraceId();

        var turn = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "Where is my order A-12345?"), Map.of("traceparent", traceparent(traceId)));
        assertThat(turn.status()).as(turn.text()).isEqualTo(200);

        SpanData turnSpan = awaitSpan(traceId, "colloquy.turn");
        assertThat(attribute(turnSpan, "colloquy.turn.kind")).isEqualTo("sync");
        assertIds(turnSpan, tenant, conversation);
        SpanData server = spanById(traceId, turnSpan.getParentSpanId()).orElseThrow();
        assertThat(server.getParentSpanId()).as("the request continues the caller's trace")
                .isEqualTo(traceparent(traceId).split("-")[2]);

        SpanData memory = awaitSpan(traceId, "colloquy.memory.assembly");
        assertThat(memory.getParentSpanId()).isEqualTo(turnSpan.getSpanId());
        assertIds(memory, tenant, conversation);
        assertThat(attribute(memory, "colloquy.memory.compacted")).isEqualTo("false");

        SpanData attempt = awaitSpan(traceId, "colloquy.llm.attempt");
        assertThat(attempt.getParentSpanId()).isEqualTo(turnSpan.getSpanId());
        assertIds(attempt, tenant, conversation);
        var ledgerRow = jdbc.sql("SELECT upstream, model FROM usage_ledger WHERE conversation_id = :c")
                .param("c", conversation).query().singleRow();
        assertThat(attribute(attempt, "colloquy.llm.upstream")).isEqualTo(ledgerRow.get("upstream"));
        assertThat(attribute(attempt, "colloquy.llm.model")).isEqualTo(ledgerRow.get("model"));
        assertThat(attribute(attempt, "colloquy.llm.attempt")).isEqualTo("1");
        assertThat(attribute(attempt, "colloquy.llm.outcome")).isEqualTo("SUCCESS");
        assertThat(attribute(attempt, "colloquy.llm.purpose")).isEqualTo("CHAT");

        SpanData ledger = awaitSpan(traceId, "colloquy.usage.ledger.write");
        assertThat(ledger.getParentSpanId()).isEqualTo(turnSpan.getSpanId());
        assertIds(ledger, tenant, conversation);
        assertThat(ledger.getStartEpochNanos()).as("written when the attempt ended")
                .isGreaterThanOrEqualTo(attempt.getEndEpochNanos());

        String metrics = management.get("/actuator/prometheus", null).text();
        assertThat(metrics).as("each span is a timer too, by its low-cardinality attributes only")
                .contains("colloquy_turn_seconds_count{", "colloquy_memory_assembly_seconds_count{",
                        "colloquy_llm_attempt_seconds_count{", "colloquy_usage_ledger_write_seconds_count{")
                .doesNotContain("colloquy_tenant_id", "colloquy_conversation_id");
    }

    @Test
    void aStreamedTurnRunsOnItsOwnThreadInsideTheRequestsTrace() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String traceId = newTraceId();

        var streamed = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "Where is my refund?"),
                Map.of("traceparent", traceparent(traceId), "Accept", "text/event-stream"));
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.text()).contains("event:completed");

        SpanData turnSpan = awaitSpan(traceId, "colloquy.turn");
        assertThat(attribute(turnSpan, "colloquy.turn.kind")).isEqualTo("streamed");
        assertIds(turnSpan, tenant, conversation);
        assertThat(spanById(traceId, turnSpan.getParentSpanId())).as("the request's own span").isPresent();
        for (String child : List.of("colloquy.memory.assembly", "colloquy.llm.attempt", "colloquy.usage.ledger.write")) {
            SpanData span = awaitSpan(traceId, child);
            assertThat(span.getParentSpanId()).as(child).isEqualTo(turnSpan.getSpanId());
            assertIds(span, tenant, conversation);
        }
    }

    @Test
    void everyProblemResponseCarriesTheTraceIdOfItsRequest() {
        var tenant = fixtures.tenant();
        String unknown = "/api/v1/conversations/" + UUID.randomUUID();

        String traceId = newTraceId();
        var notFound = http.get(unknown, tenant.chatKey(), Map.of("traceparent", traceparent(traceId)));
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.contentType()).startsWith("application/problem+json");
        assertThat(notFound.body().get("traceId").asString()).as("from the advice").isEqualTo(traceId);

        traceId = newTraceId();
        var unauthorized = http.get(unknown, "not-a-key", Map.of("traceparent", traceparent(traceId)));
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.body().get("traceId").asString()).as("from the key filter").isEqualTo(traceId);

        traceId = newTraceId();
        var notAllowed = http.send("PATCH", "/api/v1/conversations", tenant.chatKey(), null,
                Map.of("traceparent", traceparent(traceId)));
        assertThat(notAllowed.status()).isEqualTo(405);
        assertThat(notAllowed.body().get("traceId").asString()).as("Spring's own problem").isEqualTo(traceId);

        var untraced = http.get(unknown, tenant.chatKey());
        assertThat(untraced.body().get("traceId").asString()).as("a trace of its own")
                .matches("[0-9a-f]{32}").isNotEqualTo(traceId);
    }

    @Test
    void aRequestsLogLinesCarryItsTraceItsTenantAndItsConversation(CapturedOutput output) {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String traceId = newTraceId();

        var turn = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "Can I talk to a human please?"), Map.of("traceparent", traceparent(traceId)));
        assertThat(turn.status()).isEqualTo(200);
        String handoff = turn.body().get("handoff").get("id").asString();

        String line = await().atMost(PATIENCE).until(() -> output.getOut().lines()
                .filter(l -> l.contains("Handoff " + handoff + " opened")).findFirst(), Optional::isPresent).get();
        assertThat(line).contains("[tenant=" + tenant.id() + " conversation=" + conversation + "]")
                .contains(traceId);
    }

    private SpanData awaitSpan(String traceId, String name) {
        return await().atMost(PATIENCE).until(() -> spans.ofTrace(traceId).stream()
                .filter(s -> s.getName().equals(name)).findFirst(), Optional::isPresent).get();
    }

    private Optional<SpanData> spanById(String traceId, String spanId) {
        return spans.ofTrace(traceId).stream().filter(s -> s.getSpanId().equals(spanId)).findFirst();
    }

    private static void assertIds(SpanData span, Fixtures.Tenant tenant, UUID conversation) {
        assertThat(attribute(span, Traces.TENANT_ID)).as(span.getName()).isEqualTo(tenant.id().toString());
        assertThat(attribute(span, Traces.CONVERSATION_ID)).as(span.getName()).isEqualTo(conversation.toString());
    }

    static String newTraceId() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        id[0] |= 1;
        return HexFormat.of().formatHex(id);
    }

    /** A sampled W3C trace context whose parent span id is derived from the trace id. */
    static String traceparent(String traceId) {
        return "00-" + traceId + "-" + traceId.substring(0, 15) + "1" + "-01";
    }
}
