package io.colloquy.tenant;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A per-instance cache whose entries live a few seconds: enough to spare the database a lookup on
 * every request, short enough that a change made on another instance is seen soon. Bounded: past
 * {@code maxEntries} it starts over. Loading failures are not cached.
 */
final class ShortLivedCache<K, V> {

    private record Entry<V>(V value, long expiresAtNanos) {
    }

    private final long ttlNanos;
    private final int maxEntries;
    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    /** Counts removals: a value loaded while one happened may be stale and is returned but not kept. */
    private final java.util.concurrent.atomic.AtomicLong removals = new java.util.concurrent.atomic.AtomicLong();

    ShortLivedCache(Duration ttl, int maxEntries) {
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
    }

    V get(K key, Function<K, V> loader) {
        if (ttlNanos <= 0) {
            return loader.apply(key);
        }
        long now = System.nanoTime();
        Entry<V> entry = entries.get(key);
        if (entry != null && entry.expiresAtNanos() - now > 0) {
            return entry.value();
        }
        long removalsBefore = removals.get();
        V value = loader.apply(key);
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
        entries.put(key, new Entry<>(value, now + ttlNanos));
        if (removals.get() != removalsBefore) {
            // something was removed while this value loaded: it may have been read before that change committed
            entries.remove(key);
        }
        return value;
    }

    void remove(K key) {
        removals.incrementAndGet();
        entries.remove(key);
    }

    /** Removes every entry whose value matches. */
    void removeValues(java.util.function.Predicate<V> matching) {
        removals.incrementAndGet();
        entries.values().removeIf(e -> matching.test(e.value()));
    }

    void clear() {
        removals.incrementAndGet();
        entries.clear();
    }
}
