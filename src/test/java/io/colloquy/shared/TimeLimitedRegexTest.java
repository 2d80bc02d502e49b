package io.colloquy.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The time limit is read from a controlled clock: each reading advances it by a millisecond. */
class TimeLimitedRegexTest {

    @Test
    void aCatastrophicPatternIsStoppedAtItsLimit() {
        AtomicLong readings = new AtomicLong();
        AtomicLong now = new AtomicLong();
        // nested repetition that Java's matcher cannot short-cut: exponential in the run of a's
        Pattern catastrophic = Pattern.compile("((a+)+)+b");
        String text = "a".repeat(60);
        assertThatThrownBy(() -> TimeLimitedRegex.replaceAll(catastrophic, text, m -> "x", Duration.ofMillis(50),
                () -> {
                    readings.incrementAndGet();
                    return now.addAndGet(1_000_000);
                }))
                .isInstanceOf(TimeLimitedRegex.TimeLimitExceeded.class)
                .hasMessageContaining("((a+)+)+b");
        // the deadline plus the first reading: the matcher was stopped as soon as the clock passed it
        assertThat(readings.get()).isEqualTo(52);
    }

    @Test
    void anOrdinaryPatternReplacesEveryMatchWithinItsLimit() {
        AtomicLong now = new AtomicLong();
        String out = TimeLimitedRegex.replaceAll(Pattern.compile("PIN \\d{4}"), "PIN 1234 and PIN 9876 ok",
                m -> "[masked]", Duration.ofMillis(50), () -> now.addAndGet(1_000_000));
        assertThat(out).isEqualTo("[masked] and [masked] ok");
        assertThat(TimeLimitedRegex.replaceAll(Pattern.compile("zz"), "no match", m -> "x", Duration.ofMillis(1)))
                .isEqualTo("no match");
    }
}
