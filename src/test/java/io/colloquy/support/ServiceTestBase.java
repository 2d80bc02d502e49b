package io.colloquy.support;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The full service with the simulated model ({@link IntegrationTest}); subclasses share one context. */
@IntegrationTest
public abstract class ServiceTestBase {

    @LocalServerPort
    protected int port;
    /** The actuator's own port (health with details, metrics): the API port does not serve it. */
    @LocalManagementPort
    protected int managementPort;
    @Autowired
    protected JdbcClient jdbc;

    protected Http http;
    /** Requests to the management port. */
    protected Http management;
    protected Fixtures fixtures;

    @BeforeEach
    void connect() {
        http = new Http(port);
        management = new Http(managementPort);
        fixtures = new Fixtures(http);
    }
}
