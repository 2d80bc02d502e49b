package io.colloquy.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.support.ServiceTestBase;

/**
 * Notifications go out after their transaction commits, from the sender's own connection: never for a
 * transaction that rolled back, and never from inside the writing transaction (whose commit would
 * otherwise wait on PostgreSQL's database-wide notify lock).
 */
class NotificationsIntegrationTest extends ServiceTestBase {

    @Autowired
    Notifications notifications;
    @Autowired
    PlatformTransactionManager transactions;
    @Autowired
    DataSource dataSource;

    private Connection listener;

    @BeforeEach
    void listen() throws Exception {
        listener = dataSource.getConnection();
        listener.setAutoCommit(true);
        try (Statement s = listener.createStatement()) {
            s.execute("LISTEN " + Notifications.CHANNEL);
        }
    }

    @AfterEach
    void unlisten() throws Exception {
        try (Statement s = listener.createStatement()) {
            s.execute("UNLISTEN *");
        }
        listener.close();
    }

    @Test
    void aCommittedTransactionsNotificationArrivesFromAnotherConnectionThanTheWritersAndARolledBackOneNever()
            throws Exception {
        String run = java.util.UUID.randomUUID().toString();
        var tx = new TransactionTemplate(transactions);

        tx.executeWithoutResult(status -> {
            notifications.publish("test:" + run, "rolled-back");
            status.setRollbackOnly();
        });
        Integer writer = tx.execute(status -> {
            notifications.publish("test:" + run, "committed");
            return jdbc.sql("SELECT pg_backend_pid()").query(Integer.class).single();
        });

        // one sender sends in order: had the rolled-back one been queued, it would arrive first
        PGNotification first = next(run);
        assertThat(first.getParameter()).isEqualTo("test:" + run + "|committed");
        assertThat(first.getPID()).as("sent by the sender, not inside the writing transaction").isNotEqualTo(writer);
    }

    @Test
    void aTransactionSendsEachKeyAndPayloadOnce() throws Exception {
        String run = java.util.UUID.randomUUID().toString();
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            notifications.publish("test:" + run, "a");
            notifications.publish("test:" + run, "a");
            notifications.publish("test:" + run, "b");
        });
        notifications.publish("test:" + run, "end");

        List<String> received = new ArrayList<>();
        while (received.isEmpty() || !received.getLast().endsWith("|end")) {
            received.add(next(run).getParameter());
        }
        assertThat(received).containsExactly("test:" + run + "|a", "test:" + run + "|b", "test:" + run + "|end");
    }

    /** The next notification of this test run (others, from the service's own traffic, are skipped). */
    private PGNotification next(String run) throws Exception {
        PGConnection pg = listener.unwrap(PGConnection.class);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!pending.isEmpty()) {
                return pending.removeFirst();
            }
            PGNotification[] batch = pg.getNotifications(500);
            if (batch == null) {
                continue;
            }
            for (PGNotification n : batch) {
                if (n.getParameter().startsWith("test:" + run)) {
                    pending.add(n);
                }
            }
        }
        throw new AssertionError("no notification for " + run + " within 10 s");
    }

    private final java.util.ArrayDeque<PGNotification> pending = new java.util.ArrayDeque<>();
}
