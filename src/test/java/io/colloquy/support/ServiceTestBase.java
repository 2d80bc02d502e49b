package io.colloquy.support;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The full service with the simulated model ({@link IntegrationTest}); subclasses share one context. */
@IntegrationTest
public abstract class ServiceTestBase {

    @LocalServerPort
    protected int port;
    @Autowired
    protected JdbcClient jdbc;

    protected Http http;
    protected Fixtures fixtures;

    @BeforeEach
    void connect() {
        http = new Http(port);
        fixtures = new Fixtures(http);
    }
}
