package io.colloquy.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.OpenAiIntegrationTestBase;

/**
 * Webhook addresses at delivery: the host is resolved again and every address checked against the rules
 * (the test profile allows 127.0.0.1 only, for the fake receiver), so a stored URL that now points inside,
 * as after DNS rebinding or for a row written before the rules, is refused: failed at once, not retried,
 * with a log line that names the host and address and nothing of the URL's path, the secret or the reply.
 */
@ExtendWith(OutputCaptureExtension.class)
class WebhookAddressRulesIntegrationTest extends OpenAiIntegrationTestBase {

    static final Duration PATIENCE = Duration.ofSeconds(30);

    @ParameterizedTest
    @ValueSource(strings = {"[::1]", "127.0.0.2", "localhost", "10.255.255.1", "169.254.169.254"})
    void aStoredWebhookThatNowPointsInsideIsRefusedAtDeliveryAndNotRetried(String host, CapturedOutput output) {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(FakeOpenAi.answer(FakeOpenAi.confident("On its way."))));
        FakeOpenAi.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlPathMatching("/hooks/.*"))
                .willReturn(aResponse().withStatus(204)));
        String secret = "whsec-" + UUID.randomUUID();
        String token = "tok-" + UUID.randomUUID();
        var tenant = fixtures.tenant(Map.of("webhookUrl", "http://127.0.0.1:" + FakeOpenAi.server().port() + "/hooks/ok",
                "webhookSecret", secret));
        // the address it was set with was allowed; what it resolves to at delivery is not
        jdbc.sql("UPDATE tenants SET webhook_url = :url WHERE id = :id")
                .param("url", "http://" + host + ":" + FakeOpenAi.server().port() + "/hooks/" + token + "?key=" + token)
                .param("id", tenant.id()).update();
        UUID conversation = fixtures.conversation(tenant);
        String jobId = http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", "Where is order A-12345?")).body().get("id").asString();

        await().atMost(PATIENCE).until(() -> "FAILED".equals(webhookState(jobId)));
        assertThat(jdbc.sql("SELECT webhook_attempts FROM async_jobs WHERE id = :id").param("id", UUID.fromString(jobId))
                .query(Integer.class).single()).as("refused once, not retried").isEqualTo(1);
        assertThat(FakeOpenAi.server().findAll(postRequestedFor(urlPathMatching("/hooks/" + token)))).as("nothing sent").isEmpty();

        String line = output.getOut().lines().filter(l -> l.contains("Webhook for job " + jobId + " refused"))
                .findFirst().orElseThrow();
        assertThat(line).contains("refused, not delivered: host '" + host.replace("[", "").replace("]", "") + "'")
                .containsAnyOf("loopback", "private", "link-local").doesNotContain(token).doesNotContain(secret)
                .doesNotContain("On its way");
    }

    @Test
    void theAllowedReceiverStillGetsASignedDelivery() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(FakeOpenAi.answer(FakeOpenAi.confident("On its way."))));
        FakeOpenAi.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/hooks/allowed"))
                .willReturn(aResponse().withStatus(204)));
        String secret = "whsec-" + UUID.randomUUID();
        var tenant = fixtures.tenant(Map.of("webhookUrl", "http://127.0.0.1:" + FakeOpenAi.server().port() + "/hooks/allowed",
                "webhookSecret", secret));
        assertThat(jdbc.sql("SELECT webhook_secret FROM tenants WHERE id = :id").param("id", tenant.id())
                .query(String.class).single()).as("sealed at rest").doesNotContain(secret).startsWith("v1:");
        UUID conversation = fixtures.conversation(tenant);
        String jobId = http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", "Where is order A-12345?")).body().get("id").asString();

        await().atMost(PATIENCE).until(() -> "DELIVERED".equals(webhookState(jobId)));
        var delivery = FakeOpenAi.server().findAll(postRequestedFor(urlEqualTo("/hooks/allowed"))).getFirst();
        String signature = delivery.getHeader("X-Colloquy-Signature");
        String t = signature.substring(2, signature.indexOf(','));
        assertThat(signature).isEqualTo("t=" + t + ",v1=" + WebhookDispatcher.sign(secret, Long.parseLong(t),
                delivery.getBodyAsString()));
        assertThat(delivery.getHeader("Content-Type")).startsWith("application/json");
        assertThat(FakeOpenAi.server().findAll(anyRequestedFor(urlEqualTo("/hooks/allowed")))).hasSize(1);
    }

    private String webhookState(String jobId) {
        return jdbc.sql("SELECT coalesce(webhook_state, '') FROM async_jobs WHERE id = :id")
                .param("id", UUID.fromString(jobId)).query(String.class).single();
    }
}
