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
        V value = loader.apply(key);
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
        entries.put(key, new Entry<>(value, now + ttlNanos));
        return value;
    }

    void remove(K key) {
        entries.remove(key);
    }

    void clear() {
        entries.clear();
    }
}
