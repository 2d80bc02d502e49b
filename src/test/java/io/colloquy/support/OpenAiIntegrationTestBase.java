package io.colloquy.support;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
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
    @Autowired
    protected JdbcClient jdbc;
    @Autowired
    protected CircuitBreakerRegistry circuitBreakers;

    protected Http http;
    protected Fixtures fixtures;

    @DynamicPropertySource
    static void openAi(DynamicPropertyRegistry registry) {
        registry.add("spring.ai.openai.base-url", FakeOpenAi::baseUrl);
    }

    @BeforeEach
    void resetUpstream() {
        FakeOpenAi.server().resetAll();
        circuitBreakers.circuitBreaker("llm").reset();
        http = new Http(port);
        fixtures = new Fixtures(http);
    }
}
