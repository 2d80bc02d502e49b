package io.colloquy.events;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Listens on PostgreSQL's notification channel over a connection of its own ({@link OwnConnection}) and
 * hands each notification to the {@link EventHub}. Reconnects by itself.
 */
@Component
class NotificationListener implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);

    private final JdbcConnectionDetails database;
    private final EventHub hub;
    private final EventsProperties properties;
    private volatile boolean running;
    private volatile boolean connected;
    private Thread thread;

    NotificationListener(JdbcConnectionDetails database, EventHub hub, EventsProperties properties) {
        this.database = database;
        this.hub = hub;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        running = true;
        thread = Thread.ofVirtual().name("colloquy-notifications").start(this::listen);
    }

    /** Whether the listener currently holds its connection (for health and tests). */
    boolean connected() {
        return connected;
    }

    private void listen() {
        boolean first = true;
        while (running) {
            try (Connection connection = OwnConnection.open(database, "colloquy-notifications")) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + Notifications.CHANNEL);
                }
                connected = true;
                if (!first) {
                    log.info("Notification listener reconnected");
                    // whatever was sent while we were away is lost: every subscriber re-reads
                    hub.wakeAll();
                }
                first = false;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications == null) {
                        // a round trip now and then finds a dead connection even when nothing is sent
                        try (Statement ping = connection.createStatement()) {
                            ping.execute("SELECT 1");
                        }
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        String message = n.getParameter();
                        int bar = message.indexOf('|');
                        if (bar > 0) {
                            hub.dispatch(message.substring(0, bar), message.substring(bar + 1));
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                connected = false;
                if (running) {
                    log.warn("Notification listener lost the database: {}", e.getMessage());
                    sleep();
                }
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(properties.reconnectDelay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void destroy() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
