package io.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.api.EncodingType;

import org.junit.jupiter.api.Test;

class TokenCounterTest {

    final TokenCounter tokens = new TokenCounter();
    final String text = "The quick brown fox jumps over the lazy dog near order A-12345, then asks for a refund. ".repeat(40);

    @Test
    void gpt4oGpt41AndGpt5FamiliesUseO200kBase() {
        // jtokkit's own prefix lookup would give gpt-4.1 cl100k_base
        for (String model : new String[] {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-5", "o3-mini"}) {
            assertThat(tokens.encodingTypeFor(model)).as(model).isEqualTo(EncodingType.O200K_BASE);
        }
        assertThat(tokens.encodingTypeFor("gpt-4")).isEqualTo(EncodingType.CL100K_BASE);
        assertThat(tokens.encodingTypeFor("llama3.1:8b")).isEqualTo(EncodingType.CL100K_BASE);
    }

    @Test
    void truncateKeepsTheLongestPrefixThatFits() {
        String cut = tokens.truncate("gpt-4o", text, 100);
        assertThat(tokens.count("gpt-4o", cut)).isLessThanOrEqualTo(100).isGreaterThan(90);
        assertThat(text).startsWith(cut);
    }

    @Test
    void truncateStartKeepsTheLongestSuffixThatFits() {
        String cut = tokens.truncateStart("gpt-4o", text, 100);
        assertThat(tokens.count("gpt-4o", cut)).isLessThanOrEqualTo(100).isGreaterThan(90);
        assertThat(text).endsWith(cut);
    }

    @Test
    void aTextThatFitsIsKeptWholeAndNothingFitsInZero() {
        assertThat(tokens.truncate("gpt-4o", "short", 10)).isEqualTo("short");
        assertThat(tokens.truncateStart("gpt-4o", "short", 10)).isEqualTo("short");
        assertThat(tokens.truncate("gpt-4o", text, 0)).isEmpty();
    }

    @Test
    void aPromptCountsItsFormattingOverhead() {
        var prompt = java.util.List.of(PromptMessage.system("You help."), PromptMessage.user("Hi"));
        int content = tokens.count("gpt-4o", "You help.") + tokens.count("gpt-4o", "Hi");
        assertThat(tokens.countPrompt("gpt-4o", prompt)).isEqualTo(content + 2 * 4 + 3);
    }
}
