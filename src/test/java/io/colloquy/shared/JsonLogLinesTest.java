package io.colloquy.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.mock.env.MockEnvironment;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With {@code logging.structured.format.console=ecs} (or {@code logstash}) each log line is one JSON
 * object, and the ids {@link LogContext} puts in the MDC (with the trace's) are fields of it, so a log
 * pipeline can filter by tenant, conversation or trace without parsing text.
 */
class JsonLogLinesTest {

    @Test
    void aJsonLogLineHasTheTenantTheConversationAndTheTraceAsFields() {
        TenantId tenant = TenantId.of(UUID.randomUUID());
        ConversationId conversation = ConversationId.of(UUID.randomUUID());
        LoggingEvent event;
        MDC.put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
        try (var log = LogContext.of(tenant, conversation)) {
            event = event("Handoff opened");
        } finally {
            MDC.remove("traceId");
        }

        for (String format : new String[] {"ecs", "logstash"}) {
            JsonNode line = encode(format, event);
            assertThat(line.get("tenant").asString()).as(format).isEqualTo(tenant.toString());
            assertThat(line.get("conversation").asString()).as(format).isEqualTo(conversation.toString());
            assertThat(line.get("traceId").asString()).as(format).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(line.toString()).as(format).contains("Handoff opened");
        }
    }

    @Test
    void closingALogContextRestoresWhatTheThreadHadBefore() {
        TenantId outer = TenantId.of(UUID.randomUUID());
        try (var request = LogContext.of(outer, null)) {
            try (var job = LogContext.of(TenantId.of(UUID.randomUUID()), ConversationId.of(UUID.randomUUID()))) {
                assertThat(MDC.get(LogContext.CONVERSATION)).isNotNull();
            }
            assertThat(MDC.get(LogContext.TENANT)).isEqualTo(outer.toString());
            assertThat(MDC.get(LogContext.CONVERSATION)).isNull();
        }
        assertThat(MDC.get(LogContext.TENANT)).isNull();
    }

    /** An event as the service's logger makes it, with the thread's MDC taken when it is made. */
    private static LoggingEvent event(String message) {
        var logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.colloquy.test");
        var event = new LoggingEvent(JsonLogLinesTest.class.getName(), logger, Level.INFO, message, null, null);
        event.prepareForDeferredProcessing();
        return event;
    }

    private static JsonNode encode(String format, LoggingEvent event) {
        // a context of its own for the encoder: it only reads the Spring environment from it
        LoggerContext context = new LoggerContext();
        context.putObject(Environment.class.getName(), new MockEnvironment()
                .withProperty("spring.application.name", "colloquy"));
        StructuredLogEncoder encoder = new StructuredLogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.start();
        try {
            String text = new String(encoder.encode(event), StandardCharsets.UTF_8);
            assertThat(text.strip()).as("one line").doesNotContain("\n");
            return JsonMapper.builder().build().readTree(text);
        } finally {
            encoder.stop();
        }
    }
}
