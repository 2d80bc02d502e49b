package io.colloquy.support;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * The full service with the real OpenAI client (Spring AI) pointed at {@link FakeOpenAi}, with short
 * time limits so failure tests run quickly. Subclasses share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestDatabase.class)
@ActiveProfiles({"test", "fake-openai"})
public abstract class OpenAiIntegrationTestBase {

    @LocalServerPort
    protected int port;
    /** The actuator's own port (health with details, metrics): the API port does not serve it. */
    @LocalManagementPort
    protected int managementPort;
    @Autowired
    protected JdbcClient jdbc;
    @Autowired
    protected CircuitBreakerRegistry circuitBreakers;

    protected Http http;
    /** Requests to the management port. */
    protected Http management;
    protected Fixtures fixtures;

    /** The circuit of the deployment's default route: the fake server's gpt-4o-mini. */
    protected static final String PRIMARY_CIRCUIT = "llm:openai:gpt-4o-mini";

    /**
     * Three upstreams on the one fake server, told apart by path: {@code openai} (the default route),
     * {@code backup} (priced under its own provider) and {@code slowpoke} (a short first-byte limit).
     */
    @DynamicPropertySource
    static void openAi(DynamicPropertyRegistry registry) {
        registry.add("colloquy.llm.upstreams.openai.base-url", FakeOpenAi::baseUrl);
        registry.add("colloquy.llm.upstreams.openai.api-key", () -> FakeOpenAi.API_KEY);
        registry.add("colloquy.llm.upstreams.backup.base-url", () -> FakeOpenAi.baseUrl("backup"));
        registry.add("colloquy.llm.upstreams.backup.api-key", () -> "backup-key");
        registry.add("colloquy.llm.upstreams.slowpoke.base-url", () -> FakeOpenAi.baseUrl("slowpoke"));
        registry.add("colloquy.llm.upstreams.slowpoke.first-byte-timeout", () -> "400ms");
        registry.add("colloquy.llm.upstreams.slowpoke.provider", () -> "openai");
        registry.add("colloquy.llm.route", () -> "openai:gpt-4o-mini");
    }

    @BeforeEach
    void resetUpstream() {
        FakeOpenAi.server().resetAll();
        circuitBreakers.getAllCircuitBreakers().forEach(io.github.resilience4j.circuitbreaker.CircuitBreaker::reset);
        http = new Http(port);
        management = new Http(managementPort);
        fixtures = new Fixtures(http);
    }
}
