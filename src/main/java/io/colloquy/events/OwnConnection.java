package io.colloquy.events;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * A connection outside the pool, held for an instance's life by the notification listener and sender (so
 * neither takes a pooled connection from the turns; behind PgBouncer in transaction mode, both must reach
 * PostgreSQL in session mode).
 */
final class OwnConnection {

    private OwnConnection() {
    }

    /** Opens one, named {@code applicationName} in {@code pg_stat_activity}. */
    static Connection open(JdbcConnectionDetails database, String applicationName) throws SQLException {
        Properties props = new Properties();
        if (database.getUsername() != null) {
            props.setProperty("user", database.getUsername());
        }
        if (database.getPassword() != null) {
            props.setProperty("password", database.getPassword());
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(database.getJdbcUrl(), props);
    }
}
