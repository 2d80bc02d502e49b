package io.colloquy.events;

import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells every instance that something under a key changed ({@code c:<conversation>}, {@code q:<tenant>}),
 * through PostgreSQL's {@code pg_notify}. Inside a transaction the notification is sent after it commits
 * (by the {@link NotificationSender}, batched, outside the writing transaction): no instance hears of a
 * change that was rolled back, and every change it hears of is already visible. The same key and payload
 * are sent once per transaction.
 */
@Component
public class Notifications {

    static final String CHANNEL = "colloquy_events";
    /** PostgreSQL refuses payloads of 8000 bytes or more. */
    static final int MAX_PAYLOAD = 7900;
    private static final Object PENDING = new Object();

    private final NotificationSender sender;

    Notifications(NotificationSender sender) {
        this.sender = sender;
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
            sender.send(message);
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
                public void afterCommit() {
                    fresh.forEach(sender::send);
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
}
