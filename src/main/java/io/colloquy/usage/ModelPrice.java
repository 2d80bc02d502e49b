package io.colloquy.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.UUID;

/**
 * A row of the versioned price table, in USD per million tokens. The row in force for a call is the
 * latest whose {@code effectiveFrom} is not after the call.
 */
public record ModelPrice(UUID id, String provider, String model, BigDecimal inputUsdPerMillion,
                         BigDecimal cachedInputUsdPerMillion, BigDecimal outputUsdPerMillion, Instant effectiveFrom) {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /**
     * Exact cost of a call: uncached prompt tokens at the input rate, cached ones at the cached rate
     * (the input rate when none is published), completion tokens at the output rate. Kept at 12
     * decimal places, which holds any per-token price down to a millionth of a cent per million.
     */
    public BigDecimal cost(int promptTokens, int cachedPromptTokens, int completionTokens) {
        int cached = Math.min(Math.max(cachedPromptTokens, 0), promptTokens);
        BigDecimal cachedRate = cachedInputUsdPerMillion != null ? cachedInputUsdPerMillion : inputUsdPerMillion;
        BigDecimal micro = inputUsdPerMillion.multiply(BigDecimal.valueOf(promptTokens - cached))
                .add(cachedRate.multiply(BigDecimal.valueOf(cached)))
                .add(outputUsdPerMillion.multiply(BigDecimal.valueOf(completionTokens)));
        return micro.divide(MILLION, 12, RoundingMode.UNNECESSARY);
    }
}
