package io.colloquy.usage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads the versioned price table. */
@Repository
class PriceBook {

    private final JdbcClient jdbc;
    private final java.time.Duration cacheFor;
    /** Every version of a provider's model price, newest first, as last read. */
    private final java.util.Map<String, Versions> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private record Versions(List<ModelPrice> newestFirst, long expiresAtNanos) {
    }

    PriceBook(JdbcClient jdbc, UsageProperties properties) {
        this.jdbc = jdbc;
        this.cacheFor = properties.pricesCacheFor();
    }

    /**
     * The price in force for a call at {@code at}. Read on every call, so a model's versions are cached
     * for {@code colloquy.usage.prices-cache-for}: a price added on this instance counts at once, one
     * added on another within that time (prices are added ahead of their date, so this never matters then).
     */
    Optional<ModelPrice> inForce(String provider, String model, Instant at) {
        String key = provider + "\n" + model;
        long now = System.nanoTime();
        Versions versions = cache.get(key);
        if (versions == null || versions.expiresAtNanos() - now <= 0) {
            versions = new Versions(jdbc.sql("""
                            SELECT * FROM model_prices WHERE provider = :provider AND model = :model
                            ORDER BY effective_from DESC""")
                    .param("provider", provider).param("model", model)
                    .query(PriceBook::map).list(), now + cacheFor.toNanos());
            if (cache.size() > 10_000) {
                cache.clear();
            }
            cache.put(key, versions);
        }
        for (ModelPrice price : versions.newestFirst()) {
            if (!price.effectiveFrom().isAfter(at)) {
                return Optional.of(price);
            }
        }
        return Optional.empty();
    }

    List<ModelPrice> all() {
        return jdbc.sql("SELECT * FROM model_prices ORDER BY provider, model, effective_from")
                .query(PriceBook::map).list();
    }

    void insert(ModelPrice price, Instant now) {
        jdbc.sql("""
                        INSERT INTO model_prices (id, provider, model, input_usd_per_million, cached_input_usd_per_million,
                                                  output_usd_per_million, effective_from, created_at)
                        VALUES (:id, :provider, :model, :input, :cached, :output, :from, :now)""")
                .param("id", price.id()).param("provider", price.provider()).param("model", price.model())
                .param("input", price.inputUsdPerMillion()).param("cached", price.cachedInputUsdPerMillion())
                .param("output", price.outputUsdPerMillion()).param("from", Timestamp.from(price.effectiveFrom()))
                .param("now", Timestamp.from(now))
                .update();
        cache.remove(price.provider() + "\n" + price.model());
    }

    private static ModelPrice map(ResultSet rs, int row) throws SQLException {
        return new ModelPrice(rs.getObject("id", java.util.UUID.class), rs.getString("provider"), rs.getString("model"),
                rs.getBigDecimal("input_usd_per_million"), rs.getBigDecimal("cached_input_usd_per_million"),
                rs.getBigDecimal("output_usd_per_million"), rs.getTimestamp("effective_from").toInstant());
    }
}
