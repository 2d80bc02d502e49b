package io.colloquy.shared;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A map that lives as long as the current transaction: bound to it on first use, optionally handed to a
 * step just before it commits, and forgotten when it ends (committed or rolled back). The hot rows that
 * are plain SQL keep in it what the transaction holds or wrote, so no step reads them twice.
 */
public final class TransactionScoped {

    private TransactionScoped() {
    }

    /** The map bound under {@code key} in this transaction, or null when none was made (or there is no transaction). */
    @SuppressWarnings("unchecked")
    public static <K, V> Map<K, V> existing(Object key) {
        return (Map<K, V>) TransactionSynchronizationManager.getResource(key);
    }

    /** The map bound under {@code key}, made now when this transaction has none yet. */
    public static <K, V> Map<K, V> map(Object key) {
        return map(key, null);
    }

    /**
     * The map bound under {@code key}, made now when this transaction has none yet; {@code beforeCommit}
     * (when not null) is given the map just before the transaction commits.
     */
    public static <K, V> Map<K, V> map(Object key, Consumer<Map<K, V>> beforeCommit) {
        Map<K, V> map = existing(key);
        if (map != null) {
            return map;
        }
        Map<K, V> fresh = new HashMap<>();
        TransactionSynchronizationManager.bindResource(key, fresh);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void beforeCommit(boolean readOnly) {
                if (beforeCommit != null) {
                    beforeCommit.accept(fresh);
                }
            }

            @Override
            public void afterCompletion(int status) {
                TransactionSynchronizationManager.unbindResourceIfPossible(key);
            }
        });
        return fresh;
    }
}
