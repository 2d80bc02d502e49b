package io.colloquy.memory;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

import io.colloquy.llm.RecordingModel;
import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.TestDatabase;

/**
 * The service over HTTP with the recording model in place of the model (every prompt it receives is kept),
 * one context shared by the memory tests; each test starts with every circuit closed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({TestDatabase.class, RecordingModel.class})
@ActiveProfiles("test")
abstract class RecordingModelTestBase {

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    CircuitBreakerRegistry circuitBreakers;

    Http http;
    Fixtures fixtures;

    @BeforeEach
    void startClosedAndConnected() {
        circuitBreakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
        http = new Http(port);
        fixtures = new Fixtures(http);
    }
}
