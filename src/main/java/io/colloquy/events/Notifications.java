package io.colloquy.events;

import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells every instance that something under a key changed ({@code c:<conversation>}, {@code q:<tenant>}).
 * Inside a transaction the notification is sent just before it commits, through PostgreSQL's
 * {@code pg_notify}, which delivers it only if the commit succeeds: no instance hears of a change that
 * was rolled back. The same key and payload are sent once per transaction.
 */
@Component
public class Notifications {

    static final String CHANNEL = "colloquy_events";
    /** PostgreSQL refuses payloads of 8000 bytes or more. */
    static final int MAX_PAYLOAD = 7900;
    private static final Object PENDING = new Object();

    private final JdbcClient jdbc;

    Notifications(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param key     what changed; subscribers of this key are woken
     * @param payload a short message for them (ids, never content), or empty
     */
    public void publish(String key, String payload) {
        String message = key + "|" + (payload == null ? "" : payload);
        if (message.length() > MAX_PAYLOAD) {
            throw new IllegalArgumentException("notification payload too large: " + message.length());
        }
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            send(message);
            return;
        }
        pending().add(message);
    }

    @SuppressWarnings("unchecked")
    private Set<String> pending() {
        Set<String> pending = (Set<String>) TransactionSynchronizationManager.getResource(PENDING);
        if (pending == null) {
            Set<String> fresh = new LinkedHashSet<>();
            TransactionSynchronizationManager.bindResource(PENDING, fresh);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    fresh.forEach(Notifications.this::send);
                }

                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(PENDING);
                }
            });
            pending = fresh;
        }
        return pending;
    }

    private void send(String message) {
        jdbc.sql("SELECT pg_notify('" + CHANNEL + "', :message)").param("message", message).query().singleRow();
    }
}
