package io.colloquy.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.colloquy.shared.TenantId;

class MaskerTest {

    private static Masker masker(boolean cards, String... patterns) {
        List<String> sources = List.of(patterns);
        return new Masker(TenantId.of(java.util.UUID.randomUUID()), cards, sources,
                sources.stream().map(Pattern::compile).toList(), Duration.ofMillis(200));
    }

    @Test
    void cardNumbersThatPassTheLuhnCheckAreMaskedInEveryCommonForm() {
        Masker m = masker(true);
        assertThat(m.mask("card 4111 1111 1111 1111 ok")).isEqualTo("card [card ending 1111] ok");
        assertThat(m.mask("card 4111-1111-1111-1111")).isEqualTo("card [card ending 1111]");
        assertThat(m.mask("card 4111111111111111")).isEqualTo("card [card ending 1111]");
        assertThat(m.mask("order 1234567890123456")).as("fails the Luhn check: an order number, not a card")
                .isEqualTo("order 1234567890123456");
        assertThat(masker(false).mask("card 4111 1111 1111 1111")).as("the tenant turned card masking off")
                .isEqualTo("card 4111 1111 1111 1111");
    }

    @Test
    void theTenantsPatternsAreMaskedAfterTheCards() {
        Masker m = masker(true, "PIN \\d{4}", "(?i)passport [A-Z0-9]{9}");
        assertThat(m.mask("PIN 1234, PASSPORT X12345678, card 4111111111111111"))
                .isEqualTo("[masked], [masked], card [card ending 1111]");
        assertThat(m.mask(List.of("PIN 0000", "fine"))).containsExactly("[masked]", "fine");
        assertThat(m.mask((String) null)).isNull();
    }

    @Test
    void aPatternThatRunsOutOfTimeWithholdsTheWholeText() {
        // exponential on this text: it would run for far longer than any limit
        Masker m = masker(true, "((a+)+)+b");
        assertThat(m.mask("a".repeat(64) + " card 4111111111111111")).isEqualTo(Masker.WITHHELD);
        assertThat(m.mask("short aab text")).isEqualTo("short [masked] text");
    }

    @Test
    void nothingToMaskLeavesTheTextAsItIs() {
        assertThat(Masker.NONE.mask("card 4111 1111 1111 1111")).isEqualTo("card 4111 1111 1111 1111");
        assertThat(Masker.NONE.masksAnything()).isFalse();
    }
}
