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

    PriceBook(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<ModelPrice> inForce(String provider, String model, Instant at) {
        return jdbc.sql("""
                        SELECT * FROM model_prices
                        WHERE provider = :provider AND model = :model AND effective_from <= :at
                        ORDER BY effective_from DESC LIMIT 1""")
                .param("provider", provider).param("model", model).param("at", Timestamp.from(at))
                .query(PriceBook::map).optional();
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
    }

    private static ModelPrice map(ResultSet rs, int row) throws SQLException {
        return new ModelPrice(rs.getObject("id", java.util.UUID.class), rs.getString("provider"), rs.getString("model"),
                rs.getBigDecimal("input_usd_per_million"), rs.getBigDecimal("cached_input_usd_per_million"),
                rs.getBigDecimal("output_usd_per_million"), rs.getTimestamp("effective_from").toInstant());
    }
}
