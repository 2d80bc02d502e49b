package io.colloquy.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class ModelPriceTest {

    static ModelPrice price(String input, String cached, String output) {
        return new ModelPrice(UUID.randomUUID(), "openai", "m", new BigDecimal(input),
                cached == null ? null : new BigDecimal(cached), new BigDecimal(output), Instant.EPOCH);
    }

    @Test
    void eachTokenClassIsChargedAtItsOwnRate() {
        // gpt-4o-mini: 0.15 input, 0.075 cached input, 0.60 output per million
        var p = price("0.15", "0.075", "0.60");
        // 1,034 uncached x 0.15 = 155.1; 200 cached x 0.075 = 15; 56 output x 0.60 = 33.6 -> 203.7 per million
        assertThat(p.cost(1234, 200, 56)).isEqualByComparingTo("0.0002037");
        assertThat(p.cost(1_000_000, 0, 0)).isEqualByComparingTo("0.15");
        assertThat(p.cost(0, 0, 1_000_000)).isEqualByComparingTo("0.60");
        assertThat(p.cost(1_000_000, 1_000_000, 0)).isEqualByComparingTo("0.075");
    }

    @Test
    void costIsExactWhereBinaryFloatingPointIsNot() {
        var p = price("0.1", null, "0.2");
        // 0.1 + 0.2 per token-million: a double would give 0.30000000000000004
        assertThat(p.cost(1_000_000, 0, 1_000_000)).isEqualByComparingTo("0.3");
        assertThat(p.cost(1_000_000, 0, 1_000_000).toPlainString()).isEqualTo("0.300000000000");
        assertThat(p.cost(1, 0, 0).toPlainString()).isEqualTo("0.000000100000");
    }

    @Test
    void cachedTokensCostTheInputRateWhenNoCachedRateIsPublished() {
        var p = price("2.00", null, "8.00");
        assertThat(p.cost(1000, 400, 0)).isEqualByComparingTo(p.cost(1000, 0, 0));
        assertThat(p.cost(1000, 400, 0)).isEqualByComparingTo("0.002");
    }

    @Test
    void cachedTokensAreNeverMoreThanThePrompt() {
        var p = price("1", "0.5", "1");
        assertThat(p.cost(100, 500, 0)).isEqualByComparingTo(p.cost(100, 100, 0));
        assertThat(p.cost(100, -5, 0)).isEqualByComparingTo(p.cost(100, 0, 0));
    }
}
