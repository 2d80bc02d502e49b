package io.colloquy.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.stereotype.Component;

/**
 * Sends notifications once their transactions have committed, in batches (one statement for everything
 * queued meanwhile), over a connection of its own with {@code synchronous_commit} off.
 *
 * <p>Why not {@code pg_notify} inside the writing transaction: PostgreSQL takes one database-wide lock for
 * every transaction that notifies and holds it until that transaction's commit is flushed to disk, so the
 * commits of all notifying transactions queue behind each other's disk flushes (the turn's two writes were
 * such transactions). Here the writes commit without it, and the sender's own commits wait for no flush: a
 * notification is a wake-up, the rows it points at are already durable. What it gives up: an instance that
 * dies between a commit and the send (well under a millisecond) takes that wake-up with it, so streams on
 * other instances see that change with the next one on the same key, or when their client reconnects.
 */
@Component
class NotificationSender implements InitializingBean, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);
    /** Past this many unsent notifications (the database is away), new ones are dropped and counted. */
    static final int MAX_PENDING = 100_000;
    private static final int MAX_BATCH = 1_000;

    private final JdbcConnectionDetails database;
    private final EventsProperties properties;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(MAX_PENDING);
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private Thread thread;
    private Connection connection;
    private PreparedStatement notify;

    NotificationSender(JdbcConnectionDetails database, EventsProperties properties) {
        this.database = database;
        this.properties = properties;
    }

    /** Queues a notification for the next batch. */
    void send(String message) {
        if (!queue.offer(message) && dropped.getAndIncrement() % 10_000 == 0) {
            log.warn("Notification queue full ({} unsent); dropping wake-ups until the database takes them",
                    MAX_PENDING);
        }
    }

    @Override
    public void afterPropertiesSet() {
        running = true;
        thread = Thread.ofVirtual().name("colloquy-notification-sender").start(this::run);
    }

    private void run() {
        while (running) {
            try {
                String first = queue.poll(1, TimeUnit.SECONDS);
                if (first != null) {
                    sendBatch(first);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeConnection();
    }

    /** Sends {@code first} and whatever else is queued, retrying on a new connection until it goes. */
    private void sendBatch(String first) throws InterruptedException {
        List<String> drained = new ArrayList<>();
        drained.add(first);
        queue.drainTo(drained, MAX_BATCH - 1);
        // one wake-up per key and payload is enough
        String[] batch = new LinkedHashSet<>(drained).toArray(String[]::new);
        while (true) {
            try {
                if (notify == null) {
                    open();
                }
                notify.setArray(1, connection.createArrayOf("text", batch));
                notify.execute();
                return;
            } catch (SQLException | RuntimeException e) {
                closeConnection();
                if (!running) {
                    return;
                }
                log.warn("Notification sender lost the database ({} waiting): {}", batch.length, e.getMessage());
                Thread.sleep(properties.reconnectDelay().toMillis());
            }
        }
    }

    private void open() throws SQLException {
        connection = OwnConnection.open(database, "colloquy-notification-sender");
        try (Statement setting = connection.createStatement()) {
            // a wake-up's commit need not wait for the disk (see the class comment)
            setting.execute("SET synchronous_commit = off");
        }
        notify = connection.prepareStatement(
                "SELECT pg_notify('" + Notifications.CHANNEL + "', message) FROM unnest(?::text[]) AS message");
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already gone
            }
        }
        connection = null;
        notify = null;
    }

    @Override
    public void destroy() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(2));
            thread.interrupt();
        }
    }
}
