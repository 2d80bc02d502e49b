package io.colloquy.events;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Who on this instance waits for which key. A notification wakes each subscriber of its key on a virtual
 * thread of its own; a subscriber reads what it needs from the database, so it may be woken more often
 * than needed, never less. When the listener loses the database, every subscriber is woken on
 * reconnection (with a null payload), since notifications sent meanwhile are lost.
 */
@Component
public class EventHub implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EventHub.class);

    private final Map<String, Set<Subscription>> byKey = new ConcurrentHashMap<>();
    private final ExecutorService wakers = Executors.newVirtualThreadPerTaskExecutor();

    /** A registration; {@link #close()} ends it. */
    public final class Subscription implements AutoCloseable {
        private final String key;
        private final Consumer<String> handler;

        private Subscription(String key, Consumer<String> handler) {
            this.key = key;
            this.handler = handler;
        }

        @Override
        public void close() {
            byKey.computeIfPresent(key, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Calls {@code handler} with each notification's payload for {@code key} (null after a lost connection). */
    public Subscription subscribe(String key, Consumer<String> handler) {
        Subscription subscription = new Subscription(key, handler);
        byKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(subscription);
        return subscription;
    }

    /** Subscribers on this instance (a meter). */
    public int size() {
        return byKey.values().stream().mapToInt(Set::size).sum();
    }

    void dispatch(String key, String payload) {
        Set<Subscription> subscribers = byKey.get(key);
        if (subscribers != null) {
            subscribers.forEach(s -> wake(s, payload));
        }
    }

    void wakeAll() {
        byKey.values().forEach(set -> set.forEach(s -> wake(s, null)));
    }

    private void wake(Subscription s, String payload) {
        wakers.execute(() -> {
            try {
                s.handler.accept(payload);
            } catch (RuntimeException e) {
                log.warn("Event subscriber for {} failed: {}", s.key, e.toString());
            }
        });
    }

    @Override
    public void destroy() {
        wakers.shutdownNow();
    }
}
