package io.colloquy.usage;

import java.math.BigDecimal;

/** A ledger row as written: the call plus the cost computed from the price in force at its time. */
public record RecordedCall(ModelCall call, BigDecimal costUsd, boolean priced) {
}
