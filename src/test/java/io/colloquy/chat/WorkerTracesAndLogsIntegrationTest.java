package io.colloquy.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.colloquy.support.RecordedSpans.attribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.opentelemetry.sdk.trace.data.SpanData;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.colloquy.shared.Traces;
import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.OpenAiIntegrationTestBase;
import io.colloquy.support.RecordedSpans;

/**
 * Work done on the service's own threads, not a request's: an async turn taken by a worker is a trace of
 * its own (its model attempts and ledger writes inside it), and the log lines of the worker and of the
 * webhook delivery that follows name the job's tenant and conversation.
 */
@ExtendWith(OutputCaptureExtension.class)
class WorkerTracesAndLogsIntegrationTest extends OpenAiIntegrationTestBase {

    static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    RecordedSpans spans;

    @Test
    void anAsyncTurnIsATraceOfItsOwnAndItsWorkerLogLinesNameTheTenantAndConversation(CapturedOutput output) {
        // the first attempt fails (a warning logged on the worker's thread), the retry answers
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("On its way."))));
        // the receiver fails the first delivery (logged on the delivery's thread), then takes it
        String hook = "/hooks/traces-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo(hook)).inScenario("hook").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
        FakeOpenAi.server().stubFor(post(urlEqualTo(hook)).inScenario("hook").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        var tenant = fixtures.tenant(Map.of("webhookUrl", "http://127.0.0.1:" + FakeOpenAi.server().port() + hook,
                "webhookSecret", "whsec-0123456789abcdef"));
        UUID conversation = fixtures.conversation(tenant);

        var accepted = http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", "Where is order A-12345?"));
        assertThat(accepted.status()).isEqualTo(202);
        String jobId = accepted.body().get("id").asString();

        SpanData turn = await().atMost(PATIENCE).until(() -> spans.named("colloquy.turn", "colloquy.job.id", jobId)
                .stream().findFirst(), Optional::isPresent).get();
        assertThat(attribute(turn, "colloquy.turn.kind")).isEqualTo("async");
        assertThat(attribute(turn, Traces.TENANT_ID)).isEqualTo(tenant.id().toString());
        assertThat(attribute(turn, Traces.CONVERSATION_ID)).isEqualTo(conversation.toString());
        assertThat(turn.getParentSpanContext().isValid()).as("a root: no request waits for it").isFalse();

        List<SpanData> attempts = children(turn, "colloquy.llm.attempt").stream()
                .sorted(Comparator.comparing(s -> attribute(s, "colloquy.llm.attempt"))).toList();
        assertThat(attempts).extracting(s -> attribute(s, "colloquy.llm.outcome"))
                .containsExactly("SERVER_ERROR", "SUCCESS");
        assertThat(attempts).extracting(s -> attribute(s, "colloquy.llm.attempt")).containsExactly("1", "2");
        assertThat(attempts).allSatisfy(s -> {
            assertThat(attribute(s, "colloquy.llm.upstream")).isEqualTo("openai");
            assertThat(attribute(s, Traces.CONVERSATION_ID)).isEqualTo(conversation.toString());
        });
        assertThat(children(turn, "colloquy.usage.ledger.write")).as("a ledger write per attempt").hasSize(2);
        assertThat(children(turn, "colloquy.memory.assembly")).hasSize(1);

        String ids = "[tenant=" + tenant.id() + " conversation=" + conversation + "]";
        String failed = awaitLine(output, "Model call failed: tenant=" + tenant.id());
        assertThat(failed).contains(ids).contains(turn.getTraceId());
        String webhook = awaitLine(output, "Webhook for job " + jobId + " answered 500");
        assertThat(webhook).contains(ids);
    }

    private List<SpanData> children(SpanData parent, String name) {
        return await().atMost(PATIENCE).until(() -> spans.ofTrace(parent.getTraceId()).stream()
                .filter(s -> s.getName().equals(name) && s.getParentSpanId().equals(parent.getSpanId())).toList(),
                l -> !l.isEmpty());
    }

    private static String awaitLine(CapturedOutput output, String text) {
        return await().atMost(PATIENCE).until(() -> output.getOut().lines().filter(l -> l.contains(text)).findFirst(),
                Optional::isPresent).get();
    }
}
